-- :checkhealth dash_lsp
local M = {}

local health = vim.health or require('health')
local start = health.start or health.report_start
local ok = health.ok or health.report_ok
local warn = health.warn or health.report_warn
local err = health.error or health.report_error
local info = health.info or health.report_info

local function clients()
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  local out = {}
  for _, client in ipairs(get()) do
    if client.name == 'dash_lsp' then
      table.insert(out, client)
    end
  end
  return out
end

function M.check()
  start('dash-lsp')
  local dash_lsp = require('dash_lsp')
  -- The binary is looked up per app (its virtualenv): the app of the first file buffer.
  local root = vim.fn.getcwd()
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    local name = vim.api.nvim_buf_get_name(buf)
    if name ~= '' and vim.bo[buf].buftype == '' then
      root = dash_lsp.find_root(name)
      break
    end
  end
  local cmd = dash_lsp.resolved_cmd(root)
  if vim.fn.executable(cmd[1]) == 1 then
    ok('binary: ' .. vim.fn.exepath(cmd[1]))
    local version = vim.trim(vim.fn.system({ cmd[1], '--version' }))
    if vim.v.shell_error == 0 then
      ok('version: ' .. version)
    else
      err('`' .. cmd[1] .. ' --version` failed: ' .. version)
    end
  else
    err('dash-lsp not found: `' .. cmd[1] .. '` is not executable', {
      'pip install dash-lsp (in the app\'s .venv, or on PATH)',
      "or pass the binary: require('dash_lsp').setup({ cmd = { '/path/to/dash-lsp' } })",
    })
  end
  -- :checkhealth runs in its own buffer: report the roots of the file buffers instead.
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    local name = vim.api.nvim_buf_get_name(buf)
    if name ~= '' and vim.bo[buf].buftype == '' and vim.api.nvim_buf_is_loaded(buf) then
      info('root for ' .. vim.fn.fnamemodify(name, ':~:.') .. ': ' .. dash_lsp.find_root(name))
    end
  end
  local running = clients()
  if #running == 0 then
    warn('no dash_lsp client is running (open a Python file, Procfile or requirements.txt of an app)')
  end
  for _, client in ipairs(running) do
    local state = client.is_stopped and client.is_stopped() and 'stopped' or 'running'
    ok(string.format('client %d %s, root %s', client.id, state, client.config.root_dir or '?'))
  end
end

return M
