//! Helpers several rules share (edits, names, line ranges, sizes).

use std::ops::Range;
use std::path::Path;

use dash_lsp_analysis::project::App;
use dash_lsp_analysis::python::{BindingKind, DashApp, PythonModule};
use dash_lsp_analysis::runtime::{
    parse_python_version, parse_runtime_txt, PythonVersion, RuntimeProblem,
};
use dash_lsp_analysis::tables;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix};
use dash_lsp_syntax::kinds::PyNode;
use dash_lsp_syntax::text::{append_line, eol_of, first_line};

use crate::Rule;

/// An edit that adds `import os` to the module's import block (after its last leading
/// import, or at the top after a docstring), or `None` when `os` is already imported.
pub(crate) fn import_os_edit(file: &Path, text: &str, py: &PythonModule) -> Option<FileEdit> {
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
pub(crate) fn env_name(name: &str) -> String {
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

/// Line 1 of a file, where "file-level" diagnostics go.
pub(crate) fn line_one(text: &str) -> Range<usize> {
    first_line(text)
}

/// The first line of a multi-line range.
pub(crate) fn first_line_of(text: &str, range: Range<usize>) -> Range<usize> {
    let end = text[range.clone()]
        .find(['\r', '\n'])
        .map_or(range.end, |i| range.start + i);
    range.start..end
}

/// The indentation of the line holding `offset`.
pub(crate) fn indent_at(text: &str, offset: usize) -> &str {
    let line_start = dash_lsp_syntax::text::line_start(text, offset);
    let line = &text[line_start..];
    let width = line.len() - line.trim_start_matches([' ', '\t']).len();
    &line[..width]
}

/// The end of the line holding `offset` (before its line ending).
pub(crate) fn line_end(text: &str, offset: usize) -> usize {
    dash_lsp_syntax::text::line_end(text, offset)
}

/// `name = <app>.server` on a new line after the app's assignment statement (after its
/// closing paren and anything else on that line), at the statement's indentation.
pub(crate) fn insert_server_fix(
    file: &std::path::Path,
    text: &str,
    dash_app: &DashApp,
    name: &str,
) -> Fix {
    let at = line_end(text, dash_app.stmt.end);
    let new_text = format!(
        "{}{}{name} = {}.server",
        eol_of(text),
        indent_at(text, dash_app.stmt.start),
        dash_app.name
    );
    Fix::preferred(
        format!("Add `{name} = {}.server`", dash_app.name),
        vec![FileEdit::Replace {
            file: file.to_path_buf(),
            range: at..at,
            new_text,
        }],
    )
}

/// Reports `rule` on line 1 of requirements.txt when `dist` is neither listed nor brought by
/// a listed distribution (`dash-bootstrap-components` brings `dash`), with a fix that appends
/// it. Silent while pip cannot read the files (DL109): nothing installs then. A hash-checking
/// file refuses a line without hashes: no fix, the lock must be regenerated.
pub(crate) fn check_listed(
    app: &App,
    out: &mut Vec<Diagnostic>,
    rule: &Rule,
    dist: &str,
    message: &str,
) {
    let Some(reqs) = &app.requirements else {
        return;
    };
    if !reqs.readable()
        || reqs.lists(dist)
        || reqs
            .entries
            .iter()
            .any(|(_, r)| tables::brings(&r.normalized, &r.extras, dist))
    {
        return;
    }
    let text = reqs.file.text();
    if reqs.hash_checking(&reqs.file.path) {
        out.push(rule.diagnostic(
            &reqs.file.path,
            line_one(text),
            format!(
                "{message} (requirements.txt is a hash-checking lock file: regenerate it with `{dist}` added)"
            ),
        ));
        return;
    }
    let (range, new_text) = append_line(text, dist);
    out.push(
        rule.diagnostic(&reqs.file.path, line_one(text), message)
            .with_fix(
                Fix::preferred(
                    format!("Add `{dist}` to requirements.txt"),
                    vec![FileEdit::Replace {
                        file: reqs.file.path.clone(),
                        range,
                        new_text,
                    }],
                )
                .adding_requirement(dist, dist, &reqs.files),
            ),
    );
}

/// Deletes a whole line (content, its continuation lines and its line ending).
pub(crate) fn delete_line(
    file: &std::path::Path,
    text: &str,
    line: std::ops::Range<usize>,
) -> FileEdit {
    let start = dash_lsp_syntax::text::line_start(text, line.start);
    let end = match dash_lsp_syntax::text::line_ends(&text[line.end..]).next() {
        Some((_, next)) => line.end + next,
        // The last line without a final newline: take the line break before it instead.
        None => {
            return FileEdit::Replace {
                file: file.to_path_buf(),
                range: text[..start]
                    .strip_suffix("\r\n")
                    .or_else(|| text[..start].strip_suffix(['\n', '\r']))
                    .map_or(start, str::len)..text.len(),
                new_text: String::new(),
            }
        }
    };
    FileEdit::Replace {
        file: file.to_path_buf(),
        range: start..end,
        new_text: String::new(),
    }
}

/// The runtime files of an app with their parse results.
pub(crate) fn runtime_files(
    app: &App,
) -> Vec<(std::path::PathBuf, Result<PythonVersion, RuntimeProblem>)> {
    let mut out = Vec::new();
    for (name, parse) in [
        ("runtime.txt", parse_runtime_txt as fn(&str) -> _),
        (".python-version", parse_python_version),
    ] {
        let path = app.root.join(name);
        if let Some(text) = app.ws.text(&path) {
            out.push((path, parse(text)));
        }
    }
    out
}

/// Module-level names holding a DataFrame read or built whole.
pub(crate) fn module_dataframes(py: &PythonModule, text: &str) -> Vec<String> {
    py.names
        .keys()
        .filter(|name| {
            py.assigned_value(name).is_some_and(|v| {
                v.kind() == "call"
                    && v.field("function")
                        .and_then(|f| py.qualified(f, text))
                        .is_some_and(|q| {
                            (q.starts_with("pandas.read_") && !q.starts_with("pandas.read_sql"))
                                || q == "pandas.DataFrame"
                                || q.starts_with("pandas.read_sql")
                        })
            })
        })
        .cloned()
        .collect()
}

pub(crate) fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

/// The relative path, `/`-separated, that opens `found` from `cwd` (the folder gunicorn runs
/// in); `None` when `found` is not under it: a relative path written into the code resolves
/// against `cwd`, so anything else would point at nothing on the server.
pub(crate) fn path_from_cwd(found: &Path, cwd: &Path) -> Option<String> {
    let rel = found.strip_prefix(cwd).ok()?;
    Some(rel.to_string_lossy().replace('\\', "/")).filter(|r| !r.is_empty())
}
