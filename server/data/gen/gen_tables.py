"""Regenerates ../import_map.tsv and ../dependencies.tsv from PyPI's metadata.

For each distribution of seeds.txt and, transitively, of its unconditional dependencies:
- the JSON API (https://pypi.org/pypi/<name>/json) gives the latest release's Requires-Dist
  and its files;
- the file names of one wheel (read from the zip's central directory with HTTP Range
  requests, so a 500 MB wheel costs two small requests) give the top-level import names:
  packages (a folder with `__init__.py`), modules (`x.py`, `x.*.so`), and for namespace
  folders (no `__init__.py`, e.g. `google/cloud/`) the dotted name of the first real package.

Rows whose import name differs from the normalised distribution name go to import_map.tsv;
dependencies.tsv gets, per distribution, the transitive closure (markers evaluated for
CPython 3.11 on Linux) of what installing it brings: import names and distribution names.
`dist[extra]` rows give what an extra adds. Hand rows (hand_import_map.tsv,
hand_dependencies.tsv) are kept where the metadata cannot give them.

Needs `packaging` (marker evaluation): see README.md. Downloads are cached under
target/pypi-cache (a rerun asks nothing already cached; --refresh re-asks the JSON).
Output order is deterministic (sorted). A failure per distribution is logged and skipped.
"""

import argparse
import concurrent.futures
import json
import os
import re
import struct
import sys
import threading
import time
import urllib.error
import urllib.request
import zlib
from urllib.parse import urljoin
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement

HERE = Path(__file__).resolve().parent
DATA = HERE.parent
REPO = DATA.parent.parent
UA = "dash-lsp table generator (contact: see repository)"

# CPython 3.11 on x86_64 Linux: what a Linux deploy (Heroku, Render, Docker) installs.
ENV = {
    "implementation_name": "cpython",
    "implementation_version": "3.11.9",
    "os_name": "posix",
    "platform_machine": "x86_64",
    "platform_release": "6.1.0",
    "platform_system": "Linux",
    "platform_version": "",
    "python_full_version": "3.11.9",
    "platform_python_implementation": "CPython",
    "python_version": "3.11",
    "sys_platform": "linux",
}

# Folder names wheels wrongly install at top level: never an import to map.
JUNK = {
    "test", "tests", "testing", "doc", "docs", "example", "examples", "benchmark",
    "benchmarks", "scripts", "script", "src", "build", "bin", "lib", "share", "include",
    "data", "__pycache__", "tools", "util", "utils", "conftest", "setup", "main", "demo",
    "samples", "tutorials", "contrib", "etc", "man", "newsfragments", "certs", "testfunctions",
}

# Top-level folders shared by unrelated distributions (pkgutil-style namespaces with an
# `__init__.py`): always mapped by their dotted subpackages.
NAMESPACES = {
    "backports", "nvidia", "google", "azure", "jaraco", "zope", "sphinxcontrib", "keyrings",
    "ruamel", "paste", "repoze", "cuda", "nccl", "opentelemetry", "llama_index", "airflow",
}

# Extras for development of the distribution itself: never what a deployed app lists.
DEV_EXTRA = re.compile(
    r"^(tests?|testing|dev|develop|development|docs?|documentation|lint|linting|typ(e|ing)|mypy|"
    r"ci|check|style|format|bench(mark)?s?|build|release|coverage|qa|publish|all-dev|test-.*|dev-.*)$"
)

log_lock = threading.Lock()


def log(msg):
    with log_lock:
        print(msg, file=sys.stderr)


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


