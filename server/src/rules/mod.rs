//! The rule catalog: one module per rule (doc, check, fix, tests) and the registry.
//! Codes and names are a public interface (`../shared/RULES.md`).

use std::ops::Range;
use std::path::Path;

use crate::analysis::project::{app_roots, App};
use crate::analysis::python::{BindingKind, PythonModule};
use crate::analysis::text::{eol_of, first_line};
use crate::analysis::{Diagnostic, FileEdit, Severity, Workspace};

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
pub mod dl201_unguarded_run;
pub mod dl202_removed_dash_api;
pub mod dl203_obsolete_component_import;
pub mod dl204_absolute_local_path;
pub mod dl205_file_not_deployed;
pub mod dl206_hardcoded_secret;
pub mod dl207_hardcoded_service_url;
pub mod dl208_hardcoded_path_prefix;
pub mod dl301_data_read_in_callback;
pub mod dl302_csv_prefer_parquet;
pub mod dl303_large_callback_payload;
pub mod dl304_global_state_in_callback;
pub mod dl305_large_data_file;
pub mod dl306_ephemeral_file_write;
pub mod dl307_missing_health_checks;
pub mod dl401_duplicate_callback_output;
pub mod dl402_unknown_component_id;
pub mod dl403_circular_callbacks;
pub mod dl404_duplicate_component_id;

#[cfg(test)]
pub(crate) mod testing;

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
    &dl201_unguarded_run::RULE,
    &dl202_removed_dash_api::RULE,
    &dl203_obsolete_component_import::RULE,
    &dl204_absolute_local_path::RULE,
    &dl205_file_not_deployed::RULE,
    &dl206_hardcoded_secret::RULE,
    &dl207_hardcoded_service_url::RULE,
    &dl208_hardcoded_path_prefix::RULE,
    &dl301_data_read_in_callback::RULE,
    &dl302_csv_prefer_parquet::RULE,
    &dl303_large_callback_payload::RULE,
    &dl304_global_state_in_callback::RULE,
    &dl305_large_data_file::RULE,
    &dl306_ephemeral_file_write::RULE,
    &dl307_missing_health_checks::RULE,
    &dl401_duplicate_callback_output::RULE,
    &dl402_unknown_component_id::RULE,
    &dl403_circular_callbacks::RULE,
    &dl404_duplicate_component_id::RULE,
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

/// An edit that adds `import os` to the module's import block (after its last leading
/// import, or at the top after a docstring), or `None` when `os` is already imported.
pub fn import_os_edit(file: &Path, text: &str, py: &PythonModule) -> Option<FileEdit> {
    let imported = py
        .names
        .get("os")
        .is_some_and(|b| matches!(&b.kind, BindingKind::Imported { target } if target == "os"));
    if imported {
        return None;
    }
    let root = py.tree.root_node();
    let mut cursor = root.walk();
    let mut after = None;
    for (i, stmt) in root.named_children(&mut cursor).enumerate() {
        match stmt.kind() {
            "import_statement" | "import_from_statement" | "future_import_statement" => {
                after = Some(stmt.end_byte())
            }
            "comment" => {}
            // A module docstring.
            "expression_statement"
                if i == 0 && stmt.named_child(0).is_some_and(|c| c.kind() == "string") =>
            {
                after = Some(stmt.end_byte())
            }
            _ => break,
        }
    }
    let eol = eol_of(text);
    Some(match after {
        Some(end) => {
            let at = line_end(text, end);
            let at = if at < text.len() { at + eol.len() } else { at };
            let prefix = if at == text.len() && !text.ends_with('\n') {
                eol
            } else {
                ""
            };
            FileEdit::Replace {
                file: file.to_path_buf(),
                range: at..at,
                new_text: format!("{prefix}import os{eol}"),
            }
        }
        None => FileEdit::Replace {
            file: file.to_path_buf(),
            range: 0..0,
            new_text: format!("import os{eol}"),
        },
    })
}

/// `SECRET_KEY` from `secret_key`, `apiKey`, `db-password`.
pub fn env_name(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase()
        } else {
            '_'
        });
    }
    out.trim_matches('_').to_string()
}

/// Rewrites a string literal node's text to hold `value`, keeping its quote character.
pub fn string_literal_like(original: &str, value: &str) -> String {
    let quote = original
        .trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .chars()
        .next()
        .filter(|c| *c == '\'' || *c == '"')
        .unwrap_or('"');
    let escaped = value
        .replace('\\', "\\\\")
        .replace(quote, &format!("\\{quote}"));
    format!("{quote}{escaped}{quote}")
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
