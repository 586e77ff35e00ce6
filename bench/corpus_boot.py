"""Issue 16 on real apps: `dash-lsp check --fix` on copies of the corpus repositories converges in
one run, leaves every Python file that parsed still parsing, and stops no app that booted from
booting. Boots as tests/boot does (a venv with only what requirements.txt installs, the Procfile's
web command with $PORT, three Dash routes answer 200).

Usage: python3 bench/corpus_boot.py [--corpus /tmp/dash-corpus] [--bin target/release/dash-lsp]
       [--only NAME...]. Wheels come from PyPI, binary only (an old pin with no wheel for this
Python cannot install here: reported "cannot install", not a failure of the fix).
"""

import argparse
import ast
import json
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests/boot"))
import boot  # noqa: E402
import deploy  # noqa: E402

WHEELHOUSE = REPO / "target/corpus-wheelhouse"
VENVS = REPO / "target/corpus-venvs"
LOGS = REPO / "target/corpus-boot-logs"


def snapshot(tree: Path) -> dict:
    return {p.relative_to(tree): p.read_bytes() for p in sorted(tree.rglob("*"))
            if p.is_file() and not p.is_symlink() and p.stat().st_size < 1 << 22}


def parses(data: bytes) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(data)
        return True
    except (SyntaxError, ValueError):
        return False


def predeploy(app: Path) -> bool:
    try:
        scripts = json.loads((app / "app.json").read_text()).get("scripts", {})
    except (OSError, ValueError, AttributeError):
        return False
    return isinstance(scripts, dict) and any(
        isinstance(v, dict) and "predeploy" in v or k == "predeploy" for k, v in scripts.items())


def fill(reqs: list, pip: Path) -> dict:
    """Wheels for each requirements file; the files that cannot install here."""
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    bad = {}
    for req in reqs:
        t = time.monotonic()
        try:
            r = subprocess.run([str(pip), "wheel", "--quiet", "--only-binary", ":all:",
                                "--retries", "1", "--timeout", "30", "--wheel-dir", str(WHEELHOUSE),
                                "--find-links", str(WHEELHOUSE), "-r", req.name], cwd=req.parent,
                               env=deploy.CLEAN_ENV, capture_output=True, text=True, timeout=900)
            ok = r.returncode == 0
            why = (r.stderr.strip().splitlines() or ["?"])[-1]
        except subprocess.TimeoutExpired:
            ok, why = False, "pip wheel timed out"
        if not ok:
            bad[req] = why
        print(f"  wheels <- {req.parent.name}/{req.name}: {'ok' if ok else why[:120]} "
              f"({time.monotonic() - t:.0f} s)", flush=True)
    return bad


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=Path("/tmp/dash-corpus"))
    ap.add_argument("--bin", default=str(REPO / "target/release/dash-lsp"))
    ap.add_argument("--pip", type=Path, default=REPO / "target/boot-tool/bin/pip")
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args()
    binary = str(Path(args.bin).resolve())
    repos = sorted(p for p in args.corpus.iterdir() if p.is_dir())
    if args.only:
        repos = [r for r in repos if r.name in args.only]
    work = Path(tempfile.mkdtemp(prefix="corpus-boot-"))
    LOGS.mkdir(parents=True, exist_ok=True)
    failures, rows = [], []
    try:
        trees = {}
        for repo in repos:
            before, after = work / repo.name / "before", work / repo.name / "after"
            shutil.copytree(repo, before, symlinks=True)
            shutil.copytree(before, after, symlinks=True)
            old = snapshot(after)
            subprocess.run([binary, "check", "--fix", "."], cwd=after, capture_output=True,
                           timeout=600)
            once = snapshot(after)
            subprocess.run([binary, "check", "--fix", "."], cwd=after, capture_output=True,
                           timeout=600)
            if snapshot(after) != once:
                failures.append(f"{repo.name}: a second --fix changed files")
            changed = [p for p in once if old.get(p) != once[p]]
            for p in changed:
                if p.suffix == ".py" and p in old and parses(old[p]) and not parses(once[p]):
                    failures.append(f"{repo.name}/{p}: parsed before --fix, not after")
            print(f"{repo.name}: --fix changed {len(changed)} files", flush=True)
            for tree in (before, after):
                boot.drop_gitignored(tree)
            trees[repo.name] = (before, after)
        reqs = sorted({t / u / "requirements.txt" for b, a in trees.values() for t in (b, a)
                       for u in boot.units(t) if (t / u / "requirements.txt").is_file()})
        bad = fill(reqs, args.pip)
        boot.WHEELHOUSE, boot.VENVS = WHEELHOUSE, VENVS
        for name, (before, after) in trees.items():
            for u in sorted(set(boot.units(before)) | set(boot.units(after))):
                label = name if u == "." else f"{name}/{u}"
                res = {}
                for key, tree in (("before", before), ("after", after)):
                    app = tree / u
                    if (app / "requirements.txt") in bad:
                        res[key] = ("n/a", "cannot install here: " + bad[app / "requirements.txt"][:100])
                        continue
                    if not any(app.rglob("*.py")) and any(app.rglob("*.[Rr]")):
                        res[key] = ("n/a", "Dash for R app: not a Python deploy")
                        continue
                    if predeploy(app):
                        # Dash Enterprise installs what the predeploy script installs; this
                        # harness installs requirements.txt only.
                        res[key] = ("n/a", "app.json predeploy script: not run here")
                        continue
                    log = LOGS / f"{label.replace('/', '_')}-{key}.log"
                    res[key] = boot.boot_unit(app, args.pip, log, {})
                rows.append((label, res))
                print(f"{label:60} before: {res['before'][0]:5} after: {res['after'][0]:5}\n"
                      f"    before: {res['before'][1][:160]}\n    after:  {res['after'][1][:160]}",
                      flush=True)
                if res["before"][0] == "boots" and res["after"][0] != "boots":
                    failures.append(f"{label}: booted before --fix, not after")
        count = lambda k, v: sum(1 for _, r in rows if r[k][0] == v)
        print(f"\n{len(rows)} apps: before {count('before', 'boots')} boot, "
              f"{count('before', 'fails')} fail, {count('before', 'n/a')} n/a; "
              f"after --fix {count('after', 'boots')} boot, {count('after', 'fails')} fail, "
              f"{count('after', 'n/a')} n/a (n/a: cannot install here, Dash for R, predeploy)")
        for f in failures:
            print("FAIL:", f)
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