class Fetcher:
    def __init__(self, cache, delay, refresh):
        self.cache = cache
        self.delay = delay
        self.refresh = refresh
        self.lock = threading.Lock()
        self.last = 0.0
        self.requests = 0

    def _wait(self):
        # Politeness: at most one request start per `delay` seconds across all threads.
        with self.lock:
            now = time.monotonic()
            start = max(now, self.last + self.delay)
            self.last = start
            self.requests += 1
        time.sleep(max(0.0, start - now))

    def get(self, url, headers=None):
        for attempt in range(3):
            self._wait()
            req = urllib.request.Request(url, headers={"User-Agent": UA, **(headers or {})})
            try:
                with urllib.request.urlopen(req, timeout=60) as resp:
                    return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
            except urllib.error.HTTPError as e:
                if e.code in (404, 410):
                    raise
                err = e
            except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
                err = e
            time.sleep(2 * (attempt + 1))
        raise err

    def project(self, name):
        url = f"https://pypi.org/pypi/{norm(name)}/json"
        path = self.cache / "json" / f"{norm(name)}.json"
        missing = self.cache / "json" / f"{norm(name)}.404"
        if path.exists() and not self.refresh:
            return json.loads(path.read_text())
        if missing.exists() and not self.refresh:
            raise LookupError("not on PyPI (cached answer)")
        try:
            _, _, body = self.get(url)
        except urllib.error.HTTPError as e:
            if e.code == 404:
                missing.parent.mkdir(parents=True, exist_ok=True)
                missing.touch()
            raise
        data = json.loads(body)
        # Keep only what the generator reads: the cache stays small.
        slim = {
            "name": data["info"]["name"],
            "version": data["info"]["version"],
            "requires_dist": data["info"].get("requires_dist") or [],
            "urls": [
                # A mirror may answer with file URLs relative to the JSON's.
                {"filename": u["filename"], "url": urljoin(url, u["url"]), "size": u.get("size", 0)}
                for u in data.get("urls", [])
                if u.get("packagetype") == "bdist_wheel"
            ],
            # Older releases' wheels, for the `name==version` seeds (their Requires-Dist is
            # read from the wheel's METADATA: the JSON gives only the latest's).
            "releases": {
                v: [
                    {"filename": u["filename"], "url": urljoin(url, u["url"]), "size": u.get("size", 0)}
                    for u in files
                    if u.get("packagetype") == "bdist_wheel"
                ]
                for v, files in data.get("releases", {}).items()
            },
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(slim, sort_keys=True))
        return slim

    def wheel_names(self, wheel):
        path = self.cache / "wheels" / (wheel["filename"] + ".names")
        if path.exists():
            return path.read_text().split("\n")
        entries = self._central_directory(wheel["url"], wheel.get("size") or 0)
        names = [e[0] for e in entries]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(names))
        return names

    def wheel_requires(self, wheel):
        """Requires-Dist lines of a wheel's METADATA (one more Range request)."""
        path = self.cache / "wheels" / (wheel["filename"] + ".requires")
        if path.exists():
            return [l for l in path.read_text().split("\n") if l]
        entries = self._central_directory(wheel["url"], wheel.get("size") or 0)
        meta = [e for e in entries if re.fullmatch(r"[^/]+\.dist-info/METADATA", e[0])]
        if not meta:
            raise RuntimeError("no METADATA")
        name, method, csize, off = meta[0]
        raw = self._range(wheel["url"], off, off + 30 + len(name.encode()) + 1024 + csize)
        n, m = struct.unpack("<HH", raw[26:30])
        body = raw[30 + n + m : 30 + n + m + csize]
        text = (zlib.decompress(body, -15) if method == 8 else body).decode("utf-8", "replace")
        head = text.split("\n\n", 1)[0]
        reqs = [l[len("Requires-Dist:") :].strip() for l in head.splitlines() if l.startswith("Requires-Dist:")]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(reqs))
        return reqs

    def _range(self, url, start, end):
        status, headers, body = self.get(url, {"Range": f"bytes={start}-{end}"})
        if status != 206:
            raise RuntimeError("server ignored the Range request")
        return body

    def _central_directory(self, url, size):
        tail_len = min(size, 65536) if size else 65536
        status, headers, tail = self.get(url, {"Range": f"bytes=-{tail_len}"})
        if status != 206:
            raise RuntimeError("server ignored the Range request")
        total = int(headers["content-range"].rsplit("/", 1)[1])
        tail_start = total - len(tail)
        eocd = tail.rfind(b"PK\x05\x06")
        if eocd < 0:
            raise RuntimeError("no end of central directory")
        cd_size, cd_off = struct.unpack("<II", tail[eocd + 12 : eocd + 20])
        if cd_off == 0xFFFFFFFF or cd_size == 0xFFFFFFFF:
            loc = tail.rfind(b"PK\x06\x07", 0, eocd)
            z64 = struct.unpack("<Q", tail[loc + 8 : loc + 16])[0]
            if z64 >= tail_start:
                rec = tail[z64 - tail_start :]
            else:
                rec = self._range(url, z64, z64 + 55)
            cd_size, cd_off = struct.unpack("<QQ", rec[40:56])
        if cd_off >= tail_start:
            cd = tail[cd_off - tail_start : cd_off - tail_start + cd_size]
        else:
            cd = self._range(url, cd_off, cd_off + cd_size - 1)
        names, i = [], 0
        while i + 46 <= len(cd) and cd[i : i + 4] == b"PK\x01\x02":
            method = struct.unpack("<H", cd[i + 10 : i + 12])[0]
            csize = struct.unpack("<I", cd[i + 20 : i + 24])[0]
            n, m, k = struct.unpack("<HHH", cd[i + 28 : i + 34])
            off = struct.unpack("<I", cd[i + 42 : i + 46])[0]
            name = cd[i + 46 : i + 46 + n].decode("utf-8", "replace")
            names.append((name, method, csize, off))
            i += 46 + n + m + k
        return names


