//! CLI output formats. The JSON shape is a public interface (`../shared/RULES.md`).

use std::io::{self, Write};
use std::ops::Range;
use std::path::Path;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use serde_json::{json, Value};

use serde::{Deserialize, Deserializer, Serialize};

use dash_lsp_analysis::{Applicability, Diagnostic, FileEdit, Severity, Workspace};
use dash_lsp_syntax::text::{Encoding, LineIndex};

/// A diagnostic resolved for display: what every output format prints, nothing that needs the
/// workspace again (the persistent cache stores these).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    #[serde(deserialize_with = "rule_code")]
    pub code: StaticStr,
    #[serde(deserialize_with = "rule_name")]
    pub name: StaticStr,
    pub severity: Severity,
    pub message: String,
    /// The applicability of the preferred fix (the one `--fix` applies), when there is one.
    pub preferred_fix: Option<Applicability>,
    /// The file's path as the user should see it (relative to the current folder).
    pub display: String,
    /// 1-based (line, column) start and end; columns count Unicode scalar values.
    pub start: (u32, u32),
    pub end: (u32, u32),
    /// The fix shown (the preferred one, else the first), its edits resolved for display.
    pub fix: Option<FixView>,
    /// The diagnostic's related locations (the other occurrence of a duplicate), as SARIF
    /// `relatedLocations`.
    pub related: Vec<Value>,
}

pub use dash_lsp_render::display_path;

/// A fix as the JSON output prints it (fields in its order). Typed rather than a JSON value: a
/// cache entry of thousands of fixes reads several times faster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FixView {
    pub message: String,
    pub applicability: Applicability,
    pub edits: Vec<EditView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EditView {
    /// The file as shown to the user.
    pub file: String,
    pub range: RangeView,
    pub new_text: String,
}

/// 1-based lines and columns (Unicode scalar values).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RangeView {
    pub start: LineColumn,
    pub end: LineColumn,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LineColumn {
    pub line: u32,
    pub column: u32,
}

impl RangeView {
    fn new(start: (u32, u32), end: (u32, u32)) -> Self {
        let at = |(line, column)| LineColumn { line, column };
        RangeView {
            start: at(start),
            end: at(end),
        }
    }

    fn sarif_region(&self) -> Value {
        json!({
            "startLine": self.start.line,
            "startColumn": self.start.column,
            "endLine": self.end.line,
            "endColumn": self.end.column,
        })
    }
}

/// The registry's strings. Under an alias serde's derive does not see the `'static` (it would ask
/// the input to live for ever): `rule_code` and `rule_name` give registry strings instead.
pub type StaticStr = &'static str;

/// A stored rule code as the registry's own `&'static str` (an unknown code fails: the stored
/// finding came from another rule set).
fn rule_code<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let code = String::deserialize(d)?;
    dash_lsp_rules::rule(&code)
        .filter(|r| r.code == code)
        .map(|r| r.code)
        .ok_or_else(|| serde::de::Error::custom(format!("unknown rule code {code}")))
}

fn rule_name<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let name = String::deserialize(d)?;
    dash_lsp_rules::RULES
        .iter()
        .find(|r| r.name == name)
        .map(|r| r.name)
        .ok_or_else(|| serde::de::Error::custom(format!("unknown rule name {name}")))
}

/// Characters a URI path segment may hold unencoded (RFC 3986 `pchar` minus `%` and `:`):
/// every other byte of the UTF-8 path is percent-encoded, so `a#b.py` or `100%.py` stay names.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b'@');

/// A displayed path (`/`-separated) as a SARIF `uri`: a relative reference, or a `file:` URI
/// for an absolute path. `:` stays encoded (it is a `pchar`, but in a first segment it would
/// read as a scheme).
pub fn path_uri(display: &str) -> String {
    let (prefix, rest) = match display.strip_prefix('/') {
        Some(rest) => ("file:///", rest),
        None => ("", display),
    };
    let segments: Vec<String> = rest
        .split('/')
        .map(|seg| utf8_percent_encode(seg, SEGMENT).to_string())
        .collect();
    format!("{prefix}{}", segments.join("/"))
}

