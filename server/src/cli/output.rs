//! CLI output formats. The JSON shape is a public interface (`../shared/RULES.md`).

use std::io::{self, Write};
use std::ops::Range;
use std::path::Path;

use serde_json::{json, Value};

use crate::analysis::text::{Encoding, LineIndex};
use crate::analysis::{Diagnostic, FileEdit, Workspace};

/// A diagnostic with its positions resolved for display.
pub struct Finding {
    pub diagnostic: Diagnostic,
    /// The file's path as the user should see it (relative to the current folder).
    pub display: String,
    /// 1-based (line, column) start and end; columns count Unicode scalar values.
    pub start: (u32, u32),
    pub end: (u32, u32),
    pub fix: Option<Value>,
}

pub fn display_path(dir: &Path, file: &Path) -> String {
    let joined = if dir.as_os_str().is_empty() || dir == Path::new(".") {
        file.to_path_buf()
    } else {
        dir.join(file)
    };
    let joined = match std::env::current_dir() {
        Ok(cwd) if joined.is_absolute() => joined
            .strip_prefix(&cwd)
            .map(Path::to_path_buf)
            .unwrap_or(joined),
        _ => joined,
    };
    let s = joined.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
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

fn range_json(start: (u32, u32), end: (u32, u32)) -> Value {
    json!({"start": {"line": start.0, "column": start.1}, "end": {"line": end.0, "column": end.1}})
}

impl Finding {
    pub fn new(dir: &Path, ws: &Workspace, diagnostic: Diagnostic) -> Finding {
        let (start, end) = position(ws, &diagnostic.file, &diagnostic.range);
        let fix = diagnostic.preferred_fix().or(diagnostic.fixes.first()).map(|fix| {
            let edits: Vec<Value> = fix
                .edits
                .iter()
                .map(|edit| match edit {
                    FileEdit::Replace { file, range, new_text } => {
                        let (s, e) = position(ws, file, range);
                        json!({"file": display_path(dir, file), "range": range_json(s, e), "new_text": new_text})
                    }
                    FileEdit::Create { file, text } => {
                        json!({"file": display_path(dir, file), "range": range_json((1, 1), (1, 1)), "new_text": text})
                    }
                })
                .collect();
            json!({"message": fix.message, "edits": edits})
        });
        Finding {
            display: display_path(dir, &diagnostic.file),
            start,
            end,
            fix,
            diagnostic,
        }
    }

    fn to_json(&self) -> Value {
        let d = &self.diagnostic;
        json!({
            "code": d.code,
            "name": d.name,
            "severity": d.severity.as_str(),
            "message": d.message,
            "file": self.display,
            "range": range_json(self.start, self.end),
            "fix": self.fix.clone().unwrap_or(Value::Null),
        })
    }
}

pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.display, a.start, a.diagnostic.code).cmp(&(&b.display, b.start, b.diagnostic.code))
    });
}

pub fn write_json(out: &mut impl Write, findings: &[Finding]) -> io::Result<()> {
    let array: Vec<Value> = findings.iter().map(Finding::to_json).collect();
    serde_json::to_writer_pretty(&mut *out, &array)?;
    writeln!(out)
}

pub fn write_text(out: &mut impl Write, findings: &[Finding], fixed: usize) -> io::Result<()> {
    for f in findings {
        let mark = if f.fix.is_some() { " [*]" } else { "" };
        writeln!(
            out,
            "{}:{}:{}: {}{} {}",
            f.display, f.start.0, f.start.1, f.diagnostic.code, mark, f.diagnostic.message
        )?;
    }
    if fixed > 0 {
        writeln!(
            out,
            "Fixed {fixed} problem{}.",
            if fixed == 1 { "" } else { "s" }
        )?;
    }
    if findings.is_empty() {
        return writeln!(out, "All checks passed!");
    }
    let count = |s: crate::analysis::Severity| {
        findings
            .iter()
            .filter(|f| f.diagnostic.severity == s)
            .count()
    };
    let fixable = findings
        .iter()
        .filter(|f| f.diagnostic.preferred_fix().is_some())
        .count();
    use crate::analysis::Severity::*;
    writeln!(
        out,
        "Found {} problem{} ({} error{}, {} warning{}, {} info).",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" },
        count(Error),
        if count(Error) == 1 { "" } else { "s" },
        count(Warning),
        if count(Warning) == 1 { "" } else { "s" },
        count(Info) + count(Hint),
    )?;
    if fixable > 0 {
        writeln!(out, "[*] {fixable} fixable with `dash-lsp check --fix`.")?;
    }
    Ok(())
}
