-- Shared by the headless Neovim tests: load only this plugin, report and exit.
local M = {}

M.plugin = os.getenv('DASH_LSP_PLUGIN')
M.bin = os.getenv('DASH_LSP_BIN')
M.root = os.getenv('DASH_LSP_FIXTURE')

vim.opt.runtimepath:prepend(M.plugin)
vim.opt.swapfile = false
vim.cmd('filetype plugin on')
vim.cmd('runtime! ftdetect/dash_lsp.vim')

function M.fail(msg)
  io.stderr:write('FAIL: ' .. msg .. '\n')
  vim.cmd('cquit 1')
end

function M.pass()
  io.stdout:write('PASS\n')
  vim.cmd('qall!')
end

function M.codes(bufnr)
  local codes = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    table.insert(codes, tostring(code))
  end
  return codes
end

function M.find(bufnr, code)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local c = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    if c == code then
      return d
    end
  end
end

function M.wait(ms, pred, what)
  if not vim.wait(ms, pred, 50) then
    M.fail('timed out waiting for ' .. what)
  end
end

-- Runs `body`, turning any Lua error into a failing exit.
function M.run(body)
  local ok, err = xpcall(body, debug.traceback)
  if not ok then
    M.fail(tostring(err))
  end
end

return M
