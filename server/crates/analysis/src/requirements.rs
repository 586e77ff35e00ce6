//! Requirements files read as pip reads them (`pip install -r`): `\` continuations joined
//! first, comments dropped, then each logical line is a pip option (`-r`, `-c`, `-e`,
//! `--index-url`, ...), or a requirement with its per-requirement options (`--hash=`): a PEP 508
//! requirement (extras, version specifiers, environment marker, `name @ url`), a URL (its name
//! from `#egg=` or a wheel/sdist file name) or a local path or archive.

use std::ops::Range;
use std::str::FromStr;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    /// The name as written (for an archive or URL: as its file name or `#egg=` gives it).
    pub name: String,
    /// PEP 503 normalised name.
    pub normalized: String,
    pub extras: Vec<String>,
    /// `(operator, version)` pairs, e.g. `(">=", "2.0")`.
    pub specs: Vec<(String, String)>,
    /// The requirement's first line, without its line ending and a trailing `\`.
    pub line: Range<usize>,
    /// The whole logical line: the first line and every `\` continuation, no final line ending.
    pub logical: Range<usize>,
    /// The environment marker after `;`, as written.
    pub marker: Option<String>,
    /// The line carries `--hash=` options.
    pub hashes: bool,
    pub origin: Origin,
}

/// Where pip takes a requirement from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A name (and specifiers) resolved on the package index.
    Index,
    /// A URL: `name @ https://...`, `git+https://...#egg=name`, a wheel URL.
    Url,
    /// A local archive or folder (`./pkg-0.2.tar.gz`, `-e ./lib`).
    Local,
    /// A `name=version=build` line of a conda export: pip cannot read it, but it says which
    /// version the author ran.
    Conda,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Include {
    /// The path as written after `-r` / `--requirement` (or `-c` / `--constraint`).
    pub path: String,
    pub span: Range<usize>,
    /// `-c`: a constraints file (versions only, nothing installed from it).
    pub constraint: bool,
}

/// A local folder requirement (`-e .`, `./lib`): its name is in the folder's metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalPath {
    pub path: String,
    pub line: Range<usize>,
    pub logical: Range<usize>,
}

#[derive(Clone, Debug, Default)]
pub struct RequirementsFile {
    pub requirements: Vec<Requirement>,
    pub includes: Vec<Include>,
    /// Lines pip cannot read (each the first line of a logical line, without a trailing `\`);
    /// conda export lines are not among them (see `conda`).
    pub errors: Vec<Range<usize>>,
    /// Requirements without a name (a URL without `#egg=`, a folder): they may provide
    /// anything. Folders are also in `locals`, for a caller that can read their metadata.
    pub unnamed: usize,
    pub locals: Vec<LocalPath>,
    /// Hash-checking mode: a `--hash=` on any line (or `--require-hashes`). pip then refuses
    /// every line without hashes.
    pub hash_checking: bool,
    /// The first `name=version=build` line of a conda environment export.
    pub conda: Option<Range<usize>>,
}

/// Whether a listed (normalised) distribution name looks like an unmapped import name
/// (`ydata-profiling` for `pandas_profiling`, `pyvisa` for `visa`): one contains the other
/// (4 characters or more), or they share a `-` separated word of 4 or more.
pub fn names_look_alike(listed: &str, import: &str) -> bool {
    let wanted = normalize(import);
    let tokens = |name: &str| -> Vec<String> {
        name.split('-')
            .filter(|t| t.len() >= 4)
            .map(str::to_string)
            .collect()
    };
    let (short, long) = if listed.len() < wanted.len() {
        (listed, wanted.as_str())
    } else {
        (wanted.as_str(), listed)
    };
    (short.len() >= 4 && long.contains(short))
        || tokens(listed).iter().any(|t| tokens(&wanted).contains(t))
}

/// PEP 503: lower case, runs of `-`, `_`, `.` become one `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// One logical line: physical lines joined where they end with `\`.
struct Logical {
    text: String,
    /// `(offset in text, offset in the file)` where each joined piece starts.
    pieces: Vec<(usize, usize)>,
    /// The first physical line's content, without a trailing `\`.
    first: Range<usize>,
    /// The whole logical line in the file.
    span: Range<usize>,
}

impl Logical {
    fn source(&self, at: usize) -> usize {
        let (t, s) = self
            .pieces
            .iter()
            .rev()
            .find(|(t, _)| *t <= at)
            .copied()
            .unwrap_or((0, self.first.start));
        s + (at - t)
    }
}

