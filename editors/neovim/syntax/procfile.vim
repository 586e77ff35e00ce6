" Procfile syntax, for Neovim without tree-sitter highlighting.
if exists('b:current_syntax')
  finish
endif
syntax match procfileComment "^\s*\(#\|//\).*$"
syntax match procfileType "^[A-Za-z0-9_-]\+\ze:" nextgroup=procfileColon
syntax match procfileColon ":" contained nextgroup=procfileCommand skipwhite
syntax match procfileCommand ".*$" contained contains=procfileVariable,procfileOption
syntax match procfileVariable "\$\w\+\|\${\w\+}" contained
syntax match procfileOption "\s\zs--\?[A-Za-z][A-Za-z0-9-]*" contained
highlight default link procfileComment Comment
highlight default link procfileType Type
highlight default link procfileColon Delimiter
highlight default link procfileCommand String
highlight default link procfileVariable Identifier
highlight default link procfileOption Special
let b:current_syntax = 'procfile'
