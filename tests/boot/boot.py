"""Proof by booting (issue 16): deploy every fixture app before and after `dash-lsp check --fix`
and compare with its boot.json. Usage: boot.py --bin DASH_LSP --pip TOOL_PIP [--write] [NAME...]

boot.json, per fixture (one app at the fixture root), or {"apps": {"<folder>": {...}}}:
  before / after_fix: "boots" | "fails" | "n/a" (not asserted; `why` says why)
  why:        what the outcome shows (the finding that explains a failure)
  not_shown:  why an error-level finding of expected.json cannot show in a boot (browser-side
              graph error, CHECKS) - the app may boot with it
  rule_bug:   a known contradiction between the boot and expected.json, left for the rules
  env:        config vars the operator sets on the platform (`dokku config:set`), e.g. a
              SECRET_KEY the app reads with os.environ[...]
"""

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import deploy

REPO = Path(__file__).resolve().parents[2]
TARGET = REPO / "target"
WHEELHOUSE = TARGET / "boot-wheelhouse"
VENVS = TARGET / "boot-venvs"
LOGS = TARGET / "boot-logs"
KEEP = ("why", "not_shown", "rule_bug", "env")


def materialize(src: Path, dst: Path) -> None:
    """A copy of the fixture; the large files of generate.json are created sparse."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("expected.json", "expected-fixed.json", "boot.json"))
    spec = src / "generate.json"
    if spec.is_file():
        for name, size in json.loads(spec.read_text()).items():
            (dst / name).parent.mkdir(parents=True, exist_ok=True)
            with open(dst / name, "wb") as f:
                f.truncate(size)


def drop_gitignored(tree: Path) -> None:
    """The platform receives a git push: files the app's .gitignore excludes are not there."""
    run = lambda *a: subprocess.run(["git", "-c", "core.excludesFile=/dev/null", *a], cwd=tree,
                                    capture_output=True, text=True, check=True).stdout
    run("init", "-q")
    for name in run("ls-files", "-z", "-o", "-i", "--exclude-standard").split("\0"):
        if name:
            (tree / name).unlink()
    shutil.rmtree(tree / ".git")


def units(tree: Path) -> list[str]:
    """The apps of a tree: each folder with a Procfile, else the root (which cannot deploy)."""
    found = sorted(str(p.parent.relative_to(tree)) for p in tree.rglob("Procfile"))
    return found or ["."]


def tree_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode() + b"\0")
            h.update(p.read_bytes() if p.stat().st_size < 1 << 20 else str(p.stat().st_size).encode())
    return h.hexdigest()


def fill_wheelhouse(reqs: list[Path], pip: Path) -> None:
    """One wheelhouse for all apps, rebuilt only when a requirement line is new. `pip wheel`
    (not download) so installs never build an sdist offline. A file that cannot resolve (a
    fixture meant to fail) is left for the offline install to report."""
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    stamp = WHEELHOUSE / "lines.json"
    done = set(json.loads(stamp.read_text())) if stamp.is_file() else set()
    todo = {}
    for req in reqs:
        lines = deploy.requirement_lines(req)
        if not lines <= done:
            todo[frozenset(lines)] = req
    for lines, req in todo.items():
        t = time.monotonic()
        r = subprocess.run([str(pip), "wheel", "--quiet", "--retries", "1", "--timeout", "30",
                            "--wheel-dir", str(WHEELHOUSE), "--find-links", str(WHEELHOUSE),
                            "-r", req.name], cwd=req.parent, env=deploy.CLEAN_ENV,
                           capture_output=True, text=True)
        status = "ok" if r.returncode == 0 else "unresolvable (expected for broken fixtures)"
        print(f"  wheelhouse <- {req}: {status} ({time.monotonic() - t:.1f} s)", flush=True)
        done |= lines
    stamp.write_text(json.dumps(sorted(done), indent=0))


def boot_unit(app: Path, pip: Path, log: Path, config: dict) -> tuple[str, str]:
    command, why = deploy.parse_procfile(app / "Procfile")
    if command is None:
        return "fails", why
    if not (app / "requirements.txt").is_file():
        return "fails", "cannot deploy: no requirements.txt"
    venv, why = deploy.make_venv(app, WHEELHOUSE, VENVS, pip)
    if venv is None:
        return "fails", why
    ok, why = deploy.boot(app, venv, command, log, config)
    return ("boots" if ok else "fails"), why


