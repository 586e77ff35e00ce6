//! DL002 invalid-config.

use std::path::Path;

use crate::registry::codes;
use crate::{Fixes, Rule};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::settings::{find_config, Settings};
use dash_lsp_analysis::{Diagnostic, Severity, Workspace};

pub(crate) const RULE: Rule = Rule {
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

/// The settings of the app at `root` from its configuration file (`config`, else the one
/// found above the app), with a DL002 in `out` for each problem of the file.
pub(crate) fn file_settings(
    ws: &Workspace,
    root: &Path,
    config: Option<&Path>,
    out: &mut Vec<Diagnostic>,
) -> Settings {
    let config = config
        .map(Path::to_path_buf)
        .or_else(|| find_config(ws, root));
    let mut file_settings = Settings::default();
    if let Some(config) = &config {
        let text = ws.text(config).unwrap_or("");
        let pyproject = config.file_name().is_some_and(|n| n == "pyproject.toml");
        let (parsed, problems) = Settings::from_toml(text, pyproject, codes());
        file_settings = parsed.unwrap_or_default();
        for problem in problems {
            out.push(RULE.diagnostic(config, problem.range, problem.message));
        }
    }
    file_settings
}
