#!/usr/bin/env bash
# Builds the platform-specific .vsix with the release dash-lsp binary inside:
# editors/vscode/dash-lsp-<platform>.vsix. Fails on any vsce warning.
# DASH_LSP_NO_BUNDLE=1: the universal .vsix without a binary (editors/vscode/dash-lsp-nobinary.vsix),
# which runs the dash-lsp of the workspace's venv or PATH (the e2e test's venv scenario).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(cd ../.. && pwd)"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target=linux-x64 ;;
  Linux-aarch64) target=linux-arm64 ;;
  Darwin-arm64) target=darwin-arm64 ;;
  Darwin-x86_64) target=darwin-x64 ;;
  *) echo "package.sh: unsupported platform $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

if [ -n "${DASH_LSP_NO_BUNDLE:-}" ]; then
  rm -rf bin
else
  # DASH_LSP_BINARY: an already built binary (CI builds it once); otherwise build it here.
  binary="${DASH_LSP_BINARY:-}"
  if [ -z "$binary" ]; then
    cargo build --release --manifest-path "$repo/Cargo.toml" -p dash-lsp
    binary="$repo/target/release/dash-lsp"
  fi
  mkdir -p bin
  cp "$binary" bin/dash-lsp
  chmod +x bin/dash-lsp
fi

rm -rf dist
npx tsc -p . --noEmit
NODE_ENV=production node scripts/build.mjs

out="dash-lsp-$target.vsix"
target_args=(--target "$target")
if [ -n "${DASH_LSP_NO_BUNDLE:-}" ]; then
  out="dash-lsp-nobinary.vsix"
  target_args=()
fi
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# --no-dependencies: esbuild already bundled vscode-languageclient into dist/extension.js.
npx vsce package --no-dependencies "${target_args[@]}" --out "$out" 2>&1 | tee "$log"
if grep -qi "warning" "$log"; then
  echo "package.sh: vsce printed a warning (see above)" >&2
  exit 1
fi
echo "package.sh: built $(pwd)/$out"