def error_findings(fixture: Path, unit: str) -> list[str]:
    """Error-level codes of expected.json in files of this app folder."""
    found = json.loads((fixture / "expected.json").read_text())
    inside = lambda f: unit == "." or f == unit or f.startswith(unit + "/")
    return sorted({d["code"] for d in found if d["severity"] == "error" and inside(d["file"])})


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--pip", required=True, type=Path)
    ap.add_argument("--write", action="store_true", help="write boot.json from what boots")
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    # The fix runs inside each copy: a relative path to the binary must not depend on the cwd.
    args.bin = str(Path(shutil.which(args.bin) or args.bin).resolve())
    start = time.monotonic()
    fixtures = sorted(p for root in (REPO / "tests/fixtures", REPO / "tests/boot/apps")
                      if root.is_dir() for p in root.iterdir() if p.is_dir())
    if args.names:
        fixtures = [f for f in fixtures if f.name in args.names]
    work = Path(tempfile.mkdtemp(prefix="dash-boot-"))
    LOGS.mkdir(parents=True, exist_ok=True)
    try:
        # 1. Trees before and after `--fix` (the fix sees the developer's checkout, gitignored
        # files included; the deploy does not).
        trees = {}
        for fx in fixtures:
            before, after = work / fx.name / "before", work / fx.name / "after"
            materialize(fx, before)
            shutil.copytree(before, after)
            subprocess.run([args.bin, "check", "--fix", "."], cwd=after, capture_output=True,
                           timeout=300)
            for tree in (before, after):
                drop_gitignored(tree)
            trees[fx] = (before, after)
        t_fix = time.monotonic()
        print(f"--- copies and --fix: {t_fix - start:.1f} s", flush=True)

        # 2. One wheelhouse for every requirements file, before and after the fix.
        reqs = sorted({t / u / "requirements.txt" for b, a in trees.values() for t in (b, a)
                       for u in units(t) if (t / u / "requirements.txt").is_file()})
        fill_wheelhouse(reqs, args.pip)
        t_wh = time.monotonic()
        print(f"--- wheelhouse: {t_wh - t_fix:.1f} s", flush=True)

        # 3. Boot every app of every tree; an app the fix left unchanged keeps its result.
        failures, rows = [], []
        for fx, (before, after) in trees.items():
            spec_path = fx / "boot.json"
            spec = json.loads(spec_path.read_text()) if spec_path.is_file() else {}
            names = sorted(set(units(before)) | set(units(after)))
            multi = names != ["."]
            observed = {}
            for u in names:
                t = time.monotonic()
                log = LOGS / (fx.name if u == "." else f"{fx.name}-{u.replace('/', '_')}")
                want = (spec.get("apps", {}).get(u, {}) if multi else spec)
                config = want.get("env", {})
                res = {"before": boot_unit(before / u, args.pip, Path(f"{log}-before.log"), config)}
                if (after / u).is_dir() and tree_hash(before / u) == tree_hash(after / u):
                    res["after_fix"] = res["before"]
                else:
                    res["after_fix"] = boot_unit(after / u, args.pip, Path(f"{log}-after.log"),
                                                 config)
                observed[u] = res
                label = fx.name if u == "." else f"{fx.name}/{u}"
                rows.append((label, res, time.monotonic() - t))
                b, a = res["before"][0], res["after_fix"][0]
                print(f"{label:40} before: {b:5} after_fix: {a:5} ({rows[-1][2]:.1f} s)"
                      f"\n    before: {res['before'][1]}\n    after:  {res['after_fix'][1]}",
                      flush=True)
                failures += check_unit(label, want, res, error_findings(fx, u))
            if args.write:
                write_spec(spec_path, spec, observed, multi)

        print(f"--- boots: {time.monotonic() - t_wh:.1f} s; total {time.monotonic() - start:.1f} s")
        for f in failures:
            print("FAIL:", f)
        print(f"boot harness: {len(rows)} apps, {len(failures)} failures")
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check_unit(label: str, want: dict, res: dict, errors: list[str]) -> list[str]:
    """Failures of one app against its boot.json and the properties of issue 16."""
    out = []
    for key in ("before", "after_fix"):
        exp = want.get(key)
        if exp is None:
            out.append(f"{label}: boot.json has no `{key}`")
        elif exp != "n/a" and exp != res[key][0]:
            out.append(f"{label}: {key} expected {exp}, got {res[key][0]} ({res[key][1]})")
    before, after = res["before"][0], res["after_fix"][0]
    if before == "boots" and after != "boots":
        out.append(f"{label}: booted before --fix, not after ({res['after_fix'][1]})")
    if errors and before == "boots" and not want.get("not_shown"):
        out.append(f"{label}: error-level {', '.join(errors)} but the app boots (boot.json"
                   " gives no `not_shown` reason)")
    if not errors and before == "fails" and want.get("before") != "n/a":
        print("    NOTE: fails to boot with no error-level finding in expected.json")
    if out and want.get("rule_bug"):
        # A contradiction already reported to the rules: visible, not failing, until fixed.
        for f in out:
            print(f"    KNOWN RULE BUG ({want['rule_bug']}): {f}")
        return []
    return out


def write_spec(path: Path, spec: dict, observed: dict, multi: bool) -> None:
    """Record what booted, keeping the hand-written reasons."""
    def entry(old: dict, res: dict) -> dict:
        new = {k: (old.get(k) if old.get(k) == "n/a" else res[k][0]) for k in ("before", "after_fix")}
        new.update({k: old[k] for k in KEEP if k in old})
        return new
    if multi:
        out = {"apps": {u: entry(spec.get("apps", {}).get(u, {}), r) for u, r in observed.items()}}
    else:
        out = entry(spec, observed["."])
    path.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
