-- Native configuration for Neovim 0.11+: `vim.lsp.enable('dash_lsp')`.
return {
  cmd = { 'dash-lsp' },
  filetypes = { 'python', 'procfile', 'requirements', 'dokku_checks', 'dash_runtime' },
  root_markers = { 'Procfile', 'requirements.txt', 'app.py' },
  settings = { ['dash-lsp'] = {} },
}