fn position(ws: &Workspace, file: &Path, range: &Range<usize>) -> ((u32, u32), (u32, u32)) {
    let Some(source) = ws.source(file) else {
        return ((1, 1), (1, 1));
    };
    let index: &LineIndex = source.line_index();
    let start = index.to_line_col(source.text(), range.start, Encoding::Chars);
    let end = index.to_line_col(source.text(), range.end, Encoding::Chars);
    ((start.line + 1, start.col + 1), (end.line + 1, end.col + 1))
}

impl Finding {
    pub fn new(dir: &Path, ws: &Workspace, diagnostic: Diagnostic) -> Finding {
        let (start, end) = position(ws, &diagnostic.file, &diagnostic.range);
        let fix = diagnostic
            .preferred_fix()
            .or(diagnostic.fixes.first())
            .map(|fix| FixView {
                message: fix.message.clone(),
                applicability: fix.applicability,
                edits: fix
                    .edits
                    .iter()
                    .map(|edit| match edit {
                        FileEdit::Replace {
                            file,
                            range,
                            new_text,
                        } => {
                            let (s, e) = position(ws, file, range);
                            EditView {
                                file: display_path(dir, file),
                                range: RangeView::new(s, e),
                                new_text: new_text.clone(),
                            }
                        }
                        FileEdit::Create { file, text } => EditView {
                            file: display_path(dir, file),
                            range: RangeView::new((1, 1), (1, 1)),
                            new_text: text.clone(),
                        },
                    })
                    .collect(),
            });
        let related = diagnostic
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let (s, e) = position(ws, &r.file, &r.range);
                json!({
                    "id": i,
                    "message": {"text": r.message},
                    "physicalLocation": {
                        "artifactLocation": {"uri": path_uri(&display_path(dir, &r.file))},
                        "region": RangeView::new(s, e).sarif_region(),
                    },
                })
            })
            .collect();
        Finding {
            display: display_path(dir, &diagnostic.file),
            start,
            end,
            fix,
            related,
            preferred_fix: diagnostic.preferred_fix().map(|f| f.applicability),
            code: diagnostic.code,
            name: diagnostic.name,
            severity: diagnostic.severity,
            message: diagnostic.message,
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "code": self.code,
            "name": self.name,
            "severity": self.severity.as_str(),
            "message": self.message,
            "file": self.display,
            "range": RangeView::new(self.start, self.end),
            "fix": self.fix,
        })
    }
}

pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| (&a.display, a.start, a.code).cmp(&(&b.display, b.start, b.code)));
}

pub fn write_json(out: &mut impl Write, findings: &[Finding]) -> io::Result<()> {
    let array: Vec<Value> = findings.iter().map(Finding::to_json).collect();
    serde_json::to_writer_pretty(&mut *out, &array)?;
    writeln!(out)
}

/// Colours only for a terminal, and never with `NO_COLOR` set.
pub fn use_color() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

fn paint(text: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Info | Severity::Hint => "1;34",
    }
}

