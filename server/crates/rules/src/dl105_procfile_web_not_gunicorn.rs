//! DL105 procfile-web-not-gunicorn.

use crate::{Fixes, Rule};
use dash_lsp_analysis::descriptors::DescriptorKind;
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::shell::{self, Token};
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Related, Severity};

pub(crate) const RULE: Rule = Rule {
    code: "DL105",
    name: "procfile-web-not-gunicorn",
    severity: Severity::Error,
    doc: r#"The start command does not start gunicorn (`python app.py`, `flask run`, `waitress-serve`, ...):
the Procfile's `web` process, or the command of another deploy descriptor (`render.yaml`
`startCommand`, `fly.toml`, compose `command`, a Dockerfile's `CMD`/`ENTRYPOINT`). A command
that runs a shell script of the app root (`bash run.sh`, `sh x.sh`, `./x.sh`) is followed into
the script, whose gunicorn line then stands for the command. Python apps only: a command that
runs another runtime (`R -f app.R` of Dash for R, `Rscript`, `node`, `npm`, `java`, ...) is
never reported, nor a folder without Python modules.

**Why it breaks on the server.** `python app.py` runs Dash's development server: one process,
debug tooling, not made for production traffic; the platform's health checks and `$PORT`
routing expect a WSGI server. An error for a Procfile (the router sends traffic to `$PORT`,
where `app.run()` does not listen); a warning for the other descriptors: a container or Render
reaches the port the app opens, so `app.run(host="0.0.0.0")` serves there, if slowly.

**Fix.** Replace the command with `gunicorn <module>:server --workers 4` (an array in exec form).
"#,
    check,
    fixes: Fixes::Unsafe,
};

/// Programs of other runtimes: their apps (Dash for R, Node front ends, ...) are not served by
/// gunicorn, and their start command is right as it is.
const OTHER_RUNTIMES: &[&str] = &[
    "R",
    "Rscript",
    "node",
    "nodejs",
    "npm",
    "npx",
    "yarn",
    "pnpm",
    "bun",
    "deno",
    "java",
    "ruby",
    "bundle",
    "rails",
    "php",
    "dotnet",
    "julia",
    "go",
    "nginx",
    "caddy",
    "httpd",
    "shiny-server",
];

/// The programs a command runs: the first word of each command (after `exec`, `env` and
/// `VAR=value` assignments), by base name.
fn programs(tokens: &[Token]) -> Vec<String> {
    let mut out = Vec::new();
    let mut at_start = true;
    for token in tokens {
        match token {
            Token::Operator { .. } => at_start = true,
            Token::Word { value, .. } if at_start => {
                if value == "exec" || value == "env" || value.contains('=') {
                    continue;
                }
                out.push(value.rsplit('/').next().unwrap_or(value).to_string());
                at_start = false;
            }
            Token::Word { .. } => {}
        }
    }
    out
}

