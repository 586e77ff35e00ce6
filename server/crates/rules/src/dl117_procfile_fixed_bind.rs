//! DL117 procfile-fixed-bind.

use crate::{Fixes, Rule};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};

pub(crate) const RULE: Rule = Rule {
    code: "DL117",
    name: "procfile-fixed-bind",
    severity: Severity::Error,
    doc: r#"The gunicorn `web` command (in the Procfile, or in the script it runs) binds a fixed
address or port: `-b :8050`, `--bind 0.0.0.0:8050`, `--bind=127.0.0.1:8000`, a Unix socket.
A bind that uses `$PORT` (`--bind 0.0.0.0:$PORT`, `${PORT:-8050}`) is fine. Only for a
Procfile (Heroku, Dokku, Dash Enterprise): a container (Dockerfile, compose, fly.toml) is
reached on the port it is mapped to, so `--bind 0.0.0.0:8050` is normal there, and Render
detects the port the service opens.

**Why it breaks on the server.** The platform routes traffic to the port in `$PORT`, chosen per
container. gunicorn listens on `$PORT` by default; a fixed bind listens elsewhere, the router
finds nothing, and the app fails its start-up checks or answers 502.

**Fix.** Remove the bind option.
"#,
    check,
    fixes: Fixes::Safe,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let Some(web) = &app.web else { return };
    if !web.kind.routes_only_to_port() {
        return;
    }
    let Some((file, cmd)) = &web.gunicorn else {
        return;
    };
    let text = file.text();
    for (span, value) in &cmd.binds {
        if value.contains("PORT") {
            continue;
        }
        // The option with the blanks before it, so no double space is left.
        let start = text[..span.start].trim_end_matches([' ', '\t']).len();
        out.push(
            RULE.diagnostic(
                &file.path,
                span.clone(),
                format!(
                    "gunicorn binds `{value}`, but the platform routes traffic to `$PORT`: remove the bind (gunicorn uses `$PORT` by default)"
                ),
            )
            .with_fix(Fix::preferred(
                "Remove the bind option",
                vec![FileEdit::Replace {
                    file: file.path.clone(),
                    range: start..span.end,
                    new_text: String::new(),
                }],
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn fixed_binds_are_removed() {
        for (line, covered_text, fixed_line) in [
            (
                "web: gunicorn app:server -b :8050 --workers 4",
                "-b :8050",
                "web: gunicorn app:server --workers 4",
            ),
            (
                "web: gunicorn --bind 0.0.0.0:8050 app:server",
                "--bind 0.0.0.0:8050",
                "web: gunicorn app:server",
            ),
            (
                "web: gunicorn app:server --bind=127.0.0.1:8000",
                "--bind=127.0.0.1:8000",
                "web: gunicorn app:server",
            ),
            (
                "web: gunicorn app:server -b0.0.0.0:80",
                "-b0.0.0.0:80",
                "web: gunicorn app:server",
            ),
        ] {
            let files = [
                ("Procfile", format!("{line}\r\n")),
                (
                    "app.py",
                    "import dash\napp = dash.Dash()\nserver = app.server\n".to_string(),
                ),
            ];
            let files: Vec<(&str, &str)> = files.iter().map(|(a, b)| (*a, b.as_str())).collect();
            let ws = workspace(&files);
            let d = diagnostics(&ws, "DL117");
            assert_eq!(d.len(), 1, "{line}");
            assert_eq!(covered(&ws, &d[0]), covered_text);
            let fixed = fix_round_trip(&files, "DL117", 0);
            assert_eq!(text(&fixed, "Procfile"), format!("{fixed_line}\r\n"));
        }
        let d = check_files(
            &[("Procfile", "web: gunicorn app:server -b :8050\n")],
            "DL117",
        );
        assert_eq!(
            d[0].message,
            "gunicorn binds `:8050`, but the platform routes traffic to `$PORT`: remove the bind (gunicorn uses `$PORT` by default)"
        );
    }

    #[test]
    fn port_binds_and_scripts() {
        for line in [
            "web: gunicorn app:server --bind 0.0.0.0:$PORT",
            "web: gunicorn app:server -b \":${PORT:-8050}\"",
            "web: gunicorn app:server",
            "worker: gunicorn other:server -b :9000\nweb: gunicorn app:server",
        ] {
            assert!(
                check_files(&[("Procfile", line)], "DL117").is_empty(),
                "{line}"
            );
        }
        for (name, text) in [
            (
                "Dockerfile",
                "FROM python\nCMD gunicorn --bind 0.0.0.0:8050 app:server\n",
            ),
            (
                "fly.toml",
                "[processes]\napp = \"gunicorn -b :8080 app:server\"\n",
            ),
            (
                "render.yaml",
                "services:\n- type: web\n  startCommand: gunicorn -b :8050 app:server\n",
            ),
        ] {
            let app = "import dash\napp = dash.Dash()\nserver = app.server\n";
            let files = [
                (name, text),
                ("app.py", app),
                ("requirements.txt", "dash\n"),
            ];
            assert_eq!(check_files(&files, "DL114").len(), 1, "{name}");
            assert!(check_files(&files, "DL117").is_empty(), "{name}");
        }
        let files = [
            ("Procfile", "web: bash run.sh\n"),
            (
                "run.sh",
                "#!/bin/sh\nexec gunicorn app:server \\\n  --bind 0.0.0.0:8050\n",
            ),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL117");
        assert_eq!(d[0].file.to_str(), Some("run.sh"));
        assert_eq!(covered(&ws, &d[0]), "--bind 0.0.0.0:8050");
    }
}
