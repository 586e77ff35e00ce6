//! The rule catalog: one module per rule (doc, check, fix, tests) and the registry.
//! Codes and names are a public interface (`../shared/RULES.md`).

use std::ops::Range;
use std::path::Path;

use crate::analysis::project::{app_roots, App};
use crate::analysis::text::first_line;
use crate::analysis::{Diagnostic, Severity, Workspace};

pub mod dl101_missing_server_export;
pub mod dl102_missing_procfile;
pub mod dl103_procfile_syntax;
pub mod dl104_procfile_no_web;
pub mod dl105_procfile_web_not_gunicorn;
pub mod dl106_procfile_target_unresolved;
pub mod dl107_missing_requirements;
pub mod dl108_gunicorn_not_required;
pub mod dl110_dash_not_required;
pub mod dl114_gunicorn_single_worker;

#[cfg(test)]
pub mod testing;

pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// Markdown: what the rule finds, why it matters on the server, and its fix.
    pub doc: &'static str,
    pub check: fn(&App, &mut Vec<Diagnostic>),
}

impl Rule {
    pub fn diagnostic(
        &self,
        file: &Path,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            code: self.code,
            name: self.name,
            severity: self.severity,
            file: file.to_path_buf(),
            range,
            message: message.into(),
            fixes: Vec::new(),
            related: Vec::new(),
        }
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("code", &self.code)
            .field("name", &self.name)
            .finish()
    }
}

/// Every rule, in code order.
pub static RULES: &[&Rule] = &[
    &dl101_missing_server_export::RULE,
    &dl102_missing_procfile::RULE,
    &dl103_procfile_syntax::RULE,
    &dl104_procfile_no_web::RULE,
    &dl105_procfile_web_not_gunicorn::RULE,
    &dl106_procfile_target_unresolved::RULE,
    &dl107_missing_requirements::RULE,
    &dl108_gunicorn_not_required::RULE,
    &dl110_dash_not_required::RULE,
    &dl114_gunicorn_single_worker::RULE,
];

pub fn rule(code_or_name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// Runs every rule on every app of the workspace. Sorted by file, position, code.
pub fn check(ws: &Workspace) -> Vec<Diagnostic> {
    let roots = app_roots(ws);
    let mut out = Vec::new();
    for root in &roots {
        let app = App::build(ws, root, &roots);
        check_app(&app, &mut out);
    }
    sort(&mut out);
    out
}

pub fn check_app(app: &App, out: &mut Vec<Diagnostic>) {
    for rule in RULES {
        (rule.check)(app, out);
    }
}

pub fn sort(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        (&a.file, a.range.start, a.code, a.range.end, &a.message).cmp(&(
            &b.file,
            b.range.start,
            b.code,
            b.range.end,
            &b.message,
        ))
    });
    diags.dedup();
}

/// Line 1 of a file, where "file-level" diagnostics go.
pub fn line_one(text: &str) -> Range<usize> {
    first_line(text)
}

/// The first line of a multi-line range.
pub fn first_line_of(text: &str, range: Range<usize>) -> Range<usize> {
    let end = text[range.clone()]
        .find(['\r', '\n'])
        .map_or(range.end, |i| range.start + i);
    range.start..end
}

/// The indentation of the line holding `offset`.
pub fn indent_at(text: &str, offset: usize) -> &str {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..];
    let width = line.len() - line.trim_start_matches([' ', '\t']).len();
    &line[..width]
}

/// The end of the line holding `offset` (before its line ending).
pub fn line_end(text: &str, offset: usize) -> usize {
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    if end > offset && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}
