//! DL101 missing-server-export.

use crate::helpers::insert_server_fix;
use std::path::PathBuf;

use crate::helpers::first_line_of;
use crate::{Fixes, Rule};
use dash_lsp_analysis::gunicorn::TargetVariable;
use dash_lsp_analysis::project::{App, TargetStatus};
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Related, Severity};

pub(crate) const RULE: Rule = Rule {
    code: "DL101",
    name: "missing-server-export",
    severity: Severity::Error,
    doc: r#"The entry module creates a Dash app object but defines no module-level name that the
Procfile's gunicorn target needs (by default `server`), neither assigned nor imported.

**Why it breaks on the server.** gunicorn imports the module named in the Procfile
(`web: gunicorn app:server`) and looks up the name after the colon. Before Dash 3.1 a Dash
object is not a WSGI application: gunicorn needs the Flask server behind it, `app.server`.
Without it every worker fails with `Failed to find attribute 'server' in 'app'`.

**Fix.** Insert `server = app.server` on the line after the app object's assignment. When the
requirements admit only Dash 3.1 or newer (where the Dash object is itself a WSGI app), the
alternative is to point the Procfile at the app object (`app:app`).

```python
app = dash.Dash(__name__)
server = app.server  # added
```
"#,
    check,
    fixes: Fixes::Safe,
};

