#!/usr/bin/env bash
# Proof by booting (issue 16): every fixture app deployed as the platform would, before and after
# `dash-lsp check --fix`. Needs python3 with venv and the package registry (PyPI); everything
# else (a pip new enough for `--python`, the wheels) it installs under target/ and caches there.
# Arguments go to boot.py: `--write` records boot.json from what boots; fixture names select.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"

bin="${DASH_LSP:-$CARGO_TARGET_DIR/release/dash-lsp}"
if [ -z "${DASH_LSP:-}" ]; then
  cargo build --quiet --release --bin dash-lsp --manifest-path "$repo/Cargo.toml"
fi

# The pip that builds the wheelhouse and fills the app venvs from outside them (`--python`,
# pip >= 22.3), so the app venvs hold no pip or setuptools of their own.
tool="$repo/target/boot-tool"
if ! "$tool/bin/pip" --version >/dev/null 2>&1; then
  rm -rf "$tool"
  python3 -m venv "$tool"
  env -u PIP_FIND_LINKS "$tool/bin/pip" install --quiet --disable-pip-version-check -U "pip>=24"
fi

exec python3 "$repo/tests/boot/boot.py" --bin "$bin" --pip "$tool/bin/pip" "$@"
