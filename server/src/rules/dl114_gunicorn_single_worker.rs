//! DL114 gunicorn-single-worker.

use super::Rule;
use crate::analysis::project::App;
use crate::analysis::{Diagnostic, FileEdit, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "DL114",
    name: "gunicorn-single-worker",
    severity: Severity::Info,
    doc: r#"The gunicorn `web` command sets no `--workers` / `-w`.

**Why it crawls on the server.** gunicorn then runs one worker (or `$WEB_CONCURRENCY` where
the platform sets it): one slow callback blocks every other user. Commands that read a config
file (`-c`) are not reported, since the file may set the workers.

**Fix.** Append ` --workers 4` to the gunicorn command.
"#,
    check,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let Some((file, cmd)) = app.web.as_ref().and_then(|w| w.gunicorn.as_ref()) else {
        return;
    };
    if cmd.workers || cmd.config_file || file.text()[cmd.span.clone()].contains("--workers") {
        return;
    }
    let at = cmd.span.end;
    out.push(
        RULE.diagnostic(&file.path, cmd.span.clone(), "gunicorn runs a single worker by default: one slow callback blocks every user; set `--workers`")
            .with_fix(Fix::preferred(
                "Add `--workers 4`",
                vec![FileEdit::Replace { file: file.path.clone(), range: at..at, new_text: " --workers 4".into() }],
            )),
    );
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn reported_and_fixed_before_following_commands() {
        let files = [
            (
                "Procfile",
                "web: gunicorn app:server --timeout 60 && echo bye # done\n",
            ),
            ("app.py", ""),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL114");
        assert_eq!(covered(&ws, &d[0]), "gunicorn app:server --timeout 60");
        let fixed = fix_round_trip(&files, "DL114", 0);
        assert_eq!(
            text(&fixed, "Procfile"),
            "web: gunicorn app:server --timeout 60 --workers 4 && echo bye # done\n"
        );
    }

    #[test]
    fn silent_with_workers_or_config() {
        for cmd in [
            "gunicorn app:server -w 4",
            "gunicorn app:server --workers=$WEB_CONCURRENCY",
            "gunicorn -c gunicorn.conf.py app:server",
            "gunicorn app:server -w4",
        ] {
            assert!(
                check_files(&[("Procfile", &format!("web: {cmd}\n"))], "DL114").is_empty(),
                "{cmd}"
            );
        }
    }
}