def pick_wheel(urls):
    """A wheel CPython 3.11 on x86_64 Linux would install, else any wheel (same packages)."""

    def score(u):
        f = u["filename"]
        tags = f[:-4].split("-")[-3:]
        py, abi, plat = tags if len(tags) == 3 else ("", "", "")
        s = 0
        if plat == "any":
            s += 4
        elif "manylinux" in plat and "x86_64" in plat:
            s += 3
        elif "linux" in plat:
            s += 1
        if "cp311" in py or py.startswith("py3") or "abi3" in abi:
            s += 2
        return (-s, f)

    return min(urls, key=score) if urls else None


MODULE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(\.[A-Za-z0-9_.-]+)?\.(py|so|pyd)$")
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def import_names(files):
    """Top-level import names of a wheel's file list; dotted names for namespace folders."""
    paths = []
    for f in files:
        parts = f.split("/")
        if parts[0].endswith(".dist-info"):
            continue
        if parts[0].endswith(".data"):
            # `x.data/purelib/...` and `platlib` install beside the packages.
            if len(parts) > 2 and parts[1] in ("purelib", "platlib"):
                parts = parts[2:]
            else:
                continue
        if parts and parts[-1]:
            paths.append(parts)
    # Private names (`_cffi_backend`, `google.cloud._helpers`) are nobody's import to map:
    # top-level ones count as standard library in tables.rs.
    return sorted(n for n in _names_under(paths, []) if not any(p.startswith("_") for p in n.split(".")))


def _names_under(paths, prefix):
    out = set()
    dirs = {}
    for p in paths:
        if len(p) == 1:
            m = MODULE.match(p[0])
            if m and m.group(1) != "__init__" and (prefix or m.group(1).lower() not in JUNK):
                out.add(".".join(prefix + [m.group(1)]))
        else:
            dirs.setdefault(p[0], []).append(p[1:])
    for d, sub in dirs.items():
        if not IDENT.match(d) or (not prefix and d.lower() in JUNK) or d == "__pycache__":
            continue
        has_code = any(MODULE.match(s[-1]) for s in sub)
        if not has_code:
            continue
        # A package (`__init__.py`) or a namespace folder holding modules itself
        # (`google/api/*_pb2.py`): its name covers all below it (longest prefix wins).
        if any(len(s) == 1 and MODULE.match(s[0]) for s in sub) and not (
            not prefix and d in NAMESPACES and any(len(s) > 1 for s in sub)
        ):
            out.add(".".join(prefix + [d]))
        elif len(prefix) < 3:
            out |= _names_under(sub, prefix + [d])
    return out


def parse_reqs(requires_dist):
    """(base requirements, {extra: requirements}); each a (normalised name, extras) pair."""
    base, extras = [], {}
    for text in requires_dist:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        key = (norm(req.name), tuple(sorted(norm(e) for e in req.extras)))
        marker = req.marker
        if marker is None or marker.evaluate({**ENV, "extra": ""}):
            base.append(key)
            continue
        names = {norm(m) for m in re.findall(r"extra\s*==\s*['\"]([^'\"]+)['\"]", str(marker))}
        for extra in sorted(names):
            if Marker(str(marker)).evaluate({**ENV, "extra": extra}):
                extras.setdefault(extra, []).append(key)
    return base, extras