/// pip's `join_lines`: a line ending in `\` (and not a comment line) continues on the next.
fn logical_lines(text: &str) -> Vec<Logical> {
    let mut out: Vec<Logical> = Vec::new();
    let mut open: Option<Logical> = None;
    let mut start = 0;
    for raw in dash_lsp_syntax::text::lines_inclusive(text) {
        let line_start = start;
        start += raw.len();
        let mut content = raw.trim_end_matches(['\n', '\r']);
        let mut offset = line_start;
        if line_start == 0 {
            if let Some(rest) = content.strip_prefix('\u{feff}') {
                offset += content.len() - rest.len();
                content = rest;
            }
        }
        let comment_line = content.trim_start().starts_with('#');
        let continues = content.ends_with('\\') && !comment_line;
        let piece = if continues {
            content.trim_end_matches('\\')
        } else {
            content
        };
        let logical = open.get_or_insert_with(|| Logical {
            text: String::new(),
            pieces: Vec::new(),
            first: offset..offset + piece.trim_end().len(),
            span: offset..offset,
        });
        // pip prefixes a comment line with a blank, so that it ends the joined line as a
        // comment.
        if comment_line && !logical.text.is_empty() {
            logical.text.push(' ');
        }
        logical.pieces.push((logical.text.len(), offset));
        logical.text.push_str(piece);
        logical.span.end = offset + content.len();
        if !continues {
            out.extend(open.take());
        }
    }
    out.extend(open);
    out
}

/// pip's `COMMENT_RE` (`(^|\s+)#.*$`): where the comment starts, if any.
fn comment_start(line: &str) -> Option<usize> {
    line.char_indices()
        .find(|&(i, c)| c == '#' && (i == 0 || line[..i].ends_with([' ', '\t'])))
        .map(|(i, _)| i)
}

/// Words split at blanks, with their ranges in `line`.
fn words(line: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c == ' ' || c == '\t', start) {
            (true, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..line.len());
    }
    out
}

/// Options pip reads in a requirements file, and whether each takes a value.
const OPTIONS: &[(&str, Option<&str>, bool)] = &[
    ("--requirement", Some("-r"), true),
    ("--constraint", Some("-c"), true),
    ("--editable", Some("-e"), true),
    ("--index-url", Some("-i"), true),
    ("--extra-index-url", None, true),
    ("--find-links", Some("-f"), true),
    ("--trusted-host", None, true),
    ("--no-binary", None, true),
    ("--only-binary", None, true),
    ("--use-feature", None, true),
    ("--no-index", None, false),
    ("--pre", None, false),
    ("--prefer-binary", None, false),
    ("--require-hashes", None, false),
    // Per-requirement options.
    ("--hash", None, true),
    ("--global-option", None, true),
    ("--install-option", None, true),
    ("--config-settings", None, true),
];

/// One option of a line: its long name and value (with the value's range in the line).
struct Opt {
    long: &'static str,
    value: Option<(String, Range<usize>)>,
}

/// Reads the options of a line (`words` from the first option on). `None`: a word pip does
/// not know, or an option missing its value.
fn options(line: &str, words: &[Range<usize>]) -> Option<Vec<Opt>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = &line[words[i].clone()];
        let (name, attached) =
            if let Some((n, v)) = w.split_once('=').filter(|_| w.starts_with("--")) {
                (n, Some((v, words[i].start + n.len() + 1)))
            } else if w.starts_with("--") {
                (w, None)
            } else if w.starts_with('-') && w.len() > 2 && w.is_char_boundary(2) {
                (&w[..2], Some((&w[2..], words[i].start + 2)))
            } else {
                (w, None)
            };
        let &(long, _, takes_value) = OPTIONS
            .iter()
            .find(|(long, short, _)| *long == name || *short == Some(name))?;
        let value = if !takes_value {
            if attached.is_some() {
                return None;
            }
            None
        } else if let Some((v, at)) = attached {
            Some((v.to_string(), at..at + v.len()))
        } else {
            i += 1;
            let r = words.get(i)?.clone();
            Some((line[r.clone()].to_string(), r))
        };
        out.push(Opt { long, value });
        i += 1;
    }
    Some(out)
}

impl RequirementsFile {
    pub fn parse(text: &str) -> RequirementsFile {
        let mut file = RequirementsFile::default();
        for logical in logical_lines(text) {
            file.read_line(&logical);
        }
        file
    }

