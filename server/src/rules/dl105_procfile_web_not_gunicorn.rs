//! DL105 procfile-web-not-gunicorn.

use super::Rule;
use crate::analysis::project::App;
use crate::analysis::{Diagnostic, FileEdit, Fix, Related, Severity};

pub const RULE: Rule = Rule {
    code: "DL105",
    name: "procfile-web-not-gunicorn",
    severity: Severity::Error,
    doc: r#"The `web` command does not start gunicorn (`python app.py`, `flask run`, `waitress-serve`, ...).
A command that runs a shell script of the app root (`bash run.sh`, `sh x.sh`, `./x.sh`) is
followed into the script, whose gunicorn line then stands for the command.

**Why it breaks on the server.** `python app.py` runs Dash's development server: one process,
debug tooling, not made for production traffic; the platform's health checks and `$PORT`
routing expect a WSGI server.

**Fix.** Replace the command with `gunicorn <module>:server --workers 4`.
"#,
    check,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let (Some(web), Some((procfile, _))) = (&app.web, &app.procfile) else {
        return;
    };
    let Some(command) = &web.command else { return };
    if web.gunicorn.is_some() {
        return;
    }
    let text = procfile.text();
    let replacement = app.recommended_web_command();
    let what = &text[command.clone()];
    let mut diag = match &web.script {
        Some(script) => RULE
            .diagnostic(
                &procfile.path,
                command.clone(),
                format!("The web process runs `{what}`, and {} does not start gunicorn: use `{replacement}`", script.display()),
            )
            .with_related(Related { file: script.clone(), range: 0..0, message: "the start script".into() }),
        None => RULE.diagnostic(
            &procfile.path,
            command.clone(),
            format!("The web process runs `{what}`, not gunicorn: a development server is not for production; use `{replacement}`"),
        ),
    };
    diag = diag.with_fix(Fix::preferred(
        format!("Run `{replacement}`"),
        vec![FileEdit::Replace {
            file: procfile.path.clone(),
            range: command.clone(),
            new_text: replacement,
        }],
    ));
    out.push(diag);
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    const APP: &str = "import dash\napp = dash.Dash()\nserver = app.server\n";

    #[test]
    fn python_app_py_is_replaced() {
        let files = [("Procfile", "web: python index.py\n"), ("index.py", APP)];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL105");
        assert_eq!(covered(&ws, &d[0]), "python index.py");
        let fixed = fix_round_trip(&files, "DL105", 0);
        assert_eq!(
            text(&fixed, "Procfile"),
            "web: gunicorn index:server --workers 4\n"
        );
    }

    #[test]
    fn follows_scripts() {
        let ok = [
            ("Procfile", "web: ./run.sh\n"),
            ("run.sh", "exec gunicorn app:server -w 4\n"),
            ("app.py", APP),
        ];
        assert!(check_files(&ok, "DL105").is_empty());
        let bad = [
            ("Procfile", "web: sh run.sh\n"),
            ("run.sh", "python app.py\n"),
            ("app.py", APP),
        ];
        let d = check_files(&bad, "DL105");
        assert_eq!(d[0].message, "The web process runs `sh run.sh`, and run.sh does not start gunicorn: use `gunicorn app:server --workers 4`");
    }

    #[test]
    fn gunicorn_forms_are_silent() {
        for cmd in [
            "gunicorn app:server",
            "python -m gunicorn app:server",
            "newrelic-admin run-program gunicorn app:server",
            ".venv/bin/gunicorn app:server",
        ] {
            assert!(
                check_files(
                    &[("Procfile", &format!("web: {cmd}\n")), ("app.py", APP)],
                    "DL105"
                )
                .is_empty(),
                "{cmd}"
            );
        }
    }
}