fn runs_other_runtime(tokens: &[Token]) -> bool {
    programs(tokens)
        .iter()
        .any(|p| OTHER_RUNTIMES.contains(&p.as_str()))
}

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let Some(web) = &app.web else {
        return;
    };
    let Some(command) = &web.command else { return };
    if web.gunicorn.is_some() || app.modules.is_empty() || runs_other_runtime(&web.tokens) {
        return;
    }
    if let Some(script) = &web.script {
        let script_text = app.ws.text(script).unwrap_or("");
        if runs_other_runtime(&shell::split(script_text, 0..script_text.len())) {
            return;
        }
    }
    let file = &web.file;
    let text = file.text();
    let what = &text[command.clone()];
    // `cd src && python app.py`: the `cd` stays and only what follows it is replaced, with the
    // module named from that folder (`gunicorn app:server`, not `src.app`: the app's sibling
    // imports resolve from the folder it runs in).
    let (cd_dirs, rest) = shell::leading_cd(text, &web.tokens);
    let entry_in_base = app.layout_module().filter(|m| m.starts_with(&web.base));
    let (replaced, replacement, shown) = match (web.tokens.get(rest), entry_in_base) {
        (Some(first), Some(module)) if !cd_dirs.is_empty() => {
            let command_text = format!(
                "gunicorn {}:server --workers 4",
                app.module_name_from(&web.base, &module)
            );
            let shown = format!("{}{command_text}", &text[command.start..first.span().start]);
            (first.span().start..command.end, command_text, shown)
        }
        _ => {
            let r = app.recommended_web_command();
            (command.clone(), r.clone(), r)
        }
    };
    let subject = match web.kind {
        DescriptorKind::Procfile => "The web process".to_string(),
        kind => {
            let name = kind.command_name();
            let mut chars = name.chars();
            chars
                .next()
                .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
        }
    };
    let mut diag = match &web.script {
        Some(script) => RULE
            .diagnostic(
                &file.path,
                command.clone(),
                format!("{subject} runs `{what}`, and {} does not start gunicorn: use `{shown}`", script.display()),
            )
            .with_related(Related { file: script.clone(), range: 0..0, message: "the start script".into() }),
        None => RULE.diagnostic(
            &file.path,
            command.clone(),
            format!("{subject} runs `{what}`, not gunicorn: a development server is not for production; use `{shown}`"),
        ),
    };
    if !web.kind.routes_only_to_port() {
        diag.severity = Severity::Warning;
    }
    if web.replaceable {
        let new_text = if web.exec && replaced == *command {
            let words: Vec<String> = replacement.split(' ').map(|w| format!("\"{w}\"")).collect();
            format!("[{}]", words.join(", "))
        } else {
            replacement.clone()
        };
        // Another server, other options: what runs changes (RULES.md rev 2: unsafe).
        diag = diag.with_fix(
            Fix::preferred(
                format!("Run `{shown}`"),
                vec![FileEdit::Replace {
                    file: file.path.clone(),
                    range: replaced,
                    new_text,
                }],
            )
            .unsafe_(),
        );
    }
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
    fn other_runtimes_and_folders_without_python_are_silent() {
        for cmd in [
            "R -f /app/app.R",
            "Rscript app.R",
            "node server.js",
            "npm start",
            "cd app && java -jar x.jar",
        ] {
            let files = [
                ("Procfile", format!("web: {cmd}\n")),
                ("app.py", APP.to_string()),
            ];
            let files: Vec<(&str, &str)> = files.iter().map(|(a, b)| (*a, b.as_str())).collect();
            assert!(check_files(&files, "DL105").is_empty(), "{cmd}");
        }
        // Dash for R: no Python module at all.
        assert!(check_files(
            &[
                ("Procfile", "web: python x.py\n"),
                ("app.R", "library(dash)\n")
            ],
            "DL105"
        )
        .is_empty());
        let script = [
            ("Procfile", "web: bash run.sh\n"),
            ("run.sh", "R -f app.R\n"),
            ("app.py", APP),
        ];
        assert!(check_files(&script, "DL105").is_empty());
    }

    #[test]
    fn descriptor_commands_are_checked_where_written() {
        let files = [
            ("Dockerfile", "FROM python\nCMD [\"python\", \"app.py\"]\n"),
            ("app.py", APP),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL105");
        assert_eq!(d[0].file.to_str(), Some("Dockerfile"));
        assert_eq!(d[0].severity, dash_lsp_analysis::Severity::Warning);
        assert_eq!(covered(&ws, &d[0]), "[\"python\", \"app.py\"]");
        assert_eq!(d[0].message, "The Dockerfile's `CMD` runs `[\"python\", \"app.py\"]`, not gunicorn: a development server is not for production; use `gunicorn app:server --workers 4`");
        let fixed = fix_round_trip(&files, "DL105", 0);
        assert_eq!(
            text(&fixed, "Dockerfile"),
            "FROM python\nCMD [\"gunicorn\", \"app:server\", \"--workers\", \"4\"]\n"
        );
        let render = [
            (
                "render.yaml",
                "services:\n- type: web\n  startCommand: python app.py\n",
            ),
            ("app.py", APP),
        ];
        let fixed = fix_round_trip(&render, "DL105", 0);
        assert_eq!(
            text(&fixed, "render.yaml"),
            "services:\n- type: web\n  startCommand: gunicorn app:server --workers 4\n"
        );
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

    #[test]
    fn a_leading_cd_is_kept_and_the_module_named_from_there() {
        // `src/app.py` imports its sibling `utils`: gunicorn must run in `src` too.
        let files = [
            ("Procfile", "web: cd src && python app.py\n"),
            (
                "src/app.py",
                "import dash\nimport utils\napp = dash.Dash()\nserver = app.server\n",
            ),
            ("src/utils.py", "X = 1\n"),
            ("requirements.txt", "dash\ngunicorn\n"),
        ];
        let d = check_files(&files, "DL105");
        assert!(
            d[0].message
                .ends_with("use `cd src && gunicorn app:server --workers 4`"),
            "{}",
            d[0].message
        );
        let fixed = fix_round_trip(&files, "DL105", 0);
        assert_eq!(
            text(&fixed, "Procfile"),
            "web: cd src && gunicorn app:server --workers 4\n"
        );
        // The fixed Procfile resolves (DL106 looks from the `cd` folder) and is clean.
        let after = [
            (
                "Procfile",
                "web: cd src && gunicorn app:server --workers 4\n",
            ),
            files[1],
            files[2],
            files[3],
        ];
        assert!(check_files(&after, "DL106").is_empty());
        assert!(check_files(&after, "DL105").is_empty());
        let wrong = [
            (
                "Procfile",
                "web: cd src && gunicorn src.app:server --workers 4\n",
            ),
            files[1],
            files[2],
            files[3],
        ];
        assert_eq!(check_files(&wrong, "DL106").len(), 1);
    }
}
