#!/usr/bin/env bash
# The pre-commit hooks in .pre-commit-hooks.yaml, run by the real pre-commit (`try-repo`)
# against a copy of the example app: `dash-lsp` fails with the findings, `dash-lsp-fix`
# rewrites the files and a second run passes. Installs pre-commit into a venv under target/.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
bin="$repo/target/debug"
[ -x "$bin/dash-lsp" ] || cargo build --quiet --manifest-path "$repo/Cargo.toml"

venv="$repo/target/precommit-venv"
if [ ! -x "$venv/bin/pre-commit" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check pre-commit
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$repo/examples/sales-dashboard" "$work/app"
cd "$work/app"
git init -q
git add -A
git -c user.email=ci@example.com -c user.name=ci commit -qm app
export PATH="$bin:$PATH" PRE_COMMIT_HOME="$work/cache"

fail() { echo "FAIL: $*" >&2; exit 1; }

if out="$("$venv/bin/pre-commit" try-repo "$repo" dash-lsp --all-files 2>&1)"; then
  fail "the dash-lsp hook passed on an app with problems: $out"
fi
grep -q "app.py:9:1: DL101" <<<"$out" || fail "no DL101 in: $out"
grep -q "requirements.txt:1:1: DL108" <<<"$out" || fail "no DL108 in: $out"

"$venv/bin/pre-commit" try-repo "$repo" dash-lsp-fix --all-files >/dev/null 2>&1 || true
grep -qx "server = app.server" app.py || fail "the fix hook did not add server = app.server"
grep -qi "^gunicorn" requirements.txt || fail "the fix hook did not add gunicorn"
git add -A
out="$("$venv/bin/pre-commit" try-repo "$repo" dash-lsp --all-files 2>&1)" || fail "still failing after the fix hook: $out"
echo "pre-commit hooks: ok"
