//! DL104 procfile-no-web.

use crate::helpers::line_one;
use crate::{Fixes, Rule};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};
use dash_lsp_syntax::text::append_line;

pub(crate) const RULE: Rule = Rule {
    code: "DL104",
    name: "procfile-no-web",
    severity: Severity::Error,
    doc: r#"The `Procfile` has no `web` process.

**Why it breaks on the server.** Only the `web` process receives HTTP traffic; without it the app
deploys but nothing serves it.

**Fix.** Add `web: gunicorn <module>:server --workers 4` as the last line.
"#,
    check,
    fixes: Fixes::Safe,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let Some((procfile, parsed)) = &app.procfile else {
        return;
    };
    let text = procfile.text();
    if parsed.web(text).is_some() {
        return;
    }
    let line = format!("web: {}", app.recommended_web_command());
    let (range, new_text) = append_line(text, &line);
    out.push(
        RULE.diagnostic(
            &procfile.path,
            line_one(text),
            "The Procfile has no `web` process: nothing will serve HTTP requests",
        )
        .with_fix(Fix::preferred(
            format!("Add `{line}`"),
            vec![FileEdit::Replace {
                file: procfile.path.clone(),
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
        let files = [
            ("Procfile", "worker: celery -A tasks worker"),
            (
                "app.py",
                "import dash\napp = dash.Dash()\nserver = app.server\n",
            ),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL104");
        assert_eq!(covered(&ws, &d[0]), "worker: celery -A tasks worker");
        let fixed = fix_round_trip(&files, "DL104", 0);
        assert_eq!(
            text(&fixed, "Procfile"),
            "worker: celery -A tasks worker\nweb: gunicorn app:server --workers 4\n"
        );
    }

    #[test]
    fn silent_with_web() {
        assert!(check_files(&[("Procfile", "web: python app.py\n")], "DL104").is_empty());
    }
}
