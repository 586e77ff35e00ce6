//! DL110 dash-not-required.

use crate::helpers::check_listed;
use crate::{Fixes, Rule};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, Severity};

pub(crate) const RULE: Rule = Rule {
    code: "DL110",
    name: "dash-not-required",
    severity: Severity::Error,
    doc: r#"`requirements.txt` (following `-r` includes, and the files the `app.json` predeploy command
installs) does not list `dash` (or `dash[...]`), and no listed distribution brings it
(`dash-bootstrap-components`, `dash-labs` depend on `dash`). Silent while pip cannot read the
files (DL109).

**Why it breaks on the server.** The buildpack installs only what is listed: `import dash`
fails with `ModuleNotFoundError` in every worker.

**Fix.** Append `dash` as a new line; none in a hash-checking file (`--hash=`), which must be
regenerated.
"#,
    check,
    fixes: Fixes::Safe,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    check_listed(
        app,
        out,
        &RULE,
        "dash",
        "dash is not listed in requirements.txt: `import dash` fails on the server",
    );
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn reported_and_fixed() {
        let fixed = fix_round_trip(&[("requirements.txt", "gunicorn\n")], "DL110", 0);
        assert_eq!(text(&fixed, "requirements.txt"), "gunicorn\ndash\n");
    }

    #[test]
    fn brought_by_a_listed_distribution() {
        assert!(check_files(
            &[(
                "requirements.txt",
                "dash-bootstrap-components==1.6.0\ngunicorn\n"
            )],
            "DL110"
        )
        .is_empty());
    }

    #[test]
    fn silent_while_pip_cannot_read_the_files() {
        let conda = "dash=1.13.4=pypi_0\ngunicorn=20.0.4=pypi_0\n";
        assert!(check_files(&[("requirements.txt", conda)], "DL110").is_empty());
        assert!(check_files(
            &[("requirements.txt", "gunicorn\n-r missing.txt\n")],
            "DL110"
        )
        .is_empty());
    }

    #[test]
    fn no_fix_in_a_hash_checking_file() {
        let files = [(
            "requirements.txt",
            "gunicorn==23.0.0 \\\n    --hash=sha256:aa\n",
        )];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL110");
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty());
        assert_eq!(
            d[0].message,
            "dash is not listed in requirements.txt: `import dash` fails on the server (requirements.txt is a hash-checking lock file: regenerate it with `dash` added)"
        );
        // A hash in an included file puts the whole install in hash-checking mode.
        let d = check_files(
            &[
                ("requirements.txt", "-r lock.txt\n"),
                ("lock.txt", "gunicorn==23.0.0 --hash=sha256:aa\n"),
            ],
            "DL110",
        );
        assert!(d[0].fixes.is_empty());
    }

    #[test]
    fn predeploy_files_count() {
        let files = [
            ("requirements.txt", "gunicorn\n"),
            (
                "app.json",
                r#"{"scripts": {"dokku": {"predeploy": "bash predeploy.sh"}}}"#,
            ),
            (
                "predeploy.sh",
                "pip install -r requirements-predeploy.txt\n",
            ),
            ("requirements-predeploy.txt", "dash==1.19.0\n"),
        ];
        assert!(check_files(&files, "DL110").is_empty());
    }

    #[test]
    fn extras_and_pins_count() {
        assert!(check_files(
            &[("requirements.txt", "dash[diskcache]==2.17.1\n")],
            "DL110"
        )
        .is_empty());
        assert!(check_files(&[("requirements.txt", "Dash>=2\n")], "DL110").is_empty());
    }
}
