-- :checkhealth dash_lsp finds the binary and reports its version.
local t = dofile(os.getenv('DASH_LSP_TESTS') .. '/helpers.lua')

t.run(function()
  require('dash_lsp').setup({ cmd = { t.bin }, no_native = true })
  vim.cmd('edit ' .. t.root .. '/app.py')
  vim.cmd('checkhealth dash_lsp')
  local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  for _, want in ipairs({ 'binary: ', 'version: dash-lsp ', 'root for app.py: ' }) do
    if not text:find(want, 1, true) then
      t.fail('checkhealth lacks "' .. want .. '":\n' .. text)
    end
  end
  t.pass()
end)
