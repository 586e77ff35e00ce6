//! DL108 gunicorn-not-required.

use super::Rule;
use crate::analysis::project::App;
use crate::analysis::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "DL108",
    name: "gunicorn-not-required",
    severity: Severity::Error,
    doc: r#"`requirements.txt` (following `-r` includes, and the files the `app.json` predeploy command
installs) does not list `gunicorn`, and no listed distribution brings it. Silent while pip
cannot read the files (DL109).

**Why it breaks on the server.** The start command runs gunicorn, which must be installed;
without it the process fails with `gunicorn: command not found`.

**Fix.** Append `gunicorn` as a new line (adding the missing final newline first); none in a
hash-checking file (`--hash=`), which must be regenerated.
"#,
    check,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    super::dl110_dash_not_required::check_listed(
        app,
        out,
        &RULE,
        "gunicorn",
        "requirements.txt does not list gunicorn, which the start command runs",
    );
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn reported_on_line_one_and_fixed() {
        let files = [("requirements.txt", "dash==3.2.0\r\npandas")];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL108");
        assert_eq!(covered(&ws, &d[0]), "dash==3.2.0");
        assert_eq!(
            d[0].message,
            "requirements.txt does not list gunicorn, which the start command runs"
        );
        let fixed = fix_round_trip(&files, "DL108", 0);
        assert_eq!(
            text(&fixed, "requirements.txt"),
            "dash==3.2.0\r\npandas\r\ngunicorn\r\n"
        );
    }

    #[test]
    fn listed_directly_or_through_an_include() {
        assert!(check_files(&[("requirements.txt", "Gunicorn==23.0\n")], "DL108").is_empty());
        assert!(check_files(
            &[
                ("requirements.txt", "-r prod.txt\n"),
                ("prod.txt", "gunicorn\n")
            ],
            "DL108"
        )
        .is_empty());
        assert_eq!(check_files(&[("requirements.txt", "")], "DL108").len(), 1);
        // Installed from a URL, it is gunicorn all the same.
        assert!(check_files(
            &[(
                "requirements.txt",
                "dash\nhttps://github.com/benoitc/gunicorn/archive/23.0.0.zip#egg=gunicorn\n"
            )],
            "DL108"
        )
        .is_empty());
    }
}
