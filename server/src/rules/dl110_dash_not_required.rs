//! DL110 dash-not-required.

use super::{line_one, Rule};
use crate::analysis::project::App;
use crate::analysis::text::append_line;
use crate::analysis::{Diagnostic, FileEdit, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "DL110",
    name: "dash-not-required",
    severity: Severity::Error,
    doc: r#"`requirements.txt` (following `-r` includes) does not list `dash` (or `dash[...]`).

**Why it breaks on the server.** The buildpack installs only what is listed: `import dash`
fails with `ModuleNotFoundError` in every worker.

**Fix.** Append `dash` as a new line.
"#,
    check,
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

/// Reports `rule` on line 1 of requirements.txt when `dist` is not listed, with a fix that
/// appends it.
pub fn check_listed(app: &App, out: &mut Vec<Diagnostic>, rule: &Rule, dist: &str, message: &str) {
    let Some(reqs) = &app.requirements else {
        return;
    };
    if reqs.lists(dist) {
        return;
    }
    let text = reqs.file.text();
    let (range, new_text) = append_line(text, dist);
    out.push(
        rule.diagnostic(&reqs.file.path, line_one(text), message)
            .with_fix(Fix::preferred(
                format!("Add `{dist}` to requirements.txt"),
                vec![FileEdit::Replace {
                    file: reqs.file.path.clone(),
                    range,
                    new_text,
                }],
            )),
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
    fn extras_and_pins_count() {
        assert!(check_files(
            &[("requirements.txt", "dash[diskcache]==2.17.1\n")],
            "DL110"
        )
        .is_empty());
        assert!(check_files(&[("requirements.txt", "Dash>=2\n")], "DL110").is_empty());
    }
}
