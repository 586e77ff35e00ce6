-- Open the Procfile: it is a `procfile` buffer with a DL106 diagnostic on the bad target.
local t = dofile(os.getenv('DASH_LSP_TESTS') .. '/helpers.lua')

t.run(function()
  require('dash_lsp').setup({ cmd = { t.bin }, no_native = true })
  vim.cmd('edit ' .. t.root .. '/Procfile')
  local buf = vim.api.nvim_get_current_buf()
  if vim.bo[buf].filetype ~= 'procfile' then
    t.fail('filetype is "' .. vim.bo[buf].filetype .. '", expected "procfile"')
  end
  t.wait(20000, function()
    return t.find(buf, 'DL106') ~= nil
  end, 'DL106 on the Procfile')
  local d = t.find(buf, 'DL106')
  if d.lnum ~= 0 or d.col ~= 14 then
    t.fail(string.format('DL106 at %d:%d, expected 0:14', d.lnum, d.col))
  end
  -- The plain-Vim syntax fallback is there too.
  if vim.fn.exists('b:current_syntax') == 1 and vim.b.current_syntax ~= 'procfile' then
    t.fail('syntax is ' .. tostring(vim.b.current_syntax))
  end
  t.pass()
end)
