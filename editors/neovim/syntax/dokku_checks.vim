" Dokku / Dash Enterprise CHECKS syntax, for Neovim without tree-sitter highlighting.
if exists('b:current_syntax')
  finish
endif
syntax match checksComment "^\s*#.*$"
syntax match checksSetting "^\(WAIT\|TIMEOUT\|ATTEMPTS\)\ze=" nextgroup=checksEquals
syntax match checksEquals "=" contained nextgroup=checksNumber
syntax match checksNumber "\d\+" contained
syntax match checksPath "^\(/\|https\?://\)\S*" nextgroup=checksContent skipwhite
syntax match checksContent ".*$" contained
highlight default link checksComment Comment
highlight default link checksSetting Keyword
highlight default link checksEquals Operator
highlight default link checksNumber Number
highlight default link checksPath Underlined
highlight default link checksContent String
let b:current_syntax = 'dokku_checks'
