" Deployment files of Dash / Heroku-style apps (forced: *.txt would otherwise be `text`).
autocmd BufNewFile,BufRead Procfile,Procfile.* set filetype=procfile
autocmd BufNewFile,BufRead CHECKS set filetype=dokku_checks
autocmd BufNewFile,BufRead runtime.txt set filetype=dash_runtime
autocmd BufNewFile,BufRead requirements*.txt,requirements/*.txt set filetype=requirements
