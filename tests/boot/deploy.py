"""Deploy one app folder as the platform (Dokku, Python buildpack) would, and boot it.

Only what the app's requirements.txt installs is importable: each app gets its own venv made
`--without-pip` (a 3.11 venv would otherwise carry pip and setuptools, which the platform's slug
does not promise), filled by an outside pip from a local wheelhouse.
"""

import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROUTES = ("/", "/_dash-layout", "/_dash-dependencies")
LISTEN_TIMEOUT = 20.0
REQUEST_TIMEOUT = 30.0

# The developer's pip settings must not leak into a deploy (e.g. PIP_FIND_LINKS pointing at a
# local folder): the platform sees only the package registry.
CLEAN_ENV = {k: v for k, v in os.environ.items()
             if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV", "CONDA"))}
for k in ("PIP_CERT", "PIP_DEFAULT_TIMEOUT"):  # network settings only
    if k in os.environ:
        CLEAN_ENV[k] = os.environ[k]
CLEAN_ENV["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"


def requirement_files(req: Path, seen=None) -> list[Path]:
    """requirements.txt and the files its `-r`/`-c` lines include (pip resolves them relative
    to the including file)."""
    seen = seen if seen is not None else []
    if req in seen or not req.is_file():
        return seen
    seen.append(req)
    for line in req.read_text(errors="replace").splitlines():
        m = re.match(r"\s*(?:-r|-c|--requirement|--constraint)[=\s]\s*(\S+)", line)
        if m:
            requirement_files((req.parent / m.group(1)).resolve(), seen)
    return seen


def requirement_lines(req: Path) -> set[str]:
    lines = set()
    for f in requirement_files(req):
        for line in f.read_text(errors="replace").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                lines.add(line)
    return lines


def parse_procfile(path: Path) -> tuple[str | None, str]:
    """The `web` command, or None and why Dokku would refuse the deploy."""
    if not path.is_file():
        return None, "cannot deploy: no Procfile"
    seen, web = set(), None
    for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        s = line.strip()
        if not s or s.startswith(("#", "//")):
            continue
        m = re.match(r"^([A-Za-z0-9_-]{1,63}):\s*(.*)$", s)
        # RULES.md DL103: Dokku rejects malformed lines, duplicated types and empty commands.
        if not m or not m.group(2).strip():
            return None, f"cannot deploy: Procfile line {n} is malformed"
        if m.group(1) in seen:
            return None, f"cannot deploy: process type `{m.group(1)}` repeated"
        seen.add(m.group(1))
        if m.group(1) == "web":
            # Dokku cuts a command at ` #` (the rest is a comment).
            web = m.group(2).split(" #", 1)[0].strip()
    if web is None:
        return None, "cannot deploy: no web process"
    return web, ""


def venv_key(app: Path, wheelhouse: Path) -> str:
    """Same requirements, same wheels, same Python: the same venv."""
    h = hashlib.sha256(sys.version.encode())
    for f in requirement_files((app / "requirements.txt").resolve()):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    h.update("\n".join(sorted(p.name for p in wheelhouse.glob("*.whl"))).encode())
    return h.hexdigest()[:16]


def make_venv(app: Path, wheelhouse: Path, venvs: Path, pip: Path) -> tuple[Path | None, str]:
    """A cached venv with exactly the app's requirements, or None and pip's complaint."""
    venv = venvs / venv_key(app, wheelhouse)
    stamp = venv / "boot-stamp"
    if stamp.is_file():  # failures are cached too: the inputs are the same
        status = stamp.read_text()
        return (venv, "") if status == "ok" else (None, status)
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    r = subprocess.run(
        [str(pip), "--python", str(venv / "bin/python"), "install", "--quiet", "--no-index",
         "--find-links", str(wheelhouse), "-r", "requirements.txt"],
        cwd=app, env=CLEAN_ENV, capture_output=True, text=True)
    if r.returncode == 0:
        stamp.write_text("ok")
        return venv, ""
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    why = "pip install failed: " + (lines[-1].strip() if lines else f"exit {r.returncode}")
    why = why.replace(f"{app}/", "")  # the copy's temporary path differs every run
    stamp.write_text(why)
    return None, why


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def get(port: int, route: str, proc: subprocess.Popen, deadline: float) -> int:
    """The route's status; retried while the server is alive (gunicorn's master listens before
    its workers have imported the app), 0 when it died or never answered."""
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{route}", timeout=3) as resp:
                return resp.status
        except urllib.error.HTTPError as e:
            return e.code
        except OSError:  # reset, refused, timeout: not serving yet, or never
            time.sleep(0.3)
    return 0


def last_error(log: Path) -> str:
    """The line of the log that says why: the app's exception, not gunicorn's HaltServer that
    follows it; else the last line that is not a timestamped server message."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", log.read_text(errors="replace"))  # colour codes
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    raised = [l for l in lines if re.match(r"^[\w.]*(Error|Exception|Invalid)\b", l)
              and "HaltServer" not in l]
    said = [l for l in lines if not l.startswith(("[", "File ", "^", "Traceback"))
            and "HaltServer" not in l]
    return (raised or said or lines or ["(empty log)"])[-1][:200]


def boot(app: Path, venv: Path, command: str, log: Path, config: dict) -> tuple[bool, str]:
    """Run the web command as the platform does (bash, $PORT, the config vars the operator set,
    the venv's bin first on PATH) and GET the three routes the Dash front end needs to render."""
    port = free_port()
    env = dict(CLEAN_ENV, **config, PORT=str(port), VIRTUAL_ENV=str(venv),
               PATH=f"{venv / 'bin'}:{CLEAN_ENV.get('PATH', '/usr/bin:/bin')}")
    with open(log, "w") as out:
        proc = subprocess.Popen(["bash", "-c", command], cwd=app, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + LISTEN_TIMEOUT
        while not listening(port):
            if proc.poll() is not None:
                return False, f"exited ({proc.returncode}) before listening on $PORT; log: {last_error(log)}"
            if time.monotonic() > deadline:
                return False, f"not listening on $PORT after {LISTEN_TIMEOUT:.0f} s; log: {last_error(log)}"
            time.sleep(0.2)
        deadline = time.monotonic() + REQUEST_TIMEOUT
        codes = [get(port, r, proc, deadline) for r in ROUTES]
        if all(c == 200 for c in codes):
            return True, "booted"
        said = " ".join(f"{r}={c or 'no answer'}" for r, c in zip(ROUTES, codes))
        return False, f"HTTP {said}; log: {last_error(log)}"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
