-- Open app.py, wait for DL101, apply its quick fix through vim.lsp, write, re-check.
local t = dofile(os.getenv('DASH_LSP_TESTS') .. '/helpers.lua')

t.run(function()
  require('dash_lsp').setup({ cmd = { t.bin }, no_native = true })
  vim.cmd('edit ' .. t.root .. '/app.py')
  local buf = vim.api.nvim_get_current_buf()
  if vim.bo[buf].filetype ~= 'python' then
    t.fail('filetype is ' .. vim.bo[buf].filetype)
  end
  t.wait(20000, function()
    return t.find(buf, 'DL101') ~= nil
  end, 'DL101 on app.py')
  local d = t.find(buf, 'DL101')
  vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })

  -- The fix, not "Ignore DL101 for this line": `apply = true` applies only a lone match
  -- (0.8+ would otherwise ask through vim.ui.select, which waits forever headless).
  local function is_dl101(action)
    return action.title ~= nil
      and action.title:find('DL101', 1, true) ~= nil
      and action.title:find('Ignore', 1, true) == nil
  end
  if vim.fn.has('nvim-0.8') == 1 then
    -- DL101 also offers an alternative (target `app:app`): the preferred fix is the one.
    vim.lsp.buf.code_action({
      filter = function(action)
        return is_dl101(action) and action.isPreferred == true
      end,
      apply = true,
    })
  else
    -- Neovim 0.7 asks through vim.ui.select (what telescope & co. plug into): pick DL101.
    vim.ui.select = function(items, _, on_choice)
      for i, item in ipairs(items) do
        local action = item[2] or item
        if is_dl101(action) then
          return on_choice(item, i)
        end
      end
      on_choice(nil)
    end
    vim.lsp.buf.code_action()
  end
  t.wait(10000, function()
    return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n'):find('server = app.server', 1, true) ~= nil
  end, 'the quick fix to edit the buffer')
  vim.cmd('write')
  t.wait(10000, function()
    return t.find(buf, 'DL101') == nil
  end, 'DL101 to clear after the fix')
  t.pass()
end)
