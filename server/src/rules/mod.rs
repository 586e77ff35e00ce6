//! The rule catalog: one module per rule (doc, check, fix, tests) and the registry.
//! Codes and names are a public interface (`../shared/RULES.md`).

use std::ops::Range;
use std::path::Path;

use std::path::PathBuf;

use crate::analysis::project::{app_roots, App};
use crate::analysis::python::{BindingKind, PythonModule};
use crate::analysis::settings::{find_config, Settings};
use crate::analysis::text::{eol_of, first_line};
use crate::analysis::{Diagnostic, FileEdit, Severity, Workspace};

pub mod dl001_unused_suppression;
pub mod dl002_invalid_config;
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
pub mod suppression;

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
    &dl001_unused_suppression::RULE,
    &dl002_invalid_config::RULE,
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

/// Runs every rule on every app of the workspace with each app's configuration file.
/// Sorted by file, position, code.
pub fn check(ws: &Workspace) -> Vec<Diagnostic> {
    check_with(ws, &CheckOptions::default())
}

/// What the caller layers over the configuration files.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Settings from the CLI or the editor: they win over the files.
    pub overrides: Settings,
    /// A configuration file to use instead of discovering one (`--config`), relative to the
    /// workspace root.
    pub config: Option<PathBuf>,
}

pub fn check_with(ws: &Workspace, options: &CheckOptions) -> Vec<Diagnostic> {
    let roots = app_roots(ws);
    let mut out = Vec::new();
    // Diagnostics dropped per file by configuration (disabled or excluded), so that their
    // suppressions are not reported as unused.
    let mut settings_of_file: Vec<(PathBuf, Settings)> = Vec::new();
    for root in &roots {
        let config = options.config.clone().or_else(|| find_config(ws, root));
        let mut file_settings = Settings::default();
        if let Some(config) = &config {
            let text = ws.text(config).unwrap_or("");
            let pyproject = config.file_name().is_some_and(|n| n == "pyproject.toml");
            let (parsed, problems) = Settings::from_toml(text, pyproject);
            file_settings = parsed.unwrap_or_default();
            for problem in problems {
                out.push(dl002_invalid_config::RULE.diagnostic(
                    config,
                    problem.range,
                    problem.message,
                ));
            }
        }
        let settings = file_settings.overlay(&options.overrides);
        let app = App::build_with(ws, root, &roots, settings.clone());
        let mut found = Vec::new();
        check_app(&app, &mut found);
        for mut d in found {
            if !settings.enabled(d.code)
                || settings.excludes(d.file.strip_prefix(root).unwrap_or(&d.file))
            {
                continue;
            }
            d.severity = settings.severity_of(d.code, d.severity);
            out.push(d);
        }
        settings_of_file.push((root.clone(), settings));
    }
    let enabled = |file: &Path, code: &str| {
        settings_of_file
            .iter()
            .filter(|(root, _)| file.starts_with(root))
            .max_by_key(|(root, _)| root.components().count())
            .is_none_or(|(_, s)| s.enabled(code))
    };
    let mut out = apply_suppressions(ws, out, &enabled);
    sort(&mut out);
    out
}

/// Drops suppressed diagnostics and reports suppression codes that suppressed nothing.
fn apply_suppressions(
    ws: &Workspace,
    diags: Vec<Diagnostic>,
    enabled: &dyn Fn(&Path, &str) -> bool,
) -> Vec<Diagnostic> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut parsed: BTreeMap<PathBuf, suppression::FileSuppressions> = BTreeMap::new();
    for (path, entry) in ws.files() {
        let suppressible = path.extension().is_some_and(|e| e == "py" || e == "txt")
            || matches!(
                path.file_name().and_then(|n| n.to_str()),
                Some("Procfile" | "CHECKS" | ".python-version")
            );
        if !suppressible {
            continue;
        }
        if let crate::analysis::workspace::Content::Text(source) = &entry.content {
            let s = suppression::parse(path, source);
            if !s.lines.is_empty() || s.file.is_some() {
                parsed.insert(path.clone(), s);
            }
        }
    }
    let mut used: BTreeSet<(PathBuf, Option<usize>, String)> = BTreeSet::new();
    let mut kept = Vec::new();
    for d in diags {
        let Some(s) = parsed.get(&d.file) else {
            kept.push(d);
            continue;
        };
        let line = ws
            .source(&d.file)
            .map_or(0, |src| src.line_index().line_of(d.range.start));
        if s.lines.get(&line).is_some_and(|c| c.covers(d.code)) {
            used.insert((d.file.clone(), Some(line), d.code.to_string()));
        } else if s.file.as_ref().is_some_and(|c| c.covers(d.code)) {
            used.insert((d.file.clone(), None, d.code.to_string()));
        } else {
            kept.push(d);
        }
    }
    for (file, s) in &parsed {
        let file_codes: Vec<(String, std::ops::Range<usize>)> = match &s.file {
            Some(suppression::Codes::Some(codes)) => codes.clone(),
            _ => Vec::new(),
        };
        for (line, codes) in &s.lines {
            let suppression::Codes::Some(codes) = codes else {
                continue;
            };
            for (code, range) in codes {
                // Other tools' codes (`E501`) are not ours to judge.
                if !code.starts_with("DL") {
                    continue;
                }
                let file_level = file_codes.iter().any(|(_, r)| r == range);
                let was_used = used.contains(&(file.clone(), Some(*line), code.clone()))
                    || (file_level && used.contains(&(file.clone(), None, code.clone())));
                let message = if rule(code).is_none() {
                    format!("`{code}` is not a dash-lsp rule code")
                } else if was_used || !enabled(file, code) {
                    continue;
                } else {
                    format!("Unused suppression: no `{code}` is reported here")
                };
                if enabled(file, dl001_unused_suppression::RULE.code) {
                    kept.push(dl001_unused_suppression::RULE.diagnostic(
                        file,
                        range.clone(),
                        message,
                    ));
                }
            }
        }
    }
    kept
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