    fn read_line(&mut self, logical: &Logical) {
        let full = logical.text.as_str();
        let line = &full[..comment_start(full).unwrap_or(full.len())];
        let words = words(line);
        if words.is_empty() {
            return;
        }
        let first = logical.first.clone();
        // pip's `break_args_options`: the requirement is everything before the first word
        // starting with `-`.
        let split = words
            .iter()
            .position(|w| line[w.clone()].starts_with('-'))
            .unwrap_or(words.len());
        let Some(opts) = options(line, &words[split..]) else {
            self.errors.push(first);
            return;
        };
        let hashes = opts.iter().any(|o| o.long == "--hash");
        self.hash_checking |= hashes || opts.iter().any(|o| o.long == "--require-hashes");
        if split == 0 {
            for opt in opts {
                let Some((value, at)) = opt.value else {
                    continue;
                };
                match opt.long {
                    "--requirement" | "--constraint" => self.includes.push(Include {
                        path: value,
                        span: logical.source(at.start)..logical.source(at.end),
                        constraint: opt.long == "--constraint",
                    }),
                    "--editable" => {
                        let read = self.requirement(&value, logical, hashes, true);
                        if !read {
                            self.errors.push(first.clone());
                        }
                    }
                    _ => {}
                }
            }
            return;
        }
        let spec = line[words[0].start..words[split - 1].end].trim();
        if is_conda(spec) {
            self.conda.get_or_insert(first.clone());
            let mut parts = spec.split('=');
            let name = parts.next().unwrap_or("");
            let version = parts.next().unwrap_or("");
            self.requirements.push(Requirement {
                name: name.to_string(),
                normalized: normalize(name),
                extras: Vec::new(),
                specs: vec![("==".into(), version.into())],
                line: first,
                logical: logical.span.clone(),
                marker: None,
                hashes,
                origin: Origin::Conda,
            });
            return;
        }
        if !self.requirement(spec, logical, hashes, false) {
            self.errors.push(first);
        }
    }

    /// Reads one requirement (`spec`, options removed); false when pip cannot. pip's order:
    /// a URL, then a local path or archive file, then PEP 508.
    fn requirement(&mut self, spec: &str, logical: &Logical, hashes: bool, editable: bool) -> bool {
        let mut req = Requirement {
            name: String::new(),
            normalized: String::new(),
            extras: Vec::new(),
            specs: Vec::new(),
            line: logical.first.clone(),
            logical: logical.span.clone(),
            marker: None,
            hashes,
            origin: Origin::Index,
        };
        // pip splits the marker off a URL or path at `; `.
        let (target, marker) = match spec.split_once("; ") {
            Some((t, m)) => (t.trim(), Some(m.trim().to_string())),
            None => (spec, None),
        };
        let file_name = target.rsplit(['/', '\\']).next().unwrap_or(target);
        let named_by = if is_url(target) {
            req.origin = Origin::Url;
            url_name(target)
        } else if looks_like_path(target) || archive_name(file_name).is_some() {
            req.origin = Origin::Local;
            let named = archive_name(file_name);
            if named.is_none() {
                self.locals.push(LocalPath {
                    path: target.to_string(),
                    line: logical.first.clone(),
                    logical: logical.span.clone(),
                });
            }
            named
        } else if editable {
            // `-e` takes a path or a VCS URL, never a name from the index.
            return false;
        } else {
            let Some(named) = pep508(spec) else {
                return false;
            };
            req.name = named.name.to_string();
            req.extras = named.extras;
            req.specs = named.specs;
            req.marker = named.marker;
            req.origin = if named.url {
                Origin::Url
            } else {
                Origin::Index
            };
            req.normalized = normalize(&req.name);
            self.requirements.push(req);
            return true;
        };
        req.marker = marker;
        match named_by {
            Some((name, version)) => {
                req.normalized = normalize(&name);
                req.name = name;
                req.specs = version.map(|v| vec![("==".into(), v)]).unwrap_or_default();
                self.requirements.push(req);
            }
            None => self.unnamed += 1,
        }
        true
    }
}

/// A requirement read by PEP 508.
struct Named<'a> {
    name: &'a str,
    extras: Vec<String>,
    specs: Vec<(String, String)>,
    marker: Option<String>,
    url: bool,
}

