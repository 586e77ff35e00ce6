//! DL003 unreadable-file.

use crate::{Fixes, Rule};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::workspace::Content;
use dash_lsp_analysis::{Diagnostic, Severity, Workspace};

pub(crate) const RULE: Rule = Rule {
    code: "DL003",
    name: "unreadable-file",
    severity: Severity::Error,
    doc: r#"A file dash-lsp checks (a Python module, `Procfile`, `requirements.txt`, `CHECKS`,
`runtime.txt`, ...) could not be read: it is not valid UTF-8 (a binary file, or a text saved
in another encoding), it is larger than 16 MB, or the operating system refused to read it.
A Python module whose shape Python itself refuses (more than 100 levels of indentation, or
brackets nested more than 200 deep) is not parsed either, and is reported the same way.
The file is not checked, and no rule pretends it is missing. An error when the bytes or the
shape are ones Python or the buildpack refuse; a warning when only the check is limited (a file
over 16 MB, a symbolic link leading outside the checked folder, a read the local system
refused, an encoding Python reads but dash-lsp does not decode). Data files (a `.txt` that no
requirements file names, a CSV) are never read, so their encoding is never reported.

**Why it matters on the server.** Python refuses a module that is not UTF-8 (unless it
declares its encoding), and the platform's buildpack reads `Procfile` and `requirements.txt` as
UTF-8 text: the deploy fails where the laptop may not.

**Fix.** None: save the file as UTF-8 (or remove the binary file).
"#,
    check,
    fixes: Fixes::None,
};

/// Reported by the engine once per file, not per app.
fn check(_: &App, _: &mut Vec<Diagnostic>) {}

/// Whether the reason a file is not read also fails the deploy: bytes Python or the buildpack
/// refuse, a shape Python refuses. A large file, a link not followed or a read the local
/// system refused say nothing of the server: unchecked, not broken (a warning).
fn certain_failure(reason: &str) -> bool {
    !(reason.starts_with("a symbolic link")
        // A PEP 263 encoding Python reads and dash-lsp does not (`koi8-r`): the app boots.
        || reason.starts_with("declared encoding")
        || reason == dash_lsp_analysis::workspace::TOO_LARGE
        || reason.contains("(os error"))
}

/// One diagnostic per file that should be text but could not be read, at its start (only
/// files dash-lsp reads are ever unreadable: by name, or named by a requirements file).
pub(crate) fn unreadable(ws: &Workspace) -> Vec<Diagnostic> {
    ws.files()
        .filter_map(|(path, entry)| match &entry.content {
            Content::Unreadable(reason) => {
                let mut d = RULE.diagnostic(
                    path,
                    0..0,
                    format!(
                        "{} cannot be read ({reason}): it is not checked",
                        path.display()
                    ),
                );
                if !certain_failure(reason) {
                    d.severity = Severity::Warning;
                }
                Some(d)
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::check;
    use dash_lsp_analysis::workspace::{Content, FileEntry};
    use std::path::PathBuf;
    use std::sync::Arc;

    #[test]
    fn reported_and_not_taken_for_missing() {
        let mut ws = crate::testing::workspace(&[(
            "app.py",
            "import dash\napp = dash.Dash()\nserver = app.server\n",
        )]);
        for name in ["Procfile", "requirements.txt"] {
            ws.insert_entry(
                PathBuf::from(name),
                FileEntry {
                    size: 4,
                    content: Content::Unreadable(Arc::from("not valid UTF-8")),
                },
            );
        }
        let found: Vec<_> = check(&ws)
            .iter()
            .map(|d| (d.code, d.file.display().to_string(), d.message.clone()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "DL003",
                    "Procfile".into(),
                    "Procfile cannot be read (not valid UTF-8): it is not checked".into()
                ),
                (
                    "DL003",
                    "requirements.txt".into(),
                    "requirements.txt cannot be read (not valid UTF-8): it is not checked".into()
                ),
            ]
        );
    }

    #[test]
    fn limited_checks_are_warnings() {
        let mut ws = crate::testing::workspace(&[(
            "app.py",
            "import dash\napp = dash.Dash()\nserver = app.server\n",
        )]);
        for (name, why) in [
            ("big.py", dash_lsp_analysis::workspace::TOO_LARGE),
            (
                "helpers.py",
                "a symbolic link to a file outside the checked folder, which is not read",
            ),
            ("secret.py", "Permission denied (os error 13)"),
            ("latin.py", "not valid UTF-8"),
        ] {
            ws.insert_entry(
                PathBuf::from(name),
                FileEntry {
                    size: 4,
                    content: Content::Unreadable(Arc::from(why)),
                },
            );
        }
        let found: Vec<_> = super::unreadable(&ws)
            .iter()
            .map(|d| (d.file.display().to_string(), d.severity))
            .collect();
        use dash_lsp_analysis::Severity::{Error, Warning};
        assert_eq!(
            found,
            [
                ("big.py".to_string(), Warning),
                ("helpers.py".to_string(), Warning),
                ("latin.py".to_string(), Error),
                ("secret.py".to_string(), Warning),
            ]
        );
    }
}