#[cfg(test)]
mod engine_tests {
    use super::testing::*;
    use super::*;

    const APP: &str = "import pandas as pd\nfrom dash import Dash, Input, Output\napp = Dash()\nserver = app.server\n@app.callback(Output('g', 'figure'), Input('r', 'value'))\ndef update(r):\n    df = pd.read_csv('data/x.csv')  # noqa: DL301\n    other = pd.read_csv('data/y.csv')  # noqa: DL206, DL999\n    return df\nTOKEN = 'abc'  # noqa\n";

    fn codes(ws: &Workspace) -> Vec<(String, String)> {
        check(ws)
            .iter()
            .map(|d| (d.code.to_string(), covered(ws, d).to_string()))
            .collect()
    }

    #[test]
    fn noqa_suppresses_and_stale_codes_are_reported() {
        let ws = workspace(&[
            ("app.py", APP),
            ("Procfile", "web: gunicorn app:server -w 4\n"),
            ("requirements.txt", "dash\ngunicorn\npandas\n"),
            ("data/x.csv", ""),
            ("data/y.csv", ""),
        ]);
        assert_eq!(
            codes(&ws),
            [
                ("DL301".into(), "pd.read_csv('data/y.csv')".into()),
                ("DL001".into(), "DL206".into()),
                ("DL001".into(), "DL999".into()),
            ]
        );
        let d = check(&ws);
        assert_eq!(
            d[1].message,
            "Unused suppression: no `DL206` is reported here"
        );
        assert_eq!(d[1].severity, Severity::Hint);
        assert_eq!(d[2].message, "`DL999` is not a dash-lsp rule code");
    }

    #[test]
    fn file_level_directives_in_deployment_files() {
        let ws = workspace(&[
            (
                "app.py",
                "import dash\napp = dash.Dash()\nserver = app.server\n",
            ),
            (
                "Procfile",
                "# dash-lsp: ignore DL114\nweb: gunicorn app:server\n",
            ),
            ("requirements.txt", "# dash-lsp: ignore DL108\ndash\n"),
        ]);
        assert!(codes(&ws).is_empty(), "{:?}", codes(&ws));
    }

    #[test]
    fn configuration_selects_ignores_and_rates() {
        let files = [
            ("app.py", "import dash\napp = dash.Dash()\nif True:\n    app.run()\n"),
            ("requirements.txt", "dash\n"),
            ("pyproject.toml", "[tool.dash-lsp]\nignore = [\"DL1\"]\nseverity = { DL201 = \"warning\" }\nbogus = true\n"),
        ];
        let ws = workspace(&files);
        let d = check(&ws);
        let found: Vec<_> = d
            .iter()
            .map(|d| (d.code, d.severity, covered(&ws, d)))
            .collect();
        assert_eq!(
            found,
            [
                ("DL201", Severity::Warning, "app.run()"),
                ("DL002", Severity::Error, "bogus")
            ]
        );
        // The CLI / editor layer wins over the file.
        let options = CheckOptions {
            overrides: Settings {
                ignore: Some(vec![]),
                ..Default::default()
            },
            config: None,
        };
        let codes: Vec<_> = check_with(&ws, &options).iter().map(|d| d.code).collect();
        assert!(
            codes.contains(&"DL101") && codes.contains(&"DL108"),
            "{codes:?}"
        );
    }

    #[test]
    fn nearest_config_wins_and_entry_and_exclude() {
        let ws = workspace(&[
            ("dash-lsp.toml", "ignore = [\"DL114\"]\n"),
            (
                "apps/a/dash-lsp.toml",
                "entry = \"src/dashboard.py\"\nexclude = [\"scratch/*\"]\n",
            ),
            (
                "apps/a/src/dashboard.py",
                "import dash\napp = dash.Dash()\n",
            ),
            (
                "apps/a/scratch/try.py",
                "import dash\napp = dash.Dash()\napp.run()\n",
            ),
            ("apps/a/requirements.txt", "dash\ngunicorn\n"),
        ]);
        let d = check(&ws);
        let found: Vec<_> = d
            .iter()
            .map(|d| (d.code, d.file.to_str().unwrap()))
            .collect();
        assert_eq!(
            found,
            [
                ("DL102", "apps/a/src/dashboard.py"),
                ("DL101", "apps/a/src/dashboard.py")
            ]
        );
    }
}