/// Reads `spec` as a PEP 508 requirement (`name[extras] specifiers ; marker`, `name @ url`).
fn pep508(spec: &str) -> Option<Named<'_>> {
    let name_len = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
        .unwrap_or(spec.len());
    let name = &spec[..name_len];
    let mut rest = spec[name_len..].trim_start();
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !name.ends_with(|c: char| c.is_ascii_alphanumeric())
    {
        return None;
    }
    let mut req = Named {
        name,
        extras: Vec::new(),
        specs: Vec::new(),
        marker: None,
        url: false,
    };
    if let Some(after) = rest.strip_prefix('[') {
        let (inner, tail) = after.split_once(']')?;
        for extra in inner.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if !extra
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            {
                return None;
            }
            req.extras.push(normalize(extra));
        }
        rest = tail.trim_start();
    }
    if let Some(url) = rest.strip_prefix('@') {
        // The marker of `name @ url` must follow a blank (`;` may be part of the URL).
        let (url, marker) = match url.split_once(" ;") {
            Some((u, m)) => (u.trim(), Some(m.trim())),
            None => (url.trim(), None),
        };
        if url.is_empty() || url.contains(char::is_whitespace) {
            return None;
        }
        if let Some(marker) = marker {
            if !valid_marker(marker) {
                return None;
            }
            req.marker = Some(marker.to_string());
        }
        req.url = true;
        return Some(req);
    }
    let (body, marker) = match rest.split_once(';') {
        Some((b, m)) => (b.trim(), Some(m.trim())),
        None => (rest.trim(), None),
    };
    if let Some(marker) = marker {
        if !valid_marker(marker) {
            return None;
        }
        req.marker = Some(marker.to_string());
    }
    let body = match body.strip_prefix('(') {
        Some(b) => b.strip_suffix(')')?.trim(),
        None => body,
    };
    if body.is_empty() {
        return Some(req);
    }
    pep440_rs::VersionSpecifiers::from_str(body).ok()?;
    for part in body.split(',') {
        let part = part.trim();
        let op_len = part
            .find(|c: char| !"<>=!~".contains(c))
            .unwrap_or(part.len());
        req.specs.push((
            part[..op_len].to_string(),
            part[op_len..].trim().to_string(),
        ));
    }
    Some(req)
}

/// A marker made of the PEP 508 variables, strings and operators (not checked for grammar:
/// only that nothing else is there).
fn valid_marker(marker: &str) -> bool {
    const WORDS: &[&str] = &[
        "python_version",
        "python_full_version",
        "os_name",
        "sys_platform",
        "platform_release",
        "platform_system",
        "platform_version",
        "platform_machine",
        "platform_python_implementation",
        "implementation_name",
        "implementation_version",
        "extra",
        "and",
        "or",
        "in",
        "not",
        "os.name",
        "sys.platform",
        "platform.version",
        "platform.machine",
        "platform.python_implementation",
        "python_implementation",
        "dependency_groups",
    ];
    let mut rest = marker;
    if rest.is_empty() {
        return false;
    }
    while let Some(c) = rest.chars().next() {
        if c.is_whitespace() || "()<>=!~".contains(c) {
            rest = &rest[c.len_utf8()..];
        } else if c == '"' || c == '\'' {
            let Some(end) = rest[1..].find(c) else {
                return false;
            };
            rest = &rest[end + 2..];
        } else {
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(rest.len());
            if len == 0 || !WORDS.contains(&&rest[..len]) {
                return false;
            }
            rest = &rest[len..];
        }
    }
    true
}

/// A `name=version=build` line of `conda list --export`.
fn is_conda(spec: &str) -> bool {
    let parts: Vec<&str> = spec.split('=').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.+!".contains(c))
        })
}

/// pip's `is_url`: the text before the first `:` is a scheme pip downloads from.
fn is_url(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    let scheme = scheme.to_ascii_lowercase();
    let vcs = ["git", "hg", "svn", "bzr"];
    matches!(scheme.as_str(), "http" | "https" | "file" | "ftp")
        || vcs.contains(&scheme.as_str())
        || scheme
            .split_once('+')
            .is_some_and(|(v, _)| vcs.contains(&v))
}

/// pip's `_looks_like_path`.
fn looks_like_path(s: &str) -> bool {
    s.starts_with(['.', '/', '~']) || s.contains(['/', '\\'])
}

const ARCHIVES: &[&str] = &[
    ".whl",
    ".tar.gz",
    ".tgz",
    ".tar.bz2",
    ".tbz",
    ".tar.xz",
    ".txz",
    ".tlz",
    ".tar.lz",
    ".tar.lzma",
    ".tar",
    ".zip",
];

