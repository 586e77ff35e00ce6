//! DL102 missing-procfile.

use crate::helpers::line_one;
use crate::{Fixes, Rule};
use dash_lsp_analysis::descriptors;
use dash_lsp_analysis::project::{App, PROCFILE};
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};

pub(crate) const RULE: Rule = Rule {
    code: "DL102",
    name: "missing-procfile",
    severity: Severity::Error,
    doc: r#"The app root has a Dash app object but no `Procfile`, nor another deploy descriptor that
gives the start command (`render.yaml`, `fly.toml`, `docker-compose.yml`/`compose.yaml`, a
`Dockerfile`: a Dockerfile-only app needs no Procfile). Reported on line 1 of the entry module.

**Why it breaks on the server.** The platform starts the processes the `Procfile` names; without
one it does not know how to serve the app (Dash Enterprise and Heroku-style buildpacks refuse
the deploy or start nothing).

**Fix.** Create `Procfile` with `web: gunicorn <module>:server --workers 4`, `<module>` being the
module that sets the layout: the entry module (`app.py` -> `app`), or in the classic multi-page
app (`app.py` makes `app`, `index.py` imports it and sets `app.layout`) `index`, which then gets
`from app import server` when it lacks `server`.
"#,
    check,
    fixes: Fixes::Sometimes("unsafe when several modules could be the entry"),
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    if app.procfile.is_some()
        || app.ws.exists(&app.root.join(PROCFILE))
        || descriptors::has_descriptor(app.ws, &app.root)
        || !app.has_dash_app()
    {
        return;
    }
    let Some(entry) = &app.entry else { return };
    let Some(text) = app.ws.text(entry) else {
        return;
    };
    let line = format!("web: {}", app.recommended_web_command());
    let mut edits = vec![FileEdit::Create {
        file: app.root.join(PROCFILE),
        text: format!("{line}\n"),
    }];
    edits.extend(server_import(app));
    let fix = Fix::preferred(format!("Create Procfile: `{line}`"), edits);
    // Several modules could be the entry: which one runs is a guess (RULES.md rev 2: unsafe).
    let (fix, also) = match app.entry_candidates.as_slice() {
        [_, _, ..] => {
            let names: Vec<String> = app
                .entry_candidates
                .iter()
                .map(|m| format!("`{}`", app.module_name(m)))
                .collect();
            (
                fix.unsafe_(),
                format!(" (several modules could be the app: {})", names.join(", ")),
            )
        }
        _ => (fix, String::new()),
    };
    out.push(
        RULE.diagnostic(
            entry,
            line_one(text),
            format!(
                "No Procfile in this app's folder: the platform cannot start the app; add `{line}`{also}"
            ),
        )
        .with_fix(fix),
    );
}

/// When the module to serve lacks `server`: `from <module> import server`, on the line after
/// its import of the module that defines `server` (the classic `index.py` imports `app` from
/// `app.py`, which has `server = app.server`).
fn server_import(app: &App) -> Option<FileEdit> {
    let module = app.layout_module()?;
    let py = app.python(&module)?;
    if py.defines("server") {
        return None;
    }
    let text = app.ws.text(&module)?;
    let (import, from) = py.imports.iter().filter(|i| i.level == 0).find_map(|i| {
        let file = app
            .modules
            .iter()
            .find(|m| app.module_name(m) == i.module)?;
        app.python(file)?
            .defines("server")
            .then(|| (i, i.module.clone()))
    })?;
    let eol = dash_lsp_syntax::text::line_ends(&text[import.stmt.end..])
        .next()
        .map_or(text.len(), |(_, next)| import.stmt.end + next);
    let newline = dash_lsp_syntax::text::eol_of(text);
    let prefix = if text[..eol].ends_with(['\n', '\r']) {
        ""
    } else {
        newline
    };
    Some(FileEdit::Replace {
        file: module.clone(),
        range: eol..eol,
        new_text: format!("{prefix}from {from} import server{newline}"),
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn several_candidate_entries_make_the_fix_unsafe() {
        let dash = "from dash import Dash, html\napp = Dash()\nserver = app.server\napp.layout = html.Div()\n";
        let files = [
            ("requirements.txt", "dash\ngunicorn\n"),
            ("mwe/app.py", dash),
            ("web/app.py", dash),
        ];
        let d = check_files(&files, "DL102");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].message, "No Procfile in this app's folder: the platform cannot start the app; add `web: gunicorn mwe.app:server --workers 4` (several modules could be the app: `mwe.app`, `web.app`)");
        assert!(!d[0].fixes[0].is_safe());
    }

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
    fn classic_layout_targets_index_and_imports_server() {
        let files = [
            ("app.py", "import dash\napp = dash.Dash(__name__)\nserver = app.server\n"),
            (
                "index.py",
                "from dash import html\nfrom app import app  # the app\nfrom apps import page1\n\napp.layout = html.Div()\n",
            ),
            ("apps/__init__.py", ""),
            ("apps/page1.py", "from app import app\n"),
            ("requirements.txt", "dash\ngunicorn\n"),
        ];
        let d = check_files(&files, "DL102");
        assert_eq!(d[0].message, "No Procfile in this app's folder: the platform cannot start the app; add `web: gunicorn index:server --workers 4`");
        let fixed = fix_round_trip(&files, "DL102", 0);
        assert_eq!(
            text(&fixed, "Procfile"),
            "web: gunicorn index:server --workers 4\n"
        );
        assert_eq!(
            text(&fixed, "index.py"),
            "from dash import html\nfrom app import app  # the app\nfrom app import server\nfrom apps import page1\n\napp.layout = html.Div()\n"
        );
    }

    #[test]
    fn silent_with_another_descriptor() {
        for (name, text) in [
            ("Dockerfile", "FROM python\nCMD gunicorn app:server\n"),
            ("render.yaml", "services: []\n"),
            ("fly.toml", "app = \"x\"\n"),
            ("docker-compose.yml", "services: {}\n"),
        ] {
            assert!(
                check_files(
                    &[("app.py", "import dash\napp = dash.Dash()\n"), (name, text)],
                    "DL102"
                )
                .is_empty(),
                "{name}"
            );
        }
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
