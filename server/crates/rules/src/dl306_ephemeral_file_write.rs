//! DL306 ephemeral-file-write.

use crate::{Fixes, Rule};
use dash_lsp_analysis::io_calls::{self, Access};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, Severity};

pub(crate) const RULE: Rule = Rule {
    code: "DL306",
    name: "ephemeral-file-write",
    severity: Severity::Warning,
    doc: r#"The Procfile runs more than one process type and app code writes files (`open(..., "w")`,
`to_csv`, `to_parquet`, `savefig`, ...).

**Why it breaks on the server.** Each Procfile process runs in its own container with its own
ephemeral filesystem: what a `worker` writes, the `web` process never sees, and everything is
lost on restart.

**Fix.** None automatic: write to a mapped persistent directory (on Dash Enterprise
`../mount`), a database, Redis or object storage.
"#,
    check,
    fixes: Fixes::None,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let Some((procfile, parsed)) = &app.procfile else {
        return;
    };
    let text = procfile.text();
    let kinds: std::collections::BTreeSet<&str> =
        parsed.processes().map(|(_, kind, _)| &text[kind]).collect();
    if kinds.len() < 2 {
        return;
    }
    let processes = kinds.into_iter().collect::<Vec<_>>().join(", ");
    for (path, source, py) in app.sources() {
        let src = source.text();
        for call in py.all("call") {
            let Some(io) = io_calls::classify(call, py, src) else {
                continue;
            };
            if io.access != Access::Write {
                continue;
            }
            out.push(RULE.diagnostic(
                path,
                call.byte_range(),
                format!("This writes a file, but each Procfile process ({processes}) has its own ephemeral filesystem: other processes never see it and it is lost on restart; write to persistent storage (on Dash Enterprise `../mount`) or a database"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    const SRC: &str = "import pandas as pd\nimport dash\napp = dash.Dash()\ndef job(df):\n    df.to_csv('out/result.csv')\n    with open('out/log.txt', 'a') as f:\n        f.write('done')\n    with open('data/in.txt') as f:\n        return f.read()\ns = df.to_json()\n";

    #[test]
    fn writes_reported_with_several_processes() {
        let files = [
            ("app.py", SRC),
            (
                "Procfile",
                "web: gunicorn app:server -w 4\nworker: celery -A app worker\n",
            ),
            ("requirements.txt", "dash\n"),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL306");
        assert_eq!(
            d.iter().map(|d| covered(&ws, d)).collect::<Vec<_>>(),
            ["df.to_csv('out/result.csv')", "open('out/log.txt', 'a')"]
        );
        assert!(d[0].message.contains("(web, worker)"));
    }

    #[test]
    fn single_process_is_silent() {
        assert!(check_files(
            &[
                ("app.py", SRC),
                ("Procfile", "web: gunicorn app:server -w 4\n")
            ],
            "DL306"
        )
        .is_empty());
    }
}
