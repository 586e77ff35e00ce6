//! DL112 obsolete-requirement.

use crate::helpers::delete_line;
use crate::{Fixes, Rule};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::requirements::{self, Origin};
use dash_lsp_analysis::{Diagnostic, Fix, Severity};

pub(crate) const RULE: Rule = Rule {
    code: "DL112",
    name: "obsolete-requirement",
    severity: Severity::Warning,
    doc: r#"`requirements.txt` lists `dash-core-components`, `dash-html-components`, `dash-table` or
`dash-renderer`. Silent when `dash` is pinned below 2.0 (a conda export's pin included), and
when the line pins exactly the version the listed Dash 2 requires (a lock file lists
dependencies: `dash-core-components==2.0.0` beside `dash==2.17.1`).

**Why it matters on the server.** These packages were merged into `dash` in 2.0 (`from dash
import dcc, html, dash_table`); Dash 2 still installs them as frozen stubs (`==2.0.0`,
`dash-table==5.0.0`), Dash 3 not at all. An error when the line pins another version while
the requirements admit only Dash 2: pip stops with `ResolutionImpossible`.

**Fix.** Delete the line; none in a hash-checking file (`--hash=`), which must be regenerated.
"#,
    check,
    fixes: Fixes::Safe,
};

/// The merged distributions, and the version Dash 2 pins each to (`dash-renderer`: none).
const MERGED: &[(&str, Option<&str>)] = &[
    ("dash-core-components", Some("2.0.0")),
    ("dash-html-components", Some("2.0.0")),
    ("dash-table", Some("5.0.0")),
    ("dash-renderer", None),
];

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let Some(reqs) = &app.requirements else {
        return;
    };
    if app.dash_pinned_below("2.0") {
        return;
    }
    // Only Dash 2.x depends on the stubs (each pinned); Dash 3 dropped them.
    let dash_2 = app.dash_at_least("2.0") && app.dash_pinned_below("3.0");
    let dash_3 = app.dash_at_least("3.0");
    for (file, req) in &reqs.entries {
        let Some(&(_, pinned)) = MERGED.iter().find(|(n, _)| *n == req.normalized) else {
            continue;
        };
        // pip cannot read the file at all (DL109): nothing here matters yet.
        if reqs.unreadable.contains(file) || req.origin != Origin::Index {
            continue;
        }
        let Some(text) = app.ws.text(file) else {
            continue;
        };
        let wanted = pinned.map(|v| vec![("==".to_string(), v.to_string())]);
        let exact = wanted.as_ref().is_some_and(|w| {
            !req.specs.is_empty()
                && req.specs.iter().all(|(op, _)| op == "==" || op == "===")
                && requirements::compatible(&req.specs, w)
        });
        if exact && !dash_3 {
            continue;
        }
        let conflict = dash_2
            && wanted
                .as_ref()
                .is_some_and(|w| !requirements::compatible(&req.specs, w));
        let written = text[req.line.clone()]
            .split(" #")
            .next()
            .unwrap_or("")
            .trim();
        let mut message = match (conflict, pinned) {
            (true, Some(v)) => format!(
                "`{written}` conflicts with the Dash 2 that installs, which requires `{}=={v}`: pip stops with ResolutionImpossible; the package is part of `dash` since 2.0, delete this line",
                req.normalized
            ),
            _ => format!(
                "`{}` was merged into `dash` in 2.0: import it from `dash` and delete this line",
                req.name
            ),
        };
        let hashed = reqs.hash_checking(file);
        if hashed {
            message.push_str(" (a hash-checking lock file: regenerate it without the line)");
        }
        let mut d = RULE.diagnostic(file, req.line.clone(), message);
        if conflict {
            d.severity = Severity::Error;
        }
        if !hashed {
            d = d.with_fix(Fix::preferred(
                format!("Delete `{}`", req.name),
                vec![delete_line(file, text, req.logical.clone())],
            ));
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    use dash_lsp_analysis::Severity;

    #[test]
    fn merged_packages_are_deleted() {
        let files = [(
            "requirements.txt",
            "dash==2.17.1\r\ndash_core_components\r\ngunicorn\r\n",
        )];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL112");
        assert_eq!(covered(&ws, &d[0]), "dash_core_components");
        assert_eq!(
            d[0].message,
            "`dash_core_components` was merged into `dash` in 2.0: import it from `dash` and delete this line"
        );
        let fixed = fix_round_trip(&files, "DL112", 0);
        assert_eq!(
            text(&fixed, "requirements.txt"),
            "dash==2.17.1\r\ngunicorn\r\n"
        );
        // The last line, without a final newline.
        let fixed = fix_round_trip(&[("requirements.txt", "dash\ndash-table")], "DL112", 0);
        assert_eq!(text(&fixed, "requirements.txt"), "dash");
    }

    #[test]
    fn lock_file_pins_are_dependencies_of_dash_2() {
        let lock = "dash==2.5.1 ; python_version >= \"3.8\" \\\n    --hash=sha256:aa\ndash-core-components==2.0.0 ; python_version >= \"3.8\" \\\n    --hash=sha256:bb\ndash-table==5.0.0 \\\n    --hash=sha256:cc\ngunicorn==20.1.0 \\\n    --hash=sha256:dd\n";
        assert!(check_files(&[("requirements.txt", lock)], "DL112").is_empty());
        // A stale stub in a lock file: reported, never deleted.
        let lock =
            "dash==2.5.1 \\\n    --hash=sha256:aa\ndash-renderer==1.9.1 \\\n    --hash=sha256:bb\n";
        let d = check_files(&[("requirements.txt", lock)], "DL112");
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty());
        assert!(d[0]
            .message
            .ends_with("(a hash-checking lock file: regenerate it without the line)"));
    }

    #[test]
    fn conflicting_pin_with_dash_2_is_an_error() {
        let files = [(
            "requirements.txt",
            "dash==2.14.2\ndash-html-components==1.1.4  # old\ngunicorn\n",
        )];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL112");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(
            d[0].message,
            "`dash-html-components==1.1.4` conflicts with the Dash 2 that installs, which requires `dash-html-components==2.0.0`: pip stops with ResolutionImpossible; the package is part of `dash` since 2.0, delete this line"
        );
        let fixed = fix_round_trip(&files, "DL112", 0);
        assert_eq!(text(&fixed, "requirements.txt"), "dash==2.14.2\ngunicorn\n");
        // Unpinned dash installs Dash 3 or newer, which does not depend on the stubs.
        let d = check_files(
            &[("requirements.txt", "dash\ndash-html-components==1.1.4\n")],
            "DL112",
        );
        assert_eq!(d[0].severity, Severity::Warning);
    }

    #[test]
    fn silent_for_old_dash() {
        assert!(check_files(
            &[(
                "requirements.txt",
                "dash==1.21.0\ndash-html-components==1.1.4\n"
            )],
            "DL112"
        )
        .is_empty());
        // A conda export's pin counts.
        assert!(check_files(
            &[(
                "requirements.txt",
                "dash=1.13.4=pypi_0\ndash-table=4.8.1=pypi_0\n"
            )],
            "DL112"
        )
        .is_empty());
    }
}
