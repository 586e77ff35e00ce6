//! DL116 runtime-syntax.

use crate::helpers::runtime_files;
use crate::{Fixes, Rule};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, Severity};

pub(crate) const RULE: Rule = Rule {
    code: "DL116",
    name: "runtime-syntax",
    severity: Severity::Error,
    doc: r#"`runtime.txt` is not exactly one line `python-X.Y` or `python-X.Y.Z` (integers without
leading zeros; no comments, no other lines), or `.python-version` is not one version line
`X.Y` / `X.Y.Z` (`#` comment lines allowed).

**Why it breaks on the server.** The buildpack reads the file to choose the Python to install;
a line it cannot read (`python3.12`, `Python-3.12`, `python-3.12 # prod`) fails the build.

**Fix.** None: write the version as `python-3.12` (runtime.txt) or `3.12` (.python-version).
"#,
    check,
    fixes: Fixes::None,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    for (path, parsed) in runtime_files(app) {
        if let Err(problem) = parsed {
            out.push(RULE.diagnostic(&path, problem.range, problem.message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn bad_runtime_files() {
        let files = [
            ("runtime.txt", "python3.12\n"),
            (".python-version", "# comment\n3.12\n3.11\n"),
            ("requirements.txt", "dash\n"),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL116");
        let found: Vec<_> = d
            .iter()
            .map(|d| (d.file.to_str().unwrap(), covered(&ws, d)))
            .collect();
        assert_eq!(
            found,
            [(".python-version", "3.11"), ("runtime.txt", "python3.12")]
        );
        assert_eq!(d[0].message, ".python-version must name one version only");
    }

    #[test]
    fn good_runtime_files() {
        assert!(check_files(
            &[
                ("runtime.txt", "python-3.12.4\n"),
                (".python-version", "3.12\n"),
                ("requirements.txt", "dash\n"),
            ],
            "DL116"
        )
        .is_empty());
    }
}
