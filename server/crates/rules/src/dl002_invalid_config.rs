//! DL002 invalid-config.

use super::{Fixes, Rule};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "DL002",
    name: "invalid-config",
    severity: Severity::Error,
    doc: r#"A problem in dash-lsp's configuration (`[tool.dash-lsp]` in `pyproject.toml`, or
`dash-lsp.toml`): invalid TOML, an unknown key, or a bad value (a rule code that does not
exist, a negative size, an invalid glob). The setting is not applied; the rest of the file is.

Keys: `select`, `extend-select`, `ignore` (rule codes or prefixes, `ALL`), `severity`
(`{ DL301 = "error" }`), `large-file-mb`, `parquet-hint-mb`, `entry` (the entry module, relative
to the app root), `exclude` (globs of app files to skip).
"#,
    check,
    fixes: Fixes::None,
};

/// Reported by the configuration pass of the engine, not per app.
fn check(_: &App, _: &mut Vec<Diagnostic>) {}