/// The name gunicorn needs from the entry module, or `None` when the target is malformed or
/// its module is missing (DL106 reports those).
fn needed_name(app: &App) -> Option<(PathBuf, String)> {
    let entry = app.entry.clone()?;
    match &app.target {
        TargetStatus::NotApplicable => Some((entry, "server".to_string())),
        TargetStatus::Resolved { file } if *file == entry => {
            let (_, _, target) = app.gunicorn_target()?;
            match &target.variable {
                TargetVariable::Name(n) | TargetVariable::Call(n) => Some((entry, n.clone())),
                _ => None,
            }
        }
        _ => None,
    }
}

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let Some((entry, name)) = needed_name(app) else {
        return;
    };
    let Some(source) = app.ws.source(&entry) else {
        return;
    };
    let py = source.python();
    let Some(dash_app) = py
        .dash_apps
        .iter()
        .find(|d| d.name == "app")
        .or_else(|| py.dash_apps.first())
    else {
        return;
    };
    if py.defines(&name) {
        return;
    }
    let text = source.text();
    let module = app.module_name(&entry);
    let file_name = entry
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("the entry module");
    let target = app.gunicorn_target();
    let message = match target {
        Some(_) => format!(
            "`{name}` is not defined in {file_name}: the Procfile's gunicorn target `{module}:{name}` needs it; add `{name} = {}.server`",
            dash_app.name
        ),
        None => format!(
            "{file_name} creates a Dash app but defines no `server`: gunicorn serves `{module}:server`; add `server = {}.server`",
            dash_app.name
        ),
    };
    let mut diag = RULE
        .diagnostic(&entry, first_line_of(text, dash_app.stmt.clone()), message)
        .with_fix(insert_server_fix(&entry, text, dash_app, &name));
    if let Some((procfile, _, target)) = target {
        diag = diag.with_related(Related {
            file: procfile.path.clone(),
            range: target.span.clone(),
            message: format!("the Procfile's gunicorn target `{module}:{name}`"),
        });
        if app.dash_at_least("3.1") {
            diag = diag.with_fix(Fix::alternative(
                format!("Serve the Dash object itself: target `{module}:{}` (Dash >= 3.1 is a WSGI app)", dash_app.name),
                vec![FileEdit::Replace {
                    file: procfile.path.clone(),
                    range: target.inner.clone(),
                    new_text: format!("{module}:{}", dash_app.name),
                }],
            ));
        }
    }
    out.push(diag);
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    const APP: &str = "import dash\nfrom dash import html\n\napp = dash.Dash(\n    __name__,\n)  # the app\napp.layout = html.Div()\n";

    #[test]
    fn reports_on_the_assignment_first_line() {
        let ws = workspace(&[("app.py", APP), ("Procfile", "web: gunicorn app:server\n")]);
        let d = diagnostics(&ws, "DL101");
        assert_eq!(d.len(), 1);
        assert_eq!(covered(&ws, &d[0]), "app = dash.Dash(");
        assert_eq!(
            d[0].message,
            "`server` is not defined in app.py: the Procfile's gunicorn target `app:server` needs it; add `server = app.server`"
        );
        assert_eq!(d[0].related[0].file.to_str(), Some("Procfile"));
    }

    #[test]
    fn silent_when_defined_imported_or_star() {
        for extra in [
            "server = app.server\n",
            "from wsgi import server\n",
            "def server(): pass\n",
            "from x import *\n",
        ] {
            let text = format!("{APP}{extra}");
            assert!(
                check_files(&[("app.py", &text)], "DL101").is_empty(),
                "{extra}"
            );
        }
        // A module without a Dash app object is DL106's business.
        assert!(check_files(
            &[
                ("app.py", "x = 1\n"),
                ("Procfile", "web: gunicorn app:server\n")
            ],
            "DL101"
        )
        .is_empty());
        // Malformed target or missing module: DL106.
        assert!(check_files(
            &[
                ("app.py", APP),
                ("Procfile", "web: gunicorn app:app.server\n")
            ],
            "DL101"
        )
        .is_empty());
        assert!(check_files(
            &[("app.py", APP), ("Procfile", "web: gunicorn nope:server\n")],
            "DL101"
        )
        .is_empty());
    }

    #[test]
    fn defined_only_under_main_guard_is_missing() {
        let text = format!("{APP}if __name__ == '__main__':\n    server = app.server\n");
        assert_eq!(check_files(&[("app.py", &text)], "DL101").len(), 1);
    }

    #[test]
    fn uses_the_procfile_variable_name() {
        let d = check_files(
            &[
                ("app.py", APP),
                ("Procfile", "web: gunicorn app:application -w 2\n"),
            ],
            "DL101",
        );
        assert!(d[0].message.starts_with("`application` is not defined"));
        let fixed = fix_round_trip(
            &[
                ("app.py", APP),
                ("Procfile", "web: gunicorn app:application -w 2\n"),
            ],
            "DL101",
            0,
        );
        assert!(
            text(&fixed, "app.py").contains(")  # the app\napplication = app.server\napp.layout")
        );
    }

    #[test]
    fn fix_inserts_after_closing_paren_keeping_crlf_and_indent() {
        let fixed = fix_round_trip(&[("app.py", APP)], "DL101", 0);
        assert_eq!(
            text(&fixed, "app.py"),
            "import dash\nfrom dash import html\n\napp = dash.Dash(\n    __name__,\n)  # the app\nserver = app.server\napp.layout = html.Div()\n"
        );
        let crlf = "import dash\r\nif True:\r\n    app = dash.Dash()\r\n";
        let fixed = fix_round_trip(&[("app.py", crlf)], "DL101", 0);
        assert_eq!(
            text(&fixed, "app.py"),
            "import dash\r\nif True:\r\n    app = dash.Dash()\r\n    server = app.server\r\n"
        );
        let no_eol = "from dash import Dash\napp = Dash()";
        let fixed = fix_round_trip(&[("app.py", no_eol)], "DL101", 0);
        assert_eq!(
            text(&fixed, "app.py"),
            "from dash import Dash\napp = Dash()\nserver = app.server"
        );
    }

    #[test]
    fn retarget_fix_only_for_dash_3_1() {
        let files = [
            ("app.py", APP),
            ("Procfile", "web: gunicorn \"app:server\"\n"),
            ("requirements.txt", "dash>=3.1\ngunicorn\n"),
        ];
        let d = check_files(&files, "DL101");
        assert_eq!(d[0].fixes.len(), 2);
        let fixed = fix_round_trip(&files, "DL101", 1);
        assert_eq!(text(&fixed, "Procfile"), "web: gunicorn \"app:app\"\n");
        let files = [
            ("app.py", APP),
            ("Procfile", "web: gunicorn app:server\n"),
            ("requirements.txt", "dash\n"),
        ];
        assert_eq!(check_files(&files, "DL101")[0].fixes.len(), 1);
    }
}
