//! `requirements.txt`, parsed with tree-sitter-requirements: names, extras, version specifiers
//! and `-r` includes.

use std::ops::Range;

use tree_sitter::Node;

use super::python::text_of;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    /// The name as written.
    pub name: String,
    /// PEP 503 normalised name.
    pub normalized: String,
    pub extras: Vec<String>,
    /// `(operator, version)` pairs, e.g. `(">=", "2.0")`.
    pub specs: Vec<(String, String)>,
    /// The requirement's line, without its line ending.
    pub line: Range<usize>,
    /// The line also holds text the grammar could not read (`foo bar`).
    pub damaged: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Include {
    /// The path as written after `-r` / `--requirement` (or `-c` / `--constraint`).
    pub path: String,
    pub span: Range<usize>,
    /// `-c`: a constraints file (versions only, nothing installed from it).
    pub constraint: bool,
}

#[derive(Clone, Debug, Default)]
pub struct RequirementsFile {
    pub requirements: Vec<Requirement>,
    pub includes: Vec<Include>,
    /// Ranges the grammar could not read.
    pub errors: Vec<Range<usize>>,
    /// Requirements without a name: `-e .`, a bare URL or path.
    pub unnamed: usize,
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

impl RequirementsFile {
    pub fn parse(text: &str) -> RequirementsFile {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_requirements::LANGUAGE.into())
            .expect("tree-sitter-requirements ABI matches tree-sitter");
        let mut file = RequirementsFile::default();
        // pip drops comments (`#` at the start of a line or after a blank) before reading a
        // line; the grammar does not accept them everywhere (after a marker), so they are
        // blanked out here, byte for byte, keeping every offset.
        let blanked = blank_comments(text);
        let text = blanked.as_str();
        // The grammar needs a line ending after the last line; appending one keeps every
        // offset of the original text valid.
        let owned;
        let text = if text.ends_with('\n') {
            text
        } else {
            owned = format!("{text}\n");
            owned.as_str()
        };
        file.read(&mut parser, text, 0, true);
        // An error over nothing but blanks (a blanked comment after a marker) is the
        // grammar's, not the file's.
        file.errors.retain(|e| {
            text.get(e.clone())
                .is_none_or(|covered| !covered.trim().is_empty())
        });
        for req in &mut file.requirements {
            req.damaged = file
                .errors
                .iter()
                .any(|e| e.start <= req.line.end && req.line.start < e.end.max(e.start + 1));
        }
        file
    }
}

impl RequirementsFile {
    /// Reads `chunk` (which ends with a line ending), at `base` in the whole text. An error
    /// spanning several lines is read again line by line (`retry`), so that one broken line
    /// does not hide the requirements after it.
    fn read(&mut self, parser: &mut tree_sitter::Parser, chunk: &str, base: usize, retry: bool) {
        let Some(tree) = parser.parse(chunk, None) else {
            return;
        };
        let shift = |r: Range<usize>| r.start + base..r.end + base;
        let index = super::text::LineIndex::new(chunk);
        let root = tree.root_node();
        // The whole text unreadable as one: read it line by line.
        if root.is_error() {
            if retry {
                self.read_lines(parser, chunk, base, 0, last_row(root), &index);
            } else {
                self.errors.push(base..base + chunk.trim_end().len());
            }
            return;
        }
        let mut cursor = root.walk();
        for node in root.named_children(&mut cursor) {
            let line = index.line_content(chunk, node.start_position().row);
            // A broken construct spanning lines (an error, or a continuation `\` gone wrong):
            // each of its lines is read again on its own.
            if retry && node.has_error() && last_row(node) > node.start_position().row {
                let (first, last) = (node.start_position().row, last_row(node));
                self.read_lines(parser, chunk, base, first, last, &index);
                continue;
            }
            match node.kind() {
                "requirement" => {
                    if let Some(mut req) = requirement(node, chunk, line) {
                        req.line = shift(req.line);
                        self.requirements.push(req);
                    }
                }
                "global_opt" => {
                    let option = node.named_child(0).map(|o| text_of(o, chunk)).unwrap_or("");
                    let arg = node.named_child(1);
                    match option {
                        "-r" | "--requirement" | "-c" | "--constraint" => {
                            if let Some(arg) = arg {
                                self.includes.push(Include {
                                    path: text_of(arg, chunk).to_string(),
                                    span: shift(arg.byte_range()),
                                    constraint: matches!(option, "-c" | "--constraint"),
                                });
                            }
                        }
                        "-e" | "--editable" => self.unnamed += 1,
                        _ => {}
                    }
                }
                "url" | "path" => self.unnamed += 1,
                "ERROR" => {
                    self.errors.push(shift(node.byte_range()));
                    // Keep what can be read inside the error.
                    let mut c = node.walk();
                    for child in node
                        .named_children(&mut c)
                        .filter(|n| n.kind() == "requirement")
                    {
                        let line = index.line_content(chunk, child.start_position().row);
                        if let Some(mut req) = requirement(child, chunk, line) {
                            req.line = shift(req.line);
                            self.requirements.push(req);
                        }
                    }
                }
                _ => {}
            }
            if node.has_error() && node.kind() != "ERROR" {
                self.errors.push(shift(node.byte_range()));
            }
        }
    }
}

