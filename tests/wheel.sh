#!/usr/bin/env bash
# Issue 19: the wheel. Builds it (packaging/build-wheel), installs it into a fresh venv and runs
# what a pip user runs: `dash-lsp check` on the example app (the expected findings, from that
# install), `python -m dash_lsp`, and the server answering `initialize` on stdio.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
bash "$repo/packaging/build-wheel" >/dev/null
wheel="$(ls "$repo"/target/wheels/dash_lsp-*.whl)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"
bin="$work/venv/bin/dash-lsp"
[ -x "$bin" ] || fail "the wheel installed no dash-lsp script"

cd "$repo"
set +e
out="$("$bin" check examples/sales-dashboard)"; status=$?
set -e
[ "$status" -eq 1 ] || fail "expected exit 1 on the example app, got $status: $out"
expected='examples/sales-dashboard/Procfile:1:6: DL114 [*] gunicorn runs a single worker by default: one slow callback blocks every user; set `--workers`
examples/sales-dashboard/app.py:9:1: DL101 [*] `server` is not defined in app.py: the Procfile'"'"'s gunicorn target `app:server` needs it; add `server = app.server`
examples/sales-dashboard/requirements.txt:1:1: DL108 [*] gunicorn is not listed in requirements.txt: the Procfile'"'"'s `web: gunicorn ...` fails with "command not found"
Found 3 problems (2 errors, 0 warnings, 1 info).
[*] 3 fixable with `dash-lsp check --fix`.'
[ "$out" = "$expected" ] || fail "unexpected output from the installed wheel:
$out"

out="$("$work/venv/bin/python" -m dash_lsp --version)"
[ "$out" = "$("$repo/target/release/dash-lsp" --version)" ] || fail "python -m dash_lsp --version: $out"
BIN="$bin" "$work/venv/bin/python" -c 'import dash_lsp, os; assert os.path.samefile(dash_lsp.find_dash_lsp_bin(), os.environ["BIN"])' \
  || fail "find_dash_lsp_bin() does not find the installed binary"

# The server: initialize, shutdown, exit over stdio, started as editors start it.
"$work/venv/bin/python" - "$work/venv/bin/python" <<'PY' || fail "the server from the wheel did not answer"
import json, subprocess, sys
proc = subprocess.Popen([sys.argv[1], "-m", "dash_lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
def send(msg):
    body = json.dumps(msg).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body)); proc.stdin.flush()
def recv():
    length = 0
    while (line := proc.stdout.readline().strip()):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(proc.stdout.read(length))
send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}})
while "id" not in (reply := recv()):
    pass
assert reply["result"]["serverInfo"]["name"] == "dash-lsp", reply
send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
while recv().get("id") != 2:
    pass
send({"jsonrpc": "2.0", "method": "exit"})
assert proc.wait(timeout=10) == 0
PY
# The README's GitHub Actions example: its `run:` steps, in order, on a copy of the example app,
# with `pip install` served by the wheel (offline).
mkdir "$work/ci-app" && cp -r examples/sales-dashboard/. "$work/ci-app/"
python3 - "$repo/README.md" > "$work/steps" <<'PY'
import sys
text = open(sys.argv[1]).read()
block = text.split("<!-- ci-example -->", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
for line in block.splitlines():
    line = line.strip()
    if line.startswith("- run: "):
        print(line[len("- run: "):])
PY
[ "$(wc -l < "$work/steps")" -ge 3 ] || fail "no run: steps found in the README's CI example"
n=0
while IFS= read -r step; do
  n=$((n + 1))
  set +e
  (cd "$work/ci-app" && env PATH="$work/venv/bin:$PATH" PIP_NO_INDEX=1 PIP_FIND_LINKS="$repo/target/wheels" \
     bash -c "$step" > "$work/step-$n.out" 2>&1)
  echo $? > "$work/step-$n.rc"
  set -e
done < "$work/steps"
[ "$(cat "$work/step-1.rc")" = 0 ] || fail "README step 1 ($(sed -n 1p "$work/steps")): $(cat "$work/step-1.out")"
grep -q '^::error file=app.py,line=9' "$work/step-2.out" || fail "README step 2 printed no annotation: $(cat "$work/step-2.out")"
[ "$(cat "$work/step-2.rc")" = 1 ] || fail "README step 2 should fail the job on the example app"
[ "$(cat "$work/step-3.rc")" = 0 ] || fail "README step 3 failed: $(cat "$work/step-3.out")"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]["results"]; assert {x["ruleId"] for x in r} == {"DL101","DL108","DL114"}, r' \
  "$work/ci-app/dash-lsp.sarif" || fail "README step 3 wrote no SARIF with the example's findings"

echo "wheel: ok ($(basename "$wheel"))"
