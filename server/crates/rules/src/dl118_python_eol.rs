//! DL118 python-eol.

use crate::{Fixes, Rule};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::runtime::{end_of_life, OLDEST_SUPPORTED};
use dash_lsp_analysis::{Diagnostic, Severity};

pub(crate) const RULE: Rule = Rule {
    code: "DL118",
    name: "python-eol",
    severity: Severity::Warning,
    doc: r#"`runtime.txt` or `.python-version` names a Python whose upstream support has ended.
As of 2026-11 that is every release up to 3.10 (3.10 ended October 2026, 3.9 October 2025,
3.8 October 2024; the table is in `analysis/runtime.rs`, from devguide.python.org/versions).

**Why it matters on the server.** No more security fixes, and platforms drop old Pythons from
their build images: a redeploy that worked last month fails to build. New releases of `dash`,
`pandas` and `numpy` stop supporting it too.

**Fix.** None: move to a supported Python (3.12 is a safe choice) and test the app on it.
"#,
    check,
    fixes: Fixes::None,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    for (path, parsed) in crate::helpers::runtime_files(app) {
        let Ok(version) = parsed else {
            continue;
        };
        if let Some(when) = end_of_life(&version) {
            out.push(RULE.diagnostic(
                &path,
                version.span.clone(),
                format!(
                    "Python {}.{} reached its upstream end of life in {when}: no security fixes, and build images drop it; use {OLDEST_SUPPORTED} or newer",
                    version.major, version.minor
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn old_pythons_are_reported() {
        let files = [
            ("runtime.txt", "python-3.8.18\n"),
            (".python-version", "3.9\n"),
            ("requirements.txt", "dash\n"),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL118");
        let found: Vec<_> = d.iter().map(|d| covered(&ws, d)).collect();
        assert_eq!(found, ["3.9", "3.8.18"]);
        assert_eq!(
            d[1].message,
            "Python 3.8 reached its upstream end of life in October 2024: no security fixes, and build images drop it; use 3.11 or newer"
        );
    }

    #[test]
    fn suppressed_at_the_top_of_python_version() {
        let files = [
            (".python-version", "# dash-lsp: ignore DL118\n3.8\n"),
            ("requirements.txt", "dash\n"),
        ];
        assert!(check_files(&files, "DL118").is_empty());
        assert!(check_files(&files, "DL116").is_empty());
        assert!(check_files(&files, "DL001").is_empty());
    }

    #[test]
    fn supported_pythons_are_not() {
        // The same setup does report an old one.
        assert_eq!(
            check_files(
                &[("runtime.txt", "python-3.7"), ("requirements.txt", "")],
                "DL118"
            )
            .len(),
            1
        );
        for v in ["python-3.11", "python-3.12.7", "python-3.13"] {
            assert!(
                check_files(&[("runtime.txt", v), ("requirements.txt", "")], "DL118").is_empty(),
                "{v}"
            );
        }
    }
}