def read_tsv(path):
    rows = []
    for line in path.read_text().splitlines():
        body, _, comment = line.partition("#")
        body = body.strip()
        if body and "\t" in line:
            k, v = re.split(r"\t+", body, maxsplit=1) if "\t" in body else (body, "")
            rows.append((k.strip(), v.strip(), comment.strip()))
        elif body:
            rows.append((body, "", comment.strip()))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", default=str(REPO / "target" / "pypi-cache"))
    ap.add_argument("--jobs", type=int, default=6)
    ap.add_argument("--delay", type=float, default=0.05, help="seconds between requests")
    ap.add_argument("--max", type=int, default=2500, help="stop adding dependencies past this")
    ap.add_argument("--seeds", default=str(HERE / "seeds.txt"))
    ap.add_argument("--refresh", action="store_true", help="re-ask the JSON API")
    args = ap.parse_args()
    fetcher = Fetcher(Path(args.cache), args.delay, args.refresh)

    seeds = [l.strip() for l in Path(args.seeds).read_text().splitlines()]
    seeds = [s for s in seeds if s and not s.startswith("#")]
    # `name==version` lines: also read that release (older majors apps still pin, whose
    # dependencies or modules differ); its imports and requirements are added to the latest's.
    pins = {}
    for s in [s for s in seeds if "==" in s]:
        name, version = s.split("==", 1)
        pins.setdefault(norm(name), []).append(version.strip())
    seeds = [s.split("==", 1)[0] for s in seeds]
    priority = {}
    for i, s in enumerate(seeds):
        priority.setdefault(norm(s), i)

    meta = {}  # norm name -> dict(name, base, extras, imports or None)
    failed = {}

    def load(n):
        info, err = load_release(n, None)
        for version in pins.get(n, []) if info else []:
            old, old_err = load_release(n, version)
            if old is None:
                log(f"{n}=={version}: {old_err}")
                continue
            info["base"] = sorted(set(info["base"]) | set(old["base"]))
            for extra, reqs in old["extras"].items():
                info["extras"][extra] = sorted(set(info["extras"].get(extra, [])) | set(reqs))
            if old["imports"] is not None:
                info["imports"] = sorted(set(info["imports"] or []) | set(old["imports"]))
        return n, info, err

    def load_release(n, version):
        try:
            proj = fetcher.project(n)
            if version is None:
                requires, urls = proj["requires_dist"], proj["urls"]
            else:
                urls = proj["releases"].get(version) or []
                wheel = pick_wheel(urls)
                if wheel is None:
                    return None, "no wheel of that release"
                requires = fetcher.wheel_requires(wheel)
        except Exception as e:  # noqa: BLE001 - one distribution's failure is logged, not fatal
            return None, f"{e}"
        base, extras = parse_reqs(requires)
        wheel = pick_wheel(urls)
        imports, err = None, None
        if wheel is None:
            err = "no wheel (sdist only): import names unknown"
        else:
            try:
                imports = import_names(fetcher.wheel_names(wheel))
            except Exception as e:  # noqa: BLE001
                err = f"wheel {wheel['filename']}: {e}"
        info = {"name": proj["name"], "base": base, "extras": extras, "imports": imports}
        return info, err

    queue = sorted(priority, key=priority.get)
    queued = set(queue)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        while queue:
            batch, queue = queue, []
            for n, info, err in pool.map(load, batch):
                if err:
                    log(f"{n}: {err}")
                if info is None:
                    failed[n] = err
                    continue
                meta[n] = info
                for dep, _ in info["base"]:
                    if dep not in queued and len(queued) < args.max:
                        queued.add(dep)
                        queue.append(dep)
            queue.sort()
    log(f"{len(meta)} distributions read, {len(failed)} failed, {fetcher.requests} requests")

    for n in meta:
        priority.setdefault(n, len(seeds) + sorted(meta).index(n))

    write_import_map(meta, priority)
    write_dependencies(meta)


def provides(info, name):
    """Whether a distribution's wheel installs the import `name` (or a module under it)."""
    imports = info["imports"] or []
    return any(i == name or i.startswith(name + ".") or name.startswith(i + ".") for i in imports)


