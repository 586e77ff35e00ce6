#!/usr/bin/env python3
"""Runs dash-lsp over a folder of real apps and compares its errors with hand-read verdicts.

    python3 bench/corpus.py [--corpus DIR] [--verdicts FILE] [--binary PATH] [--json OUT]

DIR defaults to $DASH_CORPUS, else $TMPDIR/dash-corpus (the 15 public repositories of
../shared/corpus/REPOS.md, fetched and extracted as its README says; they are other people's
code and never enter this repository). FILE defaults to bench/corpus-verdicts.txt, one line per
error-level finding read by hand:

    <path relative to DIR>:<line>:<code> TP|FP|DEBATABLE|ARTIFACT <reason>

It prints the count per rule and severity, every error-level finding with its verdict, the
precision of the errors by rule, and what is new (no verdict yet: read it, then add a line) or
gone (a verdict whose finding is no longer reported). Exit 1 when an error has no verdict or
one is judged FP, so a change that adds a false error does not pass unnoticed.
"""

import argparse
import collections
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ARTIFACT: the finding is about a file that the repository has but the snapshot lacks (blobs
# over 4 MB are not fetched): neither true nor false, left out of the precision.
LABELS = ("TP", "FP", "DEBATABLE", "ARTIFACT")


def read_verdicts(path):
    verdicts = {}
    if not path or not Path(path).is_file():
        return verdicts
    for number, line in enumerate(Path(path).read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, rest = line.partition(" ")
        label, _, reason = rest.strip().partition(" ")
        if label not in LABELS or key.count(":") < 2:
            sys.exit(f"{path}:{number}: expected `path:line:code TP|FP|DEBATABLE|ARTIFACT reason`")
        verdicts[key] = (label, reason.strip())
    return verdicts


def run(binary, corpus):
    out = subprocess.run(
        [str(binary), "check", "--no-cache", "--format", "json", "."],
        cwd=corpus,
        capture_output=True,
        text=True,
    )
    if out.returncode not in (0, 1):
        sys.exit(f"dash-lsp exited {out.returncode}: {out.stderr.strip()}")
    return json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_corpus = os.environ.get("DASH_CORPUS") or str(
        Path(os.environ.get("TMPDIR", "/tmp")) / "dash-corpus"
    )
    parser.add_argument("--corpus", default=default_corpus)
    parser.add_argument("--verdicts", default=str(ROOT / "bench" / "corpus-verdicts.txt"))
    parser.add_argument("--binary", default=str(ROOT / "target" / "release" / "dash-lsp"))
    parser.add_argument("--json", help="also write the raw findings here")
    args = parser.parse_args()

    corpus = Path(args.corpus)
    if not corpus.is_dir():
        sys.exit(f"no corpus at {corpus}: see ../shared/corpus/README.md (or set DASH_CORPUS)")
    findings = run(args.binary, corpus)
    if args.json:
        Path(args.json).write_text(json.dumps(findings, indent=1))
    verdicts = read_verdicts(args.verdicts)

    counts = collections.Counter((f["code"], f["severity"]) for f in findings)
    print(f"{len(findings)} findings in {corpus}")
    for (code, severity), n in sorted(counts.items()):
        print(f"  {code} {severity:<8} {n}")

    errors = [f for f in findings if f["severity"] == "error"]
    seen = set()
    by_rule = collections.defaultdict(collections.Counter)
    unjudged, false = [], []
    print(f"\n{len(errors)} errors:")
    for f in errors:
        key = f"{f['file']}:{f['range']['start']['line']}:{f['code']}"
        seen.add(key)
        label, reason = verdicts.get(key, ("NEW", ""))
        by_rule[f["code"]][label] += 1
        if label == "NEW":
            unjudged.append(key)
        elif label == "FP":
            false.append(key)
        print(f"  {key} {label} {f['message']}" + (f"  [{reason}]" if reason else ""))

    print("\nerror precision by rule (TP / judged):")
    for code, c in sorted(by_rule.items()):
        judged = c["TP"] + c["FP"] + c["DEBATABLE"]
        share = f"{100 * c['TP'] / judged:.0f}%" if judged else "-"
        extra = ", ".join(f"{k} {v}" for k, v in sorted(c.items()) if k != "TP")
        print(f"  {code}: {c['TP']}/{judged} {share}" + (f" ({extra})" if extra else ""))
    gone = sorted(k for k in verdicts if k not in seen)
    if gone:
        print(f"\n{len(gone)} verdicts whose finding is gone:")
        for k in gone:
            print(f"  {k} {verdicts[k][0]} {verdicts[k][1]}")
    if unjudged:
        print(f"\n{len(unjudged)} errors without a verdict: read each, then add it to {args.verdicts}")
    if false:
        print(f"\n{len(false)} errors judged false (FP)")
    return 1 if unjudged or false else 0


if __name__ == "__main__":
    sys.exit(main())
