-- dash-lsp for Neovim 0.7+: finds what breaks or crawls when a Dash app is deployed.
--
--   require('dash_lsp').setup({ cmd = { 'dash-lsp' }, settings = {}, filetypes = { ... } })
--
-- Neovim 0.11+ can instead use the native config in lsp/dash_lsp.lua:
--   vim.lsp.enable('dash_lsp')
local M = {}

M.defaults = {
  cmd = nil, -- default: `dash-lsp` on PATH
  settings = {}, -- passed as initializationOptions and workspace/configuration section `dash-lsp`
  filetypes = { 'python', 'procfile', 'requirements', 'dokku_checks', 'dash_runtime' },
  root_markers = { 'Procfile', 'requirements.txt', 'app.py' },
}

M.config = vim.deepcopy(M.defaults)

-- Clients started on Neovim 0.7 (no vim.lsp.start): one per root folder.
local started = {}

--- The command that starts the server.
function M.resolved_cmd()
  if M.config.cmd then
    return M.config.cmd
  end
  return { 'dash-lsp' }
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
    cmd = M.resolved_cmd(),
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
      cmd = M.resolved_cmd(),
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
