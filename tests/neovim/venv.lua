-- Without `cmd`, the server is the dash-lsp of the app's virtualenv: `.venv/bin/dash-lsp` in
-- the workspace is the command started (and it serves), before `venv/`, `$VIRTUAL_ENV` and PATH.
local t = dofile(os.getenv('DASH_LSP_TESTS') .. '/helpers.lua')

local function link(dir)
  vim.fn.mkdir(dir .. '/bin', 'p')
  assert(vim.loop.fs_symlink(t.bin, dir .. '/bin/dash-lsp'))
  return dir .. '/bin/dash-lsp'
end

t.run(function()
  local dash_lsp = require('dash_lsp')
  -- The lookup order, on the files of this fixture copy.
  local active = link(t.root .. '/.nvim-data/active-env')
  vim.env.VIRTUAL_ENV = t.root .. '/.nvim-data/active-env'
  if dash_lsp.resolved_cmd(t.root)[1] ~= active then
    t.fail('$VIRTUAL_ENV not used: ' .. vim.inspect(dash_lsp.resolved_cmd(t.root)))
  end
  local plain = link(t.root .. '/venv')
  if dash_lsp.resolved_cmd(t.root)[1] ~= plain then
    t.fail('venv/ does not win over $VIRTUAL_ENV: ' .. vim.inspect(dash_lsp.resolved_cmd(t.root)))
  end
  local dotvenv = link(t.root .. '/.venv')
  vim.fn.mkdir(t.root .. '/pages', 'p')
  if dash_lsp.resolved_cmd(t.root .. '/pages')[1] ~= dotvenv then
    t.fail('.venv/ of a parent folder not found: ' .. vim.inspect(dash_lsp.resolved_cmd(t.root .. '/pages')))
  end
  if dash_lsp.resolved_cmd(t.root)[1] ~= dotvenv then
    t.fail('.venv/ does not come first: ' .. vim.inspect(dash_lsp.resolved_cmd(t.root)))
  end

  -- The client started for the app runs the .venv's binary, and it serves the buffer.
  dash_lsp.setup({ no_native = true })
  vim.cmd('edit ' .. t.root .. '/app.py')
  local buf = vim.api.nvim_get_current_buf()
  t.wait(20000, function()
    return t.find(buf, 'DL101') ~= nil
  end, 'DL101 from the .venv server')
  local clients = (vim.lsp.get_clients or vim.lsp.get_active_clients)()
  local cmds = {}
  for _, client in ipairs(clients) do
    if client.name == 'dash_lsp' then
      table.insert(cmds, client.config.cmd[1])
    end
  end
  if #cmds ~= 1 or cmds[1] ~= dotvenv then
    t.fail('expected one client running ' .. dotvenv .. ', got ' .. vim.inspect(cmds))
  end
  t.pass()
end)
