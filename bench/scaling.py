#!/usr/bin/env python3
"""Size-scaling table: wall time and peak RSS of the release binary on inputs of size n, 2n,
4n, 8n, with the growth ratio per doubling (about 2 = linear, about 4 = quadratic).

    bash bench/run scaling            (or: python3 bench/scaling.py [--bin PATH] [--quick])

Each shape is generated into a temporary folder; the CLI shapes run `dash-lsp check`, the
`edit-burst` shape drives the language server over stdio (a burst of didChange edits, then
the time until the diagnostics of the last version arrive). Peak RSS is the child's own
(`os.wait4`), so runs do not mask one another. A run that passes the timeout is shown as such
and its larger sizes are skipped.
"""
import argparse
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

APP = "import dash\napp = dash.Dash(__name__)\nserver = app.server\n"
TIMEOUT = 60.0


def write(path, text, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(text)


def base_app(d, app=APP):
    write(f"{d}/app.py", app)
    write(f"{d}/Procfile", "web: gunicorn app:server --workers 2\n")
    write(f"{d}/requirements.txt", "dash\ngunicorn\n")


# Each generator builds an app of size `n` in folder `d`.
def deep_nesting(d, n):
    # n towers of 95 nested blocks, each with a string at the bottom (issue 17 #1): as deep as
    # Python allows (100 levels; deeper files are refused before tree-sitter, DL003), so the
    # cost of depth is measured against the size of the file.
    tower = "".join(" " * i + "if x:\n" for i in range(95)) + " " * 95 + "s = 'deep'\n"
    base_app(d, APP + "x = 1\n" + tower * n)


def beyond_limit(d, n):
    # One tower n levels deep (over Python's 100): refused by a line scan, never parsed.
    body = "".join(" " * i + "if x:\n" for i in range(n)) + " " * n + "s = 'deep'\n"
    base_app(d, APP + "x = 1\n" + body)


def dense_literal(d, n):
    # A data module of n*1000 small numbers in one list (memory per byte; issue 17 #11).
    write(f"{d}/data.py", "DATA = [" + ",".join(str(i % 10) for i in range(n * 1000)) + "]\n")
    base_app(d, APP + "import data\n")


def many_modules(d, n):
    # n modules, each importing the next: all served (issue 17 #6).
    base_app(d, APP + "import lib.m0\n")
    write(f"{d}/lib/__init__.py", "")
    for i in range(n):
        write(f"{d}/lib/m{i}.py", f"import lib.m{(i + 1) % n}\nfrom app import app\nX = {i}\n")


def many_findings(d, n):
    # n duplicate requirement lines (n DL113 findings) under 50 exclude globs (issue 17 #8),
    # and n unused suppressions (n DL001 fixes to verify; issue 17 #7).
    base_app(d, APP + "x = 1  # noqa: DL101\n" * n)
    write(f"{d}/requirements.txt", "dash\ngunicorn\n" + "dash\n" * n)
    globs = ", ".join(f'"folder{i}/**/*.{{py,txt}}"' for i in range(50))
    write(f"{d}/dash-lsp.toml", f"exclude = [{globs}]\n")


SHAPES = [
    # name, generator, base size, unit
    ("deep-nesting", deep_nesting, 10, "towers of 95 levels"),
    ("beyond-limit", beyond_limit, 1000, "levels"),
    ("dense-literal", dense_literal, 250, "k items"),
    ("many-modules", many_modules, 1000, "modules"),
    ("many-findings", many_findings, 1000, "findings"),
]


def run_cli(binary, folder):
    """Wall seconds, peak RSS in MB and exit status of `check` on folder. Measured by
    /usr/bin/time: a child forked from this (large) Python process would report Python's
    pages in its ru_maxrss."""
    out = tempfile.NamedTemporaryFile(prefix="dash-lsp-time-", delete=False)
    out.close()
    start = time.monotonic()
    try:
        p = subprocess.run(["/usr/bin/time", "-o", out.name, "-f", "%e %M %x", binary, "check",
                            "--no-cache", folder, "--format", "json"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=TIMEOUT)
        wall, rss, code = open(out.name).read().split()[-3:]
        rss_mb = int(rss) / 1024
        code = int(code)
        # A signal: time(1) reports exit 0 and says so on an earlier line.
        if "signal" in open(out.name).read():
            return None, rss_mb, "killed: " + open(out.name).read().split("\n")[0].strip()
        return float(wall), rss_mb, ("ok" if code in (0, 1) else f"exit {code}")
    except subprocess.TimeoutExpired:
        return None, 0.0, "timeout"
    finally:
        os.unlink(out.name)


def vm_hwm_mb(pid):
    """The peak RSS of a running process (its VmHWM)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Server:
    """Just enough JSON-RPC over stdio to open a document, edit it and wait for diagnostics."""

    def __init__(self, binary, root):
        self.p = subprocess.Popen([binary], cwd=root, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.buf = bytearray()
        self.id = 0

    def send(self, obj):
        body = json.dumps(obj).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params):
        self.id += 1
        self.send({"jsonrpc": "2.0", "id": self.id, "method": method, "params": params})
        return self.id

    def read(self, deadline):
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                length = 0
                for line in bytes(self.buf[:end]).split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                if len(self.buf) >= end + 4 + length:
                    body = bytes(self.buf[end + 4:end + 4 + length])
                    del self.buf[:end + 4 + length]
                    return json.loads(body)
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.p.stdout], [], [], left)[0]:
                return None
            chunk = os.read(self.p.stdout.fileno(), 1 << 20)
            if not chunk:
                return None
            self.buf += chunk

    def wait_for(self, pred, deadline):
        while True:
            m = self.read(deadline)
            if m is None or pred(m):
                return m


def run_edit_burst(binary, n):
    """n single-line didChange edits sent at once to an open 1,800-line app.py (issue 17 #9):
    seconds until the diagnostics of the last version are published, and the server's peak
    RSS."""
    d = tempfile.mkdtemp(prefix="dash-lsp-scaling-")
    try:
        text = APP + "".join(f"v{i} = {i}\n" for i in range(1800))
        base_app(d, text)
        uri = "file://" + d + "/app.py"
        s = Server(binary, d)
        deadline = time.monotonic() + TIMEOUT
        rid = s.request("initialize", {"processId": os.getpid(), "rootUri": "file://" + d,
                                       "capabilities": {}})
        s.wait_for(lambda m: m.get("id") == rid, deadline)
        s.notify("initialized", {})
        s.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": text}})
        s.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                   and m["params"]["uri"] == uri, deadline)
        start = time.monotonic()
        line = text.count("\n")
        for i in range(n):
            s.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": i + 2},
                "contentChanges": [{"range": {"start": {"line": line, "character": 0},
                                              "end": {"line": line, "character": 0}},
                                    "text": f"x{i} = {i}\n"}]})
            line += 1
        last = n + 1
        got = s.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                         and m["params"]["uri"] == uri
                         and m["params"].get("version") == last, start + TIMEOUT)
        wall = time.monotonic() - start
        rss = vm_hwm_mb(s.p.pid)
        s.p.kill()
        s.p.wait()
        if got is None:
            return None, rss, "timeout"
        return wall, rss, "ok"
    finally:
        shutil.rmtree(d, ignore_errors=True)


def table(rows):
    out = ["| shape | size | wall s | ×/doubling | peak RSS MB | ×/doubling | status |",
           "|---|---|---|---|---|---|---|"]
    prev = {}
    for shape, size, wall, rss, status in rows:
        pw, pr = prev.get(shape, (None, None))
        ratio_w = f"{wall / pw:.1f}" if wall and pw else ""
        ratio_r = f"{rss / pr:.1f}" if rss and pr and wall is not None else ""
        if wall is not None:
            w = f"{wall:.2f}"
        else:
            w = f">{TIMEOUT:.0f}" if status == "timeout" else "-"
        out.append(f"| {shape} | {size} | {w} | {ratio_w} | {rss:.0f} | {ratio_r} | {status} |")
        prev[shape] = (wall, rss)
    return "\n".join(out)


def main():
    global TIMEOUT
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/dash-lsp")
    ap.add_argument("--quick", action="store_true", help="sizes n and 2n only")
    ap.add_argument("--timeout", type=float, default=TIMEOUT)
    ap.add_argument("--only", help="one shape")
    args = ap.parse_args()
    TIMEOUT = args.timeout
    binary = os.path.abspath(args.bin)
    factors = [1, 2] if args.quick else [1, 2, 4, 8]
    rows = []
    shapes = SHAPES + [("edit-burst", None, 125, "edits")]
    for name, gen, base, unit in shapes:
        if args.only and name != args.only:
            continue
        for f in factors:
            n = base * f
            if gen is None:
                wall, rss, status = run_edit_burst(binary, n)
            else:
                d = tempfile.mkdtemp(prefix="dash-lsp-scaling-")
                try:
                    gen(d, n)
                    wall, rss, status = run_cli(binary, d)
                finally:
                    shutil.rmtree(d, ignore_errors=True)
            rows.append((name, f"{n} {unit}", wall, rss, status))
            print(f"{name:14} {n:>6} {unit:9} {status:8} "
                  f"{(wall if wall is not None else float('nan')):8.2f} s {rss:8.0f} MB",
                  file=sys.stderr, flush=True)
            if wall is None:
                break
    print(table(rows))


if __name__ == "__main__":
    main()
