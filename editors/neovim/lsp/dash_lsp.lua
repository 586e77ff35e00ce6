-- Native configuration for Neovim 0.11+: `vim.lsp.enable('dash_lsp')`. The server is the
-- dash-lsp of the app's virtualenv (.venv, venv, $VIRTUAL_ENV), else `dash-lsp` on PATH.
return {
  cmd = function(dispatchers, config)
    return require('dash_lsp').native_cmd(dispatchers, config)
  end,
  filetypes = { 'python', 'procfile', 'requirements', 'dokku_checks', 'dash_runtime' },
  root_markers = { 'Procfile', 'requirements.txt', 'app.py' },
  settings = { ['dash-lsp'] = {} },
}
