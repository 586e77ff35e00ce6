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
echo "pre-commit hooks (language: system): ok"

# The mirror (editors/pre-commit, `language: python`): pre-commit installs the hook from the
# dash-lsp wheel, with no binary on PATH. The wheel comes from target/wheels (tests/wheel.sh
# builds it), everything else pip needs from a local folder: the run is offline and cannot pick
# another `dash-lsp` from the registry.
wheel="$(ls "$repo"/target/wheels/dash_lsp-*.whl 2>/dev/null || true)"
[ -n "$wheel" ] || bash "$repo/packaging/build-wheel" >/dev/null
"$venv/bin/pip" download --quiet --disable-pip-version-check --only-binary :all: \
  -d "$work/wheels" "setuptools>=61"
mirror="$work/mirror"
cp -r "$repo/editors/pre-commit" "$mirror"
git -C "$mirror" init -q
git -C "$mirror" add -A
git -C "$mirror" -c user.email=ci@example.com -c user.name=ci commit -qm mirror
rev="$(git -C "$mirror" rev-parse HEAD)"

rm -rf "$work/app2"
cp -r "$repo/examples/sales-dashboard" "$work/app2"
cd "$work/app2"
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $mirror
    rev: $rev
    hooks:
      - id: dash-lsp
YAML
git init -q
git add -A
git -c user.email=ci@example.com -c user.name=ci commit -qm app
nobin_path="$(dirname "$(command -v git)"):/usr/bin:/bin"
run_mirror() {
  env PATH="$nobin_path" PIP_NO_INDEX=1 PIP_FIND_LINKS="$repo/target/wheels $work/wheels" \
    PRE_COMMIT_HOME="$work/cache2" "$venv/bin/pre-commit" run --all-files "$@" 2>&1
}
command -v dash-lsp >/dev/null && [ "$(PATH="$nobin_path" command -v dash-lsp || true)" != "" ] \
  && fail "a dash-lsp on the system PATH would hide what the mirror installs"
if out="$(run_mirror)"; then
  fail "the mirror's dash-lsp hook passed on an app with problems: $out"
fi
grep -q "app.py:9:1: DL101" <<<"$out" || fail "mirror hook: no DL101 in: $out"
ls "$work"/cache2/repo*/py_env-*/bin/dash-lsp >/dev/null 2>&1 \
  || fail "the mirror hook did not install dash-lsp into its virtualenv"
sed -i 's/      - id: dash-lsp$/      - id: dash-lsp-fix/' .pre-commit-config.yaml
run_mirror >/dev/null || true
grep -qx "server = app.server" app.py || fail "the mirror's fix hook did not add server = app.server"
sed -i 's/      - id: dash-lsp-fix$/      - id: dash-lsp/' .pre-commit-config.yaml
git add -A
out="$(run_mirror)" || fail "mirror hook still failing after its fix hook: $out"
echo "pre-commit mirror (language: python, from the wheel): ok"