def write_import_map(meta, priority):
    # import name -> providing distributions, best first (seeds' order, i.e. downloads).
    providers = {}
    for n, info in meta.items():
        for imp in info["imports"] or []:
            providers.setdefault(imp, []).append(n)
    generated = {}
    for imp, dists in providers.items():
        # A distribution named like the import (after normalisation) is the import's own:
        # no row needed, and no other provider wins over it.
        # Dotted rows stay even then: without one, `google.auth` would map to `google`.
        # A same-named distribution that installs nothing of it (`bs4`, `sklearn`: stubs that
        # depend on or refuse to install the real one) does not count.
        same = meta.get(norm(imp))
        if "." not in imp and (norm(imp) in dists or (same and same["imports"] is None)):
            continue
        best = min(dists, key=lambda d: (priority[d], d))
        generated[imp] = meta[best]["name"]

    hand_rows = []
    for imp, dist, why in read_tsv(HERE / "hand_import_map.tsv"):
        n = norm(dist)
        gen = generated.get(imp)
        if gen is not None and norm(gen) == n:
            continue  # the metadata gives it
        if why.startswith("keep"):
            pass
        elif n in meta and meta[n]["imports"] is not None and not provides(meta[n], imp):
            log(f"hand row {imp} -> {dist} dropped: its wheel has no `{imp}`")
            continue
        if norm(imp) == n:
            why = why or "spelling of the published name, for the fix text"
        elif gen is not None:
            why = why or f"several distributions provide it ({gen} too): the usual one"
        if not why and norm(imp) in meta:
            why = f"a distribution named `{imp}` exists; `{dist}` is the one apps mean"
        hand_rows.append((imp, dist, why or "no wheel metadata"))
        generated.pop(imp, None)

    lines = [
        "# import name<TAB>distribution, where the import name differs from the distribution's",
        "# normalised name. GENERATED by server/data/gen/gen_tables.py (see gen/README.md) from",
        "# PyPI: the file names of each distribution's latest wheel (seeds.txt and their",
        "# dependencies); when several distributions install one import name the most downloaded",
        "# wins. Dotted rows are namespace packages (`google.cloud.storage`): the longest known",
        "# prefix of an imported module wins. Rows marked `# hand` come from gen/hand_import_map.tsv.",
        "# Every unlisted import maps to the distribution of its own name.",
    ]
    for imp in sorted(generated, key=lambda s: (s.lower(), s)):
        lines.append(f"{imp}\t{generated[imp]}")
    lines.append("# -- hand rows: the metadata cannot give them")
    for imp, dist, why in sorted(hand_rows, key=lambda r: (r[0].lower(), r[0])):
        lines.append(f"{imp}\t{dist}\t# hand: {why}")
    (DATA / "import_map.tsv").write_text("\n".join(lines) + "\n")
    log(f"import_map.tsv: {len(generated)} generated rows, {len(hand_rows)} hand rows")


def write_dependencies(meta):
    def names_of(n):
        # One spelling per normalised name: the import name where it normalises like the
        # distribution (`typing_extensions`), else both (`scikit-learn sklearn`).
        info = meta.get(n)
        imports = (info["imports"] or []) if info else []
        out = set(imports)
        if not any(norm(i) == n for i in imports):
            out.add(info["name"] if info else n)
        return out

    def closure(start):
        seen, todo = set(), list(start)
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            dist, extras = node
            info = meta.get(dist)
            if not info:
                continue
            todo.extend(info["base"])
            for e in extras:
                todo.extend(info["extras"].get(e, []))
        return {d for d, _ in seen}

    hand = {}
    for key, names, why in read_tsv(HERE / "hand_dependencies.tsv"):
        hand.setdefault(key, []).append((names.split(), why))

    rows = []
    for n in sorted(meta):
        info = meta[n]
        base = closure([(n, ())])
        names = set()
        for d in base:
            names |= names_of(d)
        rows.append((info["name"], names, base))
        for extra in sorted(e for e in info["extras"] if not DEV_EXTRA.match(e)):
            more = closure(info["extras"][extra]) - base
            extra_names = set()
            for d in more:
                extra_names |= names_of(d)
            extra_names -= names
            if extra_names:
                rows.append((f"{info['name']}[{extra}]", extra_names, None))

    known = {norm(k) for k, _, _ in rows}
    lines = [
        "# distribution (or dist[extra])<TAB>what installing it brings: the import names and",
        "# distribution names of it and the transitive closure of its unconditional Requires-Dist",
        "# (markers evaluated for CPython 3.11 on Linux); a [extra] row lists only what the extra",
        "# adds. GENERATED by server/data/gen/gen_tables.py (see gen/README.md) from PyPI's",
        "# metadata of each distribution's latest release. `# hand` lines: gen/hand_dependencies.tsv.",
    ]
    out = []
    for key, names, _ in rows:
        extra_hand = []
        for hnames, why in hand.pop(key, []):
            new = [h for h in hnames if norm(h) not in {norm(x) for x in names}]
            if new and not why.startswith("keep"):
                log(f"hand row {key}: metadata does not bring {' '.join(new)}: dropped")
                continue
            names |= set(new)
            if new:
                extra_hand.append(f"# hand: {key} also brings {' '.join(new)}: {why}")
        out.append((key, names, extra_hand))
    for key, entries in hand.items():
        if norm(key) in known:
            continue
        names = set()
        whys = []
        for hnames, why in entries:
            names |= set(hnames)
            whys.append(why)
        out.append((key, names, [f"# hand: {key}: {'; '.join(whys) or 'no metadata'}"]))
    for key, names, comments in sorted(out, key=lambda r: (norm(r[0]), r[0])):
        lines.extend(comments)
        shown = sorted(names, key=lambda s: (s.lower(), s))
        lines.append(f"{key}\t{' '.join(shown)}")
    (DATA / "dependencies.tsv").write_text("\n".join(lines) + "\n")
    log(f"dependencies.tsv: {len(out)} rows")


if __name__ == "__main__":
    main()
