//! DL102 missing-procfile.

use super::{line_one, Rule};
use crate::analysis::project::{App, PROCFILE};
use crate::analysis::{Diagnostic, FileEdit, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "DL102",
    name: "missing-procfile",
    severity: Severity::Error,
    doc: r#"The app root has a Dash app object but no `Procfile`. Reported on line 1 of the entry module.

**Why it breaks on the server.** The platform starts the processes the `Procfile` names; without
one it does not know how to serve the app (Dash Enterprise and Heroku-style buildpacks refuse
the deploy or start nothing).

**Fix.** Create `Procfile` with `web: gunicorn <module>:server --workers 4`, `<module>` being the
entry module (`app.py` -> `app`).
"#,
    check,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    if app.procfile.is_some() || app.ws.exists(&app.root.join(PROCFILE)) || !app.has_dash_app() {
        return;
    }
    let Some(entry) = &app.entry else { return };
    let Some(text) = app.ws.text(entry) else {
        return;
    };
    let line = format!("web: {}", app.recommended_web_command());
    out.push(
        RULE.diagnostic(
            entry,
            line_one(text),
            format!(
                "No Procfile in this app's folder: the platform cannot start the app; add `{line}`"
            ),
        )
        .with_fix(Fix::preferred(
            format!("Create Procfile: `{line}`"),
            vec![FileEdit::Create {
                file: app.root.join(PROCFILE),
                text: format!("{line}\n"),
            }],
        )),
    );
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn reported_on_entry_line_one_and_fixed_by_creating_the_file() {
        let files = [
            (
                "index.py",
                "import dash\napp = dash.Dash()\nserver = app.server\n",
            ),
            ("requirements.txt", "dash\ngunicorn\n"),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL102");
        assert_eq!(d.len(), 1);
        assert_eq!(covered(&ws, &d[0]), "import dash");
        assert_eq!(d[0].message, "No Procfile in this app's folder: the platform cannot start the app; add `web: gunicorn index:server --workers 4`");
        let fixed = fix_round_trip(&files, "DL102", 0);
        assert_eq!(
            text(&fixed, "Procfile"),
            "web: gunicorn index:server --workers 4\n"
        );
    }

    #[test]
    fn silent_with_procfile_or_without_dash() {
        assert!(check_files(
            &[
                ("app.py", "import dash\napp = dash.Dash()\n"),
                ("Procfile", "web: gunicorn app:server\n")
            ],
            "DL102"
        )
        .is_empty());
        assert!(check_files(
            &[("app.py", "print('hi')\n"), ("requirements.txt", "dash\n")],
            "DL102"
        )
        .is_empty());
    }
}
