//! DL115 checks-syntax.

use crate::{Fixes, Rule};
use dash_lsp_analysis::checks::{ChecksFile, Entry};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};

pub(crate) const RULE: Rule = Rule {
    code: "DL115",
    name: "checks-syntax",
    severity: Severity::Error,
    doc: r#"A `CHECKS` file (zero-downtime deploy checks) with: a setting other than `WAIT`,
`TIMEOUT` or `ATTEMPTS`, or whose value is not a positive integer; a check whose path does not
start with `/` (or `//host/...`, `http://`, `https://`); expected content containing `#` (the
rest of the line is cut off as a comment); the route typo `_dash_layout` (Dash serves
`_dash-layout`); a line that is none of setting, check or comment.

**Why it breaks on the server.** The platform runs the checks before switching traffic to the
new release; a check that can never pass (a wrong route, content cut at `#`) fails every
deploy, and an ignored setting leaves the defaults (which may be too short for an app that
loads its data at start-up).

**Fix.** For the typo: `_dash-layout`. Otherwise none: correct the line.
"#,
    check,
    fixes: Fixes::Safe,
};

const SETTINGS: &[&str] = &["WAIT", "TIMEOUT", "ATTEMPTS"];

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let path = app.root.join("CHECKS");
    let Some(text) = app.ws.text(&path) else {
        return;
    };
    for entry in ChecksFile::parse(text).entries {
        match entry {
            Entry::Invalid(range) => out.push(RULE.diagnostic(
                &path,
                range,
                "Not a setting (`WAIT=5`), a check (`/path expected content`) or a comment",
            )),
            Entry::Setting(s) => {
                let name = &text[s.name.clone()];
                let value = &text[s.value.clone()];
                if !SETTINGS.contains(&name) {
                    out.push(RULE.diagnostic(
                        &path,
                        s.name,
                        format!("Unknown setting `{name}`: CHECKS reads `WAIT`, `TIMEOUT` and `ATTEMPTS`"),
                    ));
                } else if !is_positive_integer(value) {
                    let range = if s.value.is_empty() {
                        s.name.start..s.value.end
                    } else {
                        s.value
                    };
                    out.push(RULE.diagnostic(
                        &path,
                        range,
                        format!(
                            "`{name}` must be a positive whole number of {}",
                            if name == "ATTEMPTS" {
                                "attempts"
                            } else {
                                "seconds"
                            }
                        ),
                    ));
                }
            }
            Entry::Check(c) => {
                let route = &text[c.path.clone()];
                let url = route.starts_with("http://") || route.starts_with("https://");
                if SETTINGS.contains(&route) {
                    let value = c.content.clone().map_or("5", |r| &text[r]);
                    out.push(RULE.diagnostic(
                        &path,
                        c.path.start..c.content.clone().map_or(c.path.end, |r| r.end),
                        format!("This reads as a check of the path `{route}`: a setting is written `{route}={value}`"),
                    ));
                } else if !route.starts_with('/') && !url {
                    out.push(RULE.diagnostic(
                        &path,
                        c.path.clone(),
                        format!("The check path `{route}` must start with `/` (or `//host/`, `http://`, `https://`)"),
                    ));
                }
                if let Some(at) = route.find("_dash_layout") {
                    let start = c.path.start + at;
                    let typo = start..start + "_dash_layout".len();
                    out.push(
                        RULE.diagnostic(&path, typo.clone(), "Dash serves the layout at `_dash-layout` (a hyphen): this check can never pass")
                            .with_fix(Fix::preferred(
                                "Use `_dash-layout`",
                                vec![FileEdit::Replace { file: path.clone(), range: typo, new_text: "_dash-layout".into() }],
                            )),
                    );
                }
                if let Some(content) = c.content {
                    if let Some(hash) = text[content.clone()].find('#') {
                        out.push(RULE.diagnostic(
                            &path,
                            content.start + hash..content.end,
                            "The expected content is cut at `#` (the rest is read as a comment): the check looks for less than it seems",
                        ));
                    }
                }
            }
        }
    }
}

fn is_positive_integer(value: &str) -> bool {
    !value.is_empty()
        && value.bytes().all(|b| b.is_ascii_digit())
        && value.bytes().any(|b| b != b'0')
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    const CHECKS: &str = "WAIT=5\nTIMEOUT=0\nATTEMPTS=three\nRETRIES=3\nWAIT 5\n/  Sales Dashboard\nhealth ok\n//localhost:5000/_dash_layout\nhttps://app.example.com/ ok\n/about Contact # us\n";

    #[test]
    fn each_problem_at_its_place() {
        let files = [("CHECKS", CHECKS), ("requirements.txt", "dash\n")];
        let ws = workspace(&files);
        let found: Vec<_> = diagnostics(&ws, "DL115")
            .iter()
            .map(|d| (covered(&ws, d).to_string(), d.message.clone()))
            .collect();
        let expected: Vec<(String, String)> = [
            ("0", "`TIMEOUT` must be a positive whole number of seconds"),
            ("three", "`ATTEMPTS` must be a positive whole number of attempts"),
            ("RETRIES", "Unknown setting `RETRIES`: CHECKS reads `WAIT`, `TIMEOUT` and `ATTEMPTS`"),
            ("WAIT 5", "This reads as a check of the path `WAIT`: a setting is written `WAIT=5`"),
            ("health", "The check path `health` must start with `/` (or `//host/`, `http://`, `https://`)"),
            ("_dash_layout", "Dash serves the layout at `_dash-layout` (a hyphen): this check can never pass"),
            ("# us", "The expected content is cut at `#` (the rest is read as a comment): the check looks for less than it seems"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn typo_fixed() {
        let files = [
            ("CHECKS", "WAIT=5\r\n/_dash_layout\r\n"),
            ("requirements.txt", "dash\n"),
        ];
        let fixed = fix_round_trip(&files, "DL115", 0);
        assert_eq!(text(&fixed, "CHECKS"), "WAIT=5\r\n/_dash-layout\r\n");
    }

    #[test]
    fn a_good_file_is_quiet() {
        let files = [
            ("CHECKS", "# deploy checks\nWAIT=5\nTIMEOUT=60\nATTEMPTS=6\n\n/  Sales Dashboard\n/_dash-layout\n"),
            ("requirements.txt", "dash\n"),
        ];
        assert!(check_files(&files, "DL115").is_empty());
    }
}
