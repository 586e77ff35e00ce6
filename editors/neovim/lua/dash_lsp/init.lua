-- dash-lsp for Neovim 0.7+: finds what breaks or crawls when a Dash app is deployed.
--
--   require('dash_lsp').setup({ cmd = { 'dash-lsp' }, settings = {}, filetypes = { ... } })
--
-- Without `cmd`, the server is the dash-lsp installed with pip in the app's virtualenv
-- (`.venv/` or `venv/` in the app folder or a parent up to the repository's top, then
-- `$VIRTUAL_ENV`), else `dash-lsp` on PATH: the version the project pins.
--
-- Neovim 0.11+ can instead use the native config in lsp/dash_lsp.lua:
--   vim.lsp.enable('dash_lsp')
local M = {}

M.defaults = {
  cmd = nil, -- default: the app's virtualenv, then `dash-lsp` on PATH (see M.env_binary)
  settings = {}, -- passed as initializationOptions and workspace/configuration section `dash-lsp`
  filetypes = { 'python', 'procfile', 'requirements', 'dokku_checks', 'dash_runtime' },
  root_markers = { 'Procfile', 'requirements.txt', 'app.py' },
}

M.config = vim.deepcopy(M.defaults)

-- Clients started on Neovim 0.7 (no vim.lsp.start): one per root folder.
local started = {}

local windows = vim.fn.has('win32') == 1

--- The console script pip puts in a virtualenv: `bin/dash-lsp`, on Windows `Scripts\dash-lsp.exe`.
local function venv_binaries(env)
  if windows then
    return { env .. '/Scripts/dash-lsp.exe', env .. '/bin/dash-lsp.exe' }
  end
  return { env .. '/bin/dash-lsp' }
end

--- The places looked at for the app in `root`, in order: `.venv` and `venv` in `root` and each
--- parent up to the one holding `.git` (a venv at the top of a repository of several apps),
--- never the home folder or above; then `$VIRTUAL_ENV`.
function M.env_candidates(root)
  local out = {}
  local home = vim.loop.os_homedir()
  local dir = root and vim.fn.fnamemodify(root, ':p'):gsub('[/\\]$', '') or nil
  while dir and dir ~= '' and dir ~= home do
    for _, venv in ipairs({ '.venv', 'venv' }) do
      vim.list_extend(out, venv_binaries(dir .. '/' .. venv))
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if vim.loop.fs_stat(dir .. '/.git') or parent == dir then
      break
    end
    dir = parent
  end
  local active = vim.env.VIRTUAL_ENV
  if active and active ~= '' then
    vim.list_extend(out, venv_binaries(active))
  end
  return out
end

--- The dash-lsp of the app's Python environment, or nil.
function M.env_binary(root)
  for _, candidate in ipairs(M.env_candidates(root)) do
    if vim.fn.executable(candidate) == 1 then
      return candidate
    end
  end
end

--- The command that starts the server for the app in `root`: `cmd` from setup(), else the
--- virtualenv's binary, else `dash-lsp` on PATH.
function M.resolved_cmd(root)
  if M.config.cmd then
    return M.config.cmd
  end
  return { M.env_binary(root) or 'dash-lsp' }
end

--- `cmd` for Neovim 0.11's vim.lsp.config: a function, so the binary is looked up per root
--- when a client starts (0.11.0 passes no config: the current buffer's root then).
function M.native_cmd(dispatchers, config)
  local root = config and config.root_dir or M.find_root(vim.api.nvim_buf_get_name(0))
  return vim.lsp.rpc.start(M.resolved_cmd(root), dispatchers, { cwd = root })
end

--- The app folder of a file: the nearest folder holding a root marker, else the file's folder.
function M.find_root(fname)
  local dir = vim.fn.fnamemodify(fname, ':p:h')
  while true do
    for _, marker in ipairs(M.config.root_markers) do
      if vim.loop.fs_stat(dir .. '/' .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      return vim.fn.fnamemodify(fname, ':p:h')
    end
    dir = parent
  end
end

local function client_config(root)
  return {
    name = 'dash_lsp',
    cmd = M.resolved_cmd(root),
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = M.config.settings,
    settings = { ['dash-lsp'] = M.config.settings },
  }
end

--- Starts (or reuses) the client for a buffer's app and attaches the buffer.
function M.attach(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local fname = vim.api.nvim_buf_get_name(bufnr)
  if fname == '' or vim.bo[bufnr].buftype ~= '' then
    return
  end
  local root = M.find_root(fname)
  if vim.lsp.start then
    -- Neovim 0.8-0.10 (and 0.11+ without the native config): reuses a client with this root.
    return vim.lsp.start(client_config(root), { bufnr = bufnr })
  end
  -- Neovim 0.7.
  local id = started[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(client_config(root))
    started[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

function M.setup(opts)
  opts = opts or {}
  M.config = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts)
  if vim.fn.has('nvim-0.11') == 1 and vim.lsp.config and not opts.no_native then
    vim.lsp.config('dash_lsp', {
      cmd = M.config.cmd or M.native_cmd,
      filetypes = M.config.filetypes,
      root_markers = M.config.root_markers,
      init_options = M.config.settings,
      settings = { ['dash-lsp'] = M.config.settings },
    })
    vim.lsp.enable('dash_lsp')
    return
  end
  local group = vim.api.nvim_create_augroup('dash_lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  -- Buffers already open when setup() runs.
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.tbl_contains(M.config.filetypes, vim.bo[buf].filetype) then
      M.attach(buf)
    end
  end
end

return M