impl RequirementsFile {
    /// Reads lines `first..=last` of `chunk` one at a time.
    fn read_lines(
        &mut self,
        parser: &mut tree_sitter::Parser,
        chunk: &str,
        base: usize,
        first: usize,
        last: usize,
        index: &super::text::LineIndex,
    ) {
        let last = last.min(index.line_count().saturating_sub(1));
        for row in first..=last {
            let content = index.line_content(chunk, row);
            if chunk[content.clone()].trim().is_empty() {
                continue;
            }
            // The line with its line ending (the grammar needs one).
            let end = chunk[content.end..]
                .find('\n')
                .map_or(chunk.len(), |i| content.end + i + 1);
            let mut line_text = chunk[content.start..end].to_string();
            if !line_text.ends_with('\n') {
                line_text.push('\n');
            }
            self.read(parser, &line_text, base + content.start, false);
        }
    }
}

/// `text` with each comment replaced by as many spaces as it has bytes.
fn blank_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\r', '\n']);
        let comment = body
            .char_indices()
            .find(|&(i, c)| c == '#' && (i == 0 || body[..i].ends_with([' ', '\t'])))
            .map(|(i, _)| i);
        match comment {
            Some(at) => {
                out.push_str(&body[..at]);
                out.extend(std::iter::repeat_n(' ', body.len() - at));
                out.push_str(&line[body.len()..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

/// The last line a node covers text on (a node ending right after a line break ends on the
/// line before).
fn last_row(node: Node) -> usize {
    let end = node.end_position();
    if end.column == 0 && end.row > node.start_position().row {
        end.row - 1
    } else {
        end.row
    }
}

fn requirement(node: Node, text: &str, line: Range<usize>) -> Option<Requirement> {
    let mut cursor = node.walk();
    let mut req = Requirement {
        name: String::new(),
        normalized: String::new(),
        extras: Vec::new(),
        specs: Vec::new(),
        line,
        damaged: false,
    };
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "package" => {
                req.name = text_of(child, text).to_string();
                req.normalized = normalize(&req.name);
            }
            "extras" => {
                let mut c = child.walk();
                req.extras = child
                    .named_children(&mut c)
                    .map(|e| normalize(text_of(e, text)))
                    .collect();
            }
            "version_spec" => {
                let mut c = child.walk();
                let mut op = String::new();
                for part in child.named_children(&mut c) {
                    match part.kind() {
                        "version_cmp" => op = text_of(part, text).to_string(),
                        "version" => req
                            .specs
                            .push((std::mem::take(&mut op), text_of(part, text).to_string())),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    (!req.name.is_empty()).then_some(req)
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
            *last += 1;
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

    /// Names of the requirements read without damage, in order.
    fn undamaged(f: &RequirementsFile) -> Vec<&str> {
        f.requirements
            .iter()
            .filter(|r| !r.damaged)
            .map(|r| r.name.as_str())
            .collect()
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
    fn parses_lines() {
        let text = "# c\ndash[diskcache]==2.17.1 ; python_version>'3.8'\r\n-r base.txt\nnumpy==1.0 \\\n    --hash=sha256:abc\n";
        let f = RequirementsFile::parse(text);
        let names: Vec<_> = f
            .requirements
            .iter()
            .map(|r| r.normalized.as_str())
            .collect();
        assert_eq!(names, ["dash", "numpy"]);
        assert_eq!(f.requirements[0].extras, ["diskcache"]);
        assert_eq!(f.requirements[0].specs, specs(&[("==", "2.17.1")]));
        assert_eq!(
            &text[f.requirements[0].line.clone()],
            "dash[diskcache]==2.17.1 ; python_version>'3.8'"
        );
        assert_eq!(f.includes[0].path, "base.txt");
        // A broken line hides neither the lines after it nor doubles them.
        let f = RequirementsFile::parse("}er(debug=\ngunicorn\n");
        let names: Vec<_> = f.requirements.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["gunicorn"]);
        let f = RequirementsFile::parse("dash>=\n\\gu\u{1960c}\u{2cd}\ngunicorn\ndash\n");
        let names = undamaged(&f);
        assert_eq!(names, ["gunicorn", "dash"]);
        let f = RequirementsFile::parse(
            "dash\ngunic--hash=sha256:abc \\56:abc \\\u{1fbc6}x\ngunicorn\n",
        );
        let names = undamaged(&f);
        assert_eq!(names, ["dash", "gunicorn"]);
        let f = RequirementsFile::parse("dash\nfoo bar baz ==\n==1\npandas\nflask\n");
        let names = undamaged(&f);
        assert_eq!(names, ["dash", "pandas", "flask"]);
        // Comments anywhere pip allows them, also after a marker; `#egg=` in a URL is no comment.
        let f = RequirementsFile::parse("numpy<2; python_version<'3.9'  # pinned\n# top\npandas # é\n-e git+https://x/y.git#egg=y\n");
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        let names: Vec<_> = f.requirements.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["numpy", "pandas"]);
        assert_eq!(f.unnamed, 1);
        // No final newline.
        let f = RequirementsFile::parse("dash<3");
        assert_eq!(f.requirements[0].specs, specs(&[("<", "3")]));
        assert!(f.errors.is_empty());
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