pub fn write_text(
    out: &mut impl Write,
    findings: &[Finding],
    (fixed, written): (usize, &[String]),
    quiet: bool,
    color: bool,
) -> io::Result<()> {
    for f in findings {
        let mark = match f.preferred_fix {
            Some(Applicability::Safe) => " [*]",
            Some(Applicability::Unsafe) => " [~]",
            None => "",
        };
        writeln!(
            out,
            "{}:{}:{}: {}{} {}",
            paint(&f.display, "1", color),
            f.start.0,
            f.start.1,
            paint(f.code, severity_color(f.severity), color),
            paint(mark, "36", color),
            f.message
        )?;
    }
    if quiet {
        return Ok(());
    }
    if fixed > 0 && !written.is_empty() {
        writeln!(
            out,
            "Fixed {fixed} problem{} in {} file{}: {}.",
            if fixed == 1 { "" } else { "s" },
            written.len(),
            if written.len() == 1 { "" } else { "s" },
            written.join(", ")
        )?;
    }
    if findings.is_empty() {
        return writeln!(out, "{}", paint("All checks passed!", "32", color));
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let fixes = |a: Applicability| {
        findings
            .iter()
            .filter(|f| f.preferred_fix == Some(a))
            .count()
    };
    let (fixable, unsafe_fixable) = (fixes(Applicability::Safe), fixes(Applicability::Unsafe));
    writeln!(
        out,
        "Found {} ({}, {}, {} info).",
        plural(findings.len(), "problem"),
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        count(Severity::Info) + count(Severity::Hint),
    )?;
    if fixable > 0 {
        writeln!(out, "[*] {fixable} fixable with `dash-lsp check --fix`.")?;
    }
    if unsafe_fixable > 0 {
        writeln!(
            out,
            "[~] {unsafe_fixable} more fixable with `dash-lsp check --fix --unsafe-fixes` (they change what the app does: review them)."
        )?;
    }
    Ok(())
}

/// `--statistics`: how many problems each rule reported, most first.
pub fn write_statistics(out: &mut impl Write, findings: &[Finding]) -> io::Result<()> {
    // Per rule: count, name, mark (`[*]` safely fixable, `[~]` only with --unsafe-fixes).
    let mut counts: std::collections::BTreeMap<&str, (usize, &str, &str)> =
        std::collections::BTreeMap::new();
    for f in findings {
        let entry = counts.entry(f.code).or_insert((0, f.name, ""));
        entry.0 += 1;
        entry.2 = match (entry.2, f.preferred_fix) {
            ("[*] ", _) => "[*] ",
            (_, Some(Applicability::Safe)) => "[*] ",
            (_, Some(Applicability::Unsafe)) => "[~] ",
            (mark, None) => mark,
        };
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    let width = rows
        .iter()
        .map(|(_, (n, _, _))| n.to_string().len())
        .max()
        .unwrap_or(1);
    for (code, (n, name, fixable)) in rows {
        writeln!(out, "{n:>width$}\t{code}\t{}{name}", fixable)?;
    }
    Ok(())
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands: annotations on the pull request's files.
pub fn write_github(out: &mut impl Write, findings: &[Finding]) -> io::Result<()> {
    for f in findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info | Severity::Hint => "notice",
        };
        writeln!(
            out,
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&f.display),
            f.start.0,
            f.start.1,
            f.end.0,
            f.end.1,
            escape_property(&format!("{} ({})", f.code, f.name)),
            escape_data(&f.message)
        )?;
    }
    Ok(())
}

/// SARIF 2.1.0, one run, every rule described, fixes as artifact changes.
pub fn write_sarif(out: &mut impl Write, findings: &[Finding]) -> io::Result<()> {
    let level = |s: Severity| match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    };
    let rules: Vec<Value> = dash_lsp_rules::RULES
        .iter()
        .map(|r| {
            let summary = r
                .doc
                .split("\n\n")
                .next()
                .unwrap_or(r.doc)
                .replace('\n', " ");
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": summary},
                "fullDescription": {"text": r.doc},
                "help": {"text": r.doc, "markdown": r.doc},
                "helpUri": dash_lsp_rules::doc_url(r),
                "defaultConfiguration": {"level": level(r.severity)},
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let index = dash_lsp_rules::RULES.iter().position(|r| r.code == f.code).unwrap_or(0);
            let mut result = json!({
                "ruleId": f.code,
                "ruleIndex": index,
                "level": level(f.severity),
                "message": {"text": f.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": path_uri(&f.display)},
                    "region": RangeView::new(f.start, f.end).sarif_region(),
                }}],
            });
            if !f.related.is_empty() {
                result["relatedLocations"] = Value::Array(f.related.clone());
            }
            if let Some(fix) = &f.fix {
                let changes: Vec<Value> = fix
                    .edits
                    .iter()
                    .map(|e| json!({
                        "artifactLocation": {"uri": path_uri(&e.file)},
                        "replacements": [{"deletedRegion": e.range.sarif_region(), "insertedContent": {"text": e.new_text}}],
                    }))
                    .collect();
                result["fixes"] = json!([{"description": {"text": fix.message}, "artifactChanges": changes, "properties": {"applicability": fix.applicability}}]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "dash-lsp",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}
