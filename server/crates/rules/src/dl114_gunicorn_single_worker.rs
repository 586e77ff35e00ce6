//! DL114 gunicorn-single-worker.

use crate::{Fixes, Rule};
use dash_lsp_analysis::descriptors::DescriptorKind;
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};

pub(crate) const RULE: Rule = Rule {
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
    fixes: Fixes::Safe,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let Some(web) = &app.web else { return };
    let Some((file, cmd)) = &web.gunicorn else {
        return;
    };
    if cmd.workers || cmd.config_file || file.text()[cmd.span.clone()].contains("--workers") {
        return;
    }
    let at = cmd.span.end;
    // In exec form the words are array items; a YAML block sequence takes no inline item.
    let in_descriptor = web.script.is_none();
    // `... --chdir` at the end: an appended `--workers` would become its value.
    let new_text = match (in_descriptor && web.exec, web.kind) {
        _ if cmd.dangling => None,
        (false, _) => Some(" --workers 4"),
        (true, DescriptorKind::Compose) if !web.replaceable => None,
        (true, _) => Some(", \"--workers\", \"4\""),
    };
    let diag = RULE.diagnostic(&file.path, cmd.span.clone(), "gunicorn runs a single worker by default: one slow callback blocks every user; set `--workers`");
    out.push(match new_text {
        Some(new_text) => diag.with_fix(Fix::preferred(
            "Add `--workers 4`",
            vec![FileEdit::Replace {
                file: file.path.clone(),
                range: at..at,
                new_text: new_text.into(),
            }],
        )),
        None => diag,
    });
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn no_fix_after_an_option_missing_its_value() {
        let files = [
            ("Procfile", "web: gunicorn app:server --chdir"),
            ("app.py", ""),
        ];
        let d = check_files(&files, "DL114");
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty());
    }

    /// An appended `--workers 4` would land inside the open quote (fuzz seed 70 input 202920:
    /// the target became `app:server --workers 4`, and DL101 then went silent).
    #[test]
    fn no_fix_inside_an_open_quote() {
        let files = [("Procfile", "web: gunicorn app:server'\n"), ("app.py", "")];
        let d = check_files(&files, "DL114");
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty(), "{:?}", d[0].fixes);
    }

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
    fn exec_form_gets_array_items() {
        let files = [
            (
                "Dockerfile",
                "FROM python\nCMD [\"gunicorn\", \"app:server\"]\n",
            ),
            ("requirements.txt", "dash\ngunicorn\n"),
            ("app.py", ""),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL114");
        assert_eq!(covered(&ws, &d[0]), "\"gunicorn\", \"app:server\"");
        let fixed = fix_round_trip(&files, "DL114", 0);
        assert_eq!(
            text(&fixed, "Dockerfile"),
            "FROM python\nCMD [\"gunicorn\", \"app:server\", \"--workers\", \"4\"]\n"
        );
        let render = [
            (
                "render.yaml",
                "services:\n  - type: web\n    startCommand: gunicorn --chdir src app:server\n",
            ),
            ("requirements.txt", "dash\ngunicorn\n"),
            ("src/app.py", ""),
        ];
        let fixed = fix_round_trip(&render, "DL114", 0);
        assert_eq!(
            text(&fixed, "render.yaml"),
            "services:\n  - type: web\n    startCommand: gunicorn --chdir src app:server --workers 4\n"
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
