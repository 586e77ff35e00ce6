-- `settings` reach the server: DL101 ignored, DL108 shown as a hint.
local t = dofile(os.getenv('DASH_LSP_TESTS') .. '/helpers.lua')

t.run(function()
  require('dash_lsp').setup({
    cmd = { t.bin },
    no_native = true,
    settings = { ignore = { 'DL101' }, severity = { DL108 = 'hint' } },
  })
  vim.cmd('edit ' .. t.root .. '/app.py')
  local app = vim.api.nvim_get_current_buf()
  vim.cmd('edit ' .. t.root .. '/requirements.txt')
  local req = vim.api.nvim_get_current_buf()
  t.wait(20000, function()
    return t.find(req, 'DL108') ~= nil
  end, 'DL108 on requirements.txt')
  local d = t.find(req, 'DL108')
  if d.severity ~= vim.diagnostic.severity.HINT then
    t.fail('DL108 severity ' .. tostring(d.severity) .. ', expected a hint')
  end
  if t.find(app, 'DL101') ~= nil then
    t.fail('DL101 is reported although the settings ignore it')
  end
  t.pass()
end)
