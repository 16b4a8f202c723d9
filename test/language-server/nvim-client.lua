-- Drives the iotrace language server with Neovim's built-in LSP client
-- (headless): opens the trace given on the command line, waits for
-- diagnostics, asks for a hover, and writes what arrived as JSON to $OUT.
local server = os.getenv('SERVER')
local root = os.getenv('ROOT')
local out = os.getenv('OUT')

local function finish(result)
  local f = assert(io.open(out, 'w'))
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qa!')
end

local bufnr = vim.api.nvim_get_current_buf()
local config = { name = 'iotrace', cmd = { 'node', server, '--stdio' }, root_dir = root }
local client_id
if vim.lsp.start then
  client_id = vim.lsp.start(config)
else
  -- Neovim 0.7 (Debian bookworm) has no vim.lsp.start.
  client_id = vim.lsp.start_client(config)
  vim.lsp.buf_attach_client(bufnr, client_id)
end

local got = vim.wait(15000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
local diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  table.insert(diagnostics, { lnum = d.lnum, col = d.col, message = d.message, severity = d.severity })
end

local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = 0, character = 8 } }
local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, 10000) or {}
local hover = ''
for _, r in pairs(responses) do
  if r.result and r.result.contents then hover = r.result.contents.value or '' end
end

finish({ waited = got, client = client_id ~= nil, diagnostics = diagnostics, hover = hover })
