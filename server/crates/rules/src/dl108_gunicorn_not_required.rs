//! DL108 gunicorn-not-required.

use crate::{Fixes, Rule};
use dash_lsp_analysis::descriptors::DescriptorKind;
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, Severity};

pub(crate) const RULE: Rule = Rule {
    code: "DL108",
    name: "gunicorn-not-required",
    severity: Severity::Error,
    doc: r#"The start command runs gunicorn (the Procfile's `web` process, another deploy descriptor's
command, or the script either runs) and `requirements.txt` (following `-r` includes, and the
files the `app.json` predeploy command installs) does not list `gunicorn`, and no listed
distribution brings it. Silent when nothing runs gunicorn (no descriptor, `R -f app.R`, ...),
when the descriptor installs gunicorn itself (`RUN pip install gunicorn` in the Dockerfile, a
render.yaml `buildCommand` that names it), and while pip cannot read the files (DL109).

**Why it breaks on the server.** The command needs the gunicorn package installed; without it
the process fails with `gunicorn: command not found`.

**Fix.** Append `gunicorn` as a new line (adding the missing final newline first); none in a
hash-checking file (`--hash=`), which must be regenerated.
"#,
    check,
    fixes: Fixes::Safe,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let Some(web) = &app.web else { return };
    let Some((file, _)) = &web.gunicorn else {
        return;
    };
    if web.kind != DescriptorKind::Procfile
        && installs_gunicorn(web.file.text(), web.command.clone())
    {
        return;
    }
    let message = match (&web.script, web.kind) {
        (None, DescriptorKind::Procfile) => "gunicorn is not listed in requirements.txt: the Procfile's `web: gunicorn ...` fails with \"command not found\"".to_string(),
        (None, kind) => format!("gunicorn is not listed in requirements.txt: {} runs gunicorn, which fails with \"command not found\"", kind.command_name()),
        (Some(_), kind) => format!("gunicorn is not listed in requirements.txt: {} runs {}, whose gunicorn fails with \"command not found\"", kind.command_name(), file.path.display()),
    };
    crate::helpers::check_listed(app, out, &RULE, "gunicorn", &message);
}

/// Whether a descriptor installs gunicorn on a line of its own (`RUN pip install gunicorn`,
/// `buildCommand: pip install -r requirements.txt gunicorn`), outside the start command.
fn installs_gunicorn(text: &str, command: Option<std::ops::Range<usize>>) -> bool {
    let mut offset = 0;
    dash_lsp_syntax::text::lines_inclusive(text).any(|line| {
        let start = offset;
        offset += line.len();
        let in_command = command
            .as_ref()
            .is_some_and(|c| c.start < offset && start < c.end);
        !in_command && line.contains("install") && line.contains("gunicorn")
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn reported_on_line_one_and_fixed() {
        let files = [
            ("requirements.txt", "dash==3.2.0\r\npandas"),
            ("Procfile", "web: gunicorn app:server\n"),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL108");
        assert_eq!(covered(&ws, &d[0]), "dash==3.2.0");
        assert_eq!(
            d[0].message,
            "gunicorn is not listed in requirements.txt: the Procfile's `web: gunicorn ...` fails with \"command not found\""
        );
        let fixed = fix_round_trip(&files, "DL108", 0);
        assert_eq!(
            text(&fixed, "requirements.txt"),
            "dash==3.2.0\r\npandas\r\ngunicorn\r\n"
        );
    }

    #[test]
    fn listed_directly_or_through_an_include() {
        const PROCFILE: (&str, &str) = ("Procfile", "web: gunicorn app:server\n");
        assert!(check_files(
            &[("requirements.txt", "Gunicorn==23.0\n"), PROCFILE],
            "DL108"
        )
        .is_empty());
        assert!(check_files(
            &[
                ("requirements.txt", "-r prod.txt\n"),
                ("prod.txt", "gunicorn\n"),
                PROCFILE
            ],
            "DL108"
        )
        .is_empty());
        assert_eq!(
            check_files(&[("requirements.txt", ""), PROCFILE], "DL108").len(),
            1
        );
        // Installed from a URL, it is gunicorn all the same.
        assert!(check_files(
            &[
                (
                    "requirements.txt",
                    "dash\nhttps://github.com/benoitc/gunicorn/archive/23.0.0.zip#egg=gunicorn\n"
                ),
                PROCFILE
            ],
            "DL108"
        )
        .is_empty());
    }

    #[test]
    fn installed_from_vcs_wheel_or_local_file() {
        // Every pip line that installs gunicorn counts, whatever it is installed from.
        for line in [
            "-e git+https://github.com/benoitc/gunicorn.git#egg=gunicorn",
            "git+https://github.com/benoitc/gunicorn.git@23.0.0#egg=gunicorn",
            "https://files.pythonhosted.org/packages/py3/g/gunicorn/gunicorn-23.0.0-py3-none-any.whl",
            "./wheels/gunicorn-23.0.0-py3-none-any.whl",
            "gunicorn @ https://example.com/gunicorn-23.0.0-py3-none-any.whl",
        ] {
            let reqs = format!("dash\n{line}\n");
            let files = [
                ("requirements.txt", reqs.as_str()),
                ("wheels/gunicorn-23.0.0-py3-none-any.whl", ""),
                ("Procfile", "web: gunicorn app:server\n"),
            ];
            assert!(check_files(&files, "DL108").is_empty(), "{line}");
        }
    }

    #[test]
    fn only_when_the_start_command_runs_gunicorn() {
        // No descriptor, or one that runs something else: nothing needs gunicorn.
        assert!(check_files(&[("requirements.txt", "dash\n")], "DL108").is_empty());
        assert!(check_files(
            &[
                ("requirements.txt", "dash\n"),
                ("Procfile", "web: R -f app.R\n")
            ],
            "DL108"
        )
        .is_empty());
        let d = check_files(
            &[
                ("requirements.txt", "dash\n"),
                (
                    "Dockerfile",
                    "FROM python\nCMD [\"gunicorn\", \"app:server\"]\n",
                ),
            ],
            "DL108",
        );
        assert_eq!(d[0].message, "gunicorn is not listed in requirements.txt: the Dockerfile's `CMD` runs gunicorn, which fails with \"command not found\"");
        let d = check_files(
            &[
                ("requirements.txt", "dash\n"),
                (
                    "render.yaml",
                    "services:\n- type: web\n  startCommand: ./run.sh\n",
                ),
                ("run.sh", "gunicorn app:server\n"),
            ],
            "DL108",
        );
        assert_eq!(d[0].message, "gunicorn is not listed in requirements.txt: render.yaml's `startCommand` runs run.sh, whose gunicorn fails with \"command not found\"");
        // The image installs it itself.
        assert!(check_files(
            &[
                ("requirements.txt", "dash\n"),
                (
                    "Dockerfile",
                    "FROM python\nRUN pip install gunicorn\nCMD gunicorn app:server\n"
                )
            ],
            "DL108",
        )
        .is_empty());
    }
}