/// The distribution name (and version) in a wheel or sdist file name: `pkg-0.2.tar.gz`,
/// `dash_cytoscape.tar.gz`, `pkg-1.0-py3-none-any.whl`.
fn archive_name(file_name: &str) -> Option<(String, Option<String>)> {
    let lower = file_name.to_ascii_lowercase();
    let ext = ARCHIVES.iter().find(|e| lower.ends_with(*e))?;
    let stem = &file_name[..file_name.len() - ext.len()];
    if *ext == ".whl" {
        let mut parts = stem.split('-');
        let name = parts.next().filter(|n| !n.is_empty())?;
        return Some((name.to_string(), parts.next().map(str::to_string)));
    }
    // The version starts at the last `-` followed by a digit.
    let split = stem
        .char_indices()
        .filter(|&(i, c)| c == '-' && stem[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
        .map(|(i, _)| i)
        .next_back();
    let (name, version) = match split {
        Some(i) => (&stem[..i], Some(stem[i + 1..].to_string())),
        None => (stem, None),
    };
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    valid.then(|| (name.to_string(), version))
}

/// The name a URL requirement installs: `#egg=name`, else its wheel or sdist file name.
fn url_name(url: &str) -> Option<(String, Option<String>)> {
    if let Some((_, fragment)) = url.split_once('#') {
        for pair in fragment.split('&') {
            if let Some(egg) = pair.strip_prefix("egg=") {
                return (!egg.is_empty()).then(|| (egg.to_string(), None));
            }
        }
    }
    let path = url.split(['#', '?']).next().unwrap_or(url);
    archive_name(path.rsplit('/').next().unwrap_or(path))
}

/// The name in a local project's metadata: `pyproject.toml` (`[project]` or
/// `[tool.poetry]`), `setup.cfg` or a literal `name=` in `setup.py`.
pub(crate) fn project_name(
    pyproject: Option<&str>,
    setup_cfg: Option<&str>,
    setup_py: Option<&str>,
) -> Option<String> {
    if let Some(doc) = pyproject.and_then(|t| t.parse::<toml_edit::DocumentMut>().ok()) {
        let name = doc
            .get("project")
            .and_then(|p| p.get("name"))
            .or_else(|| {
                doc.get("tool")
                    .and_then(|t| t.get("poetry"))
                    .and_then(|p| p.get("name"))
            })
            .and_then(|n| n.as_str());
        if let Some(name) = name {
            return Some(name.to_string());
        }
    }
    if let Some(cfg) = setup_cfg {
        let mut in_metadata = false;
        for line in cfg.lines().map(str::trim) {
            if line.starts_with('[') {
                in_metadata = line == "[metadata]";
            } else if let Some((k, v)) = line.split_once('=').filter(|_| in_metadata) {
                if k.trim() == "name" && !v.trim().is_empty() {
                    return Some(v.trim().to_string());
                }
            }
        }
    }
    let setup = setup_py?;
    let at = setup.find("name=").or_else(|| setup.find("name ="))?;
    let rest = setup[at..].split_once('=')?.1.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = rest[1..].split(quote).next()?;
    (!value.is_empty()).then(|| value.to_string())
}

/// Whether some version satisfies both sets of specifiers. Unknown when either does not parse
/// (then `true`: no conflict is claimed). The versions tried are every bound and a version just
/// above and just below it, which is where the answer of each specifier changes.
pub fn compatible(a: &[(String, String)], b: &[(String, String)]) -> bool {
    let parse = |specs: &[(String, String)]| -> Option<Vec<pep440_rs::VersionSpecifier>> {
        specs
            .iter()
            .map(|(op, v)| pep440_rs::VersionSpecifier::from_str(&format!("{op}{v}")).ok())
            .collect()
    };
    let (Some(a), Some(b)) = (parse(a), parse(b)) else {
        return true;
    };
    let all: Vec<_> = a.iter().chain(&b).collect();
    let mut candidates = vec![
        pep440_rs::Version::new([0]),
        pep440_rs::Version::new([0, 0, 0, 0, 0, 1]),
        pep440_rs::Version::new([u64::from(u32::MAX)]),
    ];
    for spec in &all {
        let release = spec.version().release().to_vec();
        let mut above = release.clone();
        above.extend([0, 0, 0, 0, 1]);
        let mut next = release.clone();
        if let Some(last) = next.last_mut() {
            *last = last.saturating_add(1);
        }
        candidates.push(spec.version().clone());
        candidates.push(pep440_rs::Version::new(above));
        candidates.push(pep440_rs::Version::new(next));
        if let Some(pos) = release.iter().rposition(|&n| n > 0) {
            let mut below = release[..=pos].to_vec();
            below[pos] -= 1;
            below.extend([u64::from(u32::MAX)]);
            candidates.push(pep440_rs::Version::new(below));
        }
    }
    candidates.iter().any(|v| all.iter().all(|s| s.contains(v)))
}

/// A release number, compared component-wise with missing components as zero.
#[derive(Clone, Debug)]
struct Version(Vec<u64>);

impl Version {
    fn parse(s: &str) -> Option<Version> {
        let s = s.trim().trim_start_matches(['v', 'V']);
        let mut parts = Vec::new();
        for seg in s.split('.') {
            let digits: String = seg.chars().take_while(char::is_ascii_digit).collect();
            if digits.is_empty() {
                break;
            }
            parts.push(digits.parse().ok()?);
            if digits.len() != seg.len() {
                break;
            }
        }
        (!parts.is_empty()).then_some(Version(parts))
    }

    fn cmp(&self, other: &Version) -> std::cmp::Ordering {
        let n = self.0.len().max(other.0.len());
        (0..n)
            .map(|i| {
                self.0
                    .get(i)
                    .copied()
                    .unwrap_or(0)
                    .cmp(&other.0.get(i).copied().unwrap_or(0))
            })
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    }

    /// The next release after every `self.*` (`2.1` -> `2.2`).
    fn bump_last(&self) -> Version {
        let mut v = self.0.clone();
        if let Some(last) = v.last_mut() {
            *last = last.saturating_add(1);
        }
        Version(v)
    }
}

/// Bounds that a set of specifiers puts on admitted versions.
struct Bounds {
    /// Lowest admitted version (inclusive flag).
    lower: Option<(Version, bool)>,
    /// Highest admitted version (inclusive flag).
    upper: Option<(Version, bool)>,
}

fn bounds(specs: &[(String, String)]) -> Bounds {
    use std::cmp::Ordering::*;
    let mut b = Bounds {
        lower: None,
        upper: None,
    };
    let raise = |b: &mut Bounds, v: Version, inclusive: bool| {
        if b.lower.as_ref().is_none_or(|(l, _)| v.cmp(l) == Greater) {
            b.lower = Some((v, inclusive));
        }
    };
    let lower_upper = |b: &mut Bounds, v: Version, inclusive: bool| {
        if b.upper.as_ref().is_none_or(|(u, _)| v.cmp(u) == Less) {
            b.upper = Some((v, inclusive));
        }
    };
    for (op, ver) in specs {
        let wildcard = ver.ends_with(".*");
        let Some(v) = Version::parse(ver.trim_end_matches(".*")) else {
            continue;
        };
        match op.as_str() {
            "==" | "===" if wildcard => {
                lower_upper(&mut b, v.bump_last(), false);
                raise(&mut b, v, true);
            }
            "==" | "===" => {
                lower_upper(&mut b, v.clone(), true);
                raise(&mut b, v, true);
            }
            "<" => lower_upper(&mut b, v, false),
            "<=" => lower_upper(&mut b, v, true),
            ">" => raise(&mut b, v, false),
            ">=" => raise(&mut b, v, true),
            "~=" => {
                // ~=2.1 means >=2.1, ==2.*; ~=2.1.3 means >=2.1.3, ==2.1.*
                if v.0.len() >= 2 {
                    let prefix = Version(v.0[..v.0.len() - 1].to_vec());
                    lower_upper(&mut b, prefix.bump_last(), false);
                }
                raise(&mut b, v, true);
            }
            _ => {}
        }
    }
    b
}

/// Whether the specifiers admit only versions below `version` (`dash==2.17`, `dash<3`).
pub fn pinned_below(specs: &[(String, String)], version: &str) -> bool {
    let Some(limit) = Version::parse(version) else {
        return false;
    };
    match bounds(specs).upper {
        Some((u, inclusive)) => match u.cmp(&limit) {
            std::cmp::Ordering::Less => true,
            std::cmp::Ordering::Equal => !inclusive,
            std::cmp::Ordering::Greater => false,
        },
        None => false,
    }
}

/// Whether the specifiers admit only versions at or above `version` (`dash>=3.1`).
pub fn only_at_least(specs: &[(String, String)], version: &str) -> bool {
    let Some(limit) = Version::parse(version) else {
        return false;
    };
    bounds(specs)
        .lower
        .is_some_and(|(l, _)| l.cmp(&limit) != std::cmp::Ordering::Less)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(f: &RequirementsFile) -> Vec<&str> {
        f.requirements.iter().map(|r| r.name.as_str()).collect()
    }

    fn specs(s: &[(&str, &str)]) -> Vec<(String, String)> {
        s.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn normalizes_names() {
        assert_eq!(
            normalize("Dash_Bootstrap.Components"),
            "dash-bootstrap-components"
        );
        assert_eq!(normalize("scikit__learn"), "scikit-learn");
    }

    #[test]
    fn appending_after_a_continued_last_line_keeps_both_requirements() {
        // pip joins a last line ending in `\` with the next: the appended line must not be it.
        for text in [
            "dash==3.2.0\npandas==2.2.3 \\\n",
            "dash==3.2.0\npandas==2.2.3 \\",
            "dash==3.2.0\r\npandas==2.2.3 \\\r\n",
        ] {
            let (range, new_text) = dash_lsp_syntax::text::append_line(text, "gunicorn");
            let mut fixed = text.to_string();
            fixed.replace_range(range, &new_text);
            let f = RequirementsFile::parse(&fixed);
            assert_eq!(names(&f), ["dash", "pandas", "gunicorn"], "{fixed:?}");
            assert_eq!(f.requirements[1].specs, specs(&[("==", "2.2.3")]));
            assert!(f.errors.is_empty(), "{fixed:?}");
        }
    }

    #[test]
    fn parses_lines() {
        let text = "# c\ndash[diskcache]==2.17.1 ; python_version>'3.8'\r\n-r base.txt\nnumpy==1.0 \\\n    --hash=sha256:abc\n";
        let f = RequirementsFile::parse(text);
        assert_eq!(names(&f), ["dash", "numpy"]);
        assert_eq!(f.requirements[0].extras, ["diskcache"]);
        assert_eq!(f.requirements[0].specs, specs(&[("==", "2.17.1")]));
        assert_eq!(
            f.requirements[0].marker.as_deref(),
            Some("python_version>'3.8'")
        );
        assert_eq!(
            &text[f.requirements[0].line.clone()],
            "dash[diskcache]==2.17.1 ; python_version>'3.8'"
        );
        assert_eq!(f.includes[0].path, "base.txt");
        assert_eq!(&text[f.includes[0].span.clone()], "base.txt");
        assert!(f.requirements[1].hashes && f.hash_checking);
        assert_eq!(&text[f.requirements[1].line.clone()], "numpy==1.0");
        assert_eq!(
            &text[f.requirements[1].logical.clone()],
            "numpy==1.0 \\\n    --hash=sha256:abc"
        );
        // A broken line hides neither the lines after it nor doubles them.
        let f = RequirementsFile::parse("}er(debug=\ngunicorn\n");
        assert_eq!(names(&f), ["gunicorn"]);
        assert_eq!(f.errors, vec![0..10]);
        let f = RequirementsFile::parse("dash\nfoo bar baz ==\n==1\npandas\nflask\n");
        assert_eq!(names(&f), ["dash", "pandas", "flask"]);
        assert_eq!(f.errors.len(), 2);
        // Comments anywhere pip allows them, also after a marker; `#egg=` in a URL is no comment.
        let f = RequirementsFile::parse("numpy<2; python_version<'3.9'  # pinned\n# top\npandas # é\n-e git+https://x/y.git#egg=y\n");
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(names(&f), ["numpy", "pandas", "y"]);
        // No final newline.
        let f = RequirementsFile::parse("dash<3");
        assert_eq!(f.requirements[0].specs, specs(&[("<", "3")]));
        assert!(f.errors.is_empty());
        // Unknown options and options without their value are errors.
        let f = RequirementsFile::parse("--bogus\n-r\n--pre\n-rbase.txt\n");
        assert_eq!(f.errors.len(), 2);
        assert_eq!(f.includes[0].path, "base.txt");
    }

    #[test]
    fn lock_file_with_markers_and_hashes() {
        // The `pip-compile --generate-hashes` / `poetry export` form.
        let text = "brotli==1.0.9 ; python_full_version == \"3.9.16\" \\\n    --hash=sha256:0217 \\\n    --hash=sha256:11d3\ndash==2.5.1 ; python_full_version == \"3.9.16\" \\\r\n    --hash=sha256:aa\r\ngunicorn==20.1.0 ; python_full_version == \"3.9.16\" \\\n    --hash=sha256:bb";
        let f = RequirementsFile::parse(text);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(names(&f), ["brotli", "dash", "gunicorn"]);
        assert!(f.hash_checking);
        assert_eq!(
            &text[f.requirements[1].line.clone()],
            "dash==2.5.1 ; python_full_version == \"3.9.16\""
        );
        assert_eq!(f.requirements[1].specs, specs(&[("==", "2.5.1")]));
        assert!(text[f.requirements[2].logical.clone()].ends_with("sha256:bb"));
    }

    #[test]
    fn urls_archives_and_paths() {
        let f = RequirementsFile::parse(
            "https://github.com/benoitc/gunicorn/archive/refs/tags/23.0.0.zip#egg=gunicorn\n\
             git+https://github.com/plotly/dash.git@dev#egg=dash&subdirectory=x\n\
             ./pkg-0.2.tar.gz\n\
             dash_cytoscape.tar.gz\n\
             wheels/dash_vtk-0.0.9-py3-none-any.whl ; python_version >= \"3.8\"\n\
             mylib @ https://example.com/mylib-1.0.tar.gz\n\
             -e ./lib\n\
             https://example.com/download\n",
        );
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(
            names(&f),
            [
                "gunicorn",
                "dash",
                "pkg",
                "dash_cytoscape",
                "dash_vtk",
                "mylib"
            ]
        );
        assert_eq!(f.requirements[2].specs, specs(&[("==", "0.2")]));
        assert_eq!(f.requirements[3].origin, Origin::Local);
        assert_eq!(f.requirements[4].specs, specs(&[("==", "0.0.9")]));
        assert_eq!(f.unnamed, 2);
        assert_eq!(f.locals[0].path, "./lib");
        // `-e` of a plain name is not something pip installs.
        assert_eq!(RequirementsFile::parse("-e dash\n").errors.len(), 1);
    }

    #[test]
    fn conda_export_is_one_problem() {
        let f = RequirementsFile::parse(
            "# platform: linux-64\n_libgcc_mutex=0.1=conda_forge\ndash=1.13.4=pypi_0\n",
        );
        assert!(f.errors.is_empty());
        assert_eq!(f.conda, Some(21..50));
        assert_eq!(f.requirements[1].normalized, "dash");
        assert_eq!(f.requirements[1].specs, specs(&[("==", "1.13.4")]));
        assert_eq!(f.requirements[1].origin, Origin::Conda);
    }

    #[test]
    fn local_project_names() {
        assert_eq!(
            project_name(Some("[project]\nname = \"my-lib\"\n"), None, None).as_deref(),
            Some("my-lib")
        );
        assert_eq!(
            project_name(
                None,
                None,
                Some("from setuptools import setup\nsetup(\n    name='lib_x',\n)\n")
            )
            .as_deref(),
            Some("lib_x")
        );
        assert_eq!(
            project_name(None, Some("[metadata]\nname = cfg-lib\n"), None).as_deref(),
            Some("cfg-lib")
        );
        assert_eq!(project_name(Some("not toml ["), None, None), None);
    }

    #[test]
    fn specifier_compatibility() {
        let s = |a: &[(&str, &str)], b: &[(&str, &str)]| compatible(&specs(a), &specs(b));
        assert!(s(&[(">=", "1.24.4")], &[("<", "2.0.0")]));
        assert!(s(&[("==", "1.5")], &[("==", "1.5.0")]));
        assert!(s(&[], &[("==", "1.0")]));
        assert!(s(&[(">", "1.0")], &[("<", "1.0.1")]));
        assert!(s(&[("~=", "2.1")], &[("<", "3")]));
        assert!(s(&[("==", "2.*")], &[("!=", "2.0")]));
        assert!(!s(&[("==", "1.5")], &[("==", "1.6")]));
        assert!(!s(&[(">=", "2.0")], &[("<", "2.0")]));
        assert!(!s(&[("==", "1.1.4")], &[("==", "2.0.0")]));
        assert!(!s(&[("~=", "2.1")], &[(">=", "3")]));
        // Unreadable: no conflict claimed.
        assert!(s(&[("==", "x y")], &[("==", "1")]));
    }

    #[test]
    fn odd_input_never_panics() {
        for text in [
            "\\",
            "\\\n",
            "\\\r\n\\",
            "-",
            "--",
            "-r",
            "--hash",
            "a[",
            "a @",
            "a;",
            "a; ",
            "é\\\r\né",
            "\u{feff}\\\n#x",
            "a==1 --hash",
            "-e",
            "-eé",
            "x.tar.gz",
            "-x.whl",
            "a==18446744073709551615",
            "a=b=c=d",
            "'\"",
            "a; python_version == '3",
        ] {
            let f = RequirementsFile::parse(text);
            for r in f
                .errors
                .iter()
                .chain(f.requirements.iter().map(|r| &r.line))
            {
                assert!(text.get(r.clone()).is_some(), "{text:?}: {r:?}");
            }
        }
        let max = specs(&[("==", "18446744073709551615")]);
        assert!(compatible(&max, &max));
        assert!(pinned_below(
            &specs(&[("~=", "1.18446744073709551615")]),
            "3"
        ));
    }

    #[test]
    fn version_bounds() {
        assert!(pinned_below(&specs(&[("==", "2.17.1")]), "3.1"));
        assert!(pinned_below(&specs(&[("<", "3")]), "3.0"));
        assert!(pinned_below(&specs(&[("~=", "2.9")]), "3.0"));
        assert!(pinned_below(&specs(&[("==", "2.*")]), "3.0"));
        assert!(!pinned_below(&specs(&[("<=", "3.1")]), "3.1"));
        assert!(!pinned_below(&specs(&[(">=", "2.0")]), "3.1"));
        assert!(!pinned_below(&[], "3.1"));
        assert!(only_at_least(&specs(&[(">=", "3.1")]), "3.1"));
        assert!(only_at_least(&specs(&[("==", "3.2.0")]), "3.1"));
        assert!(!only_at_least(&specs(&[(">", "3.0")]), "3.1"));
        assert!(!only_at_least(&[], "3.1"));
    }
}
