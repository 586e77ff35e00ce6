//! DL307 missing-health-checks.

use crate::helpers::megabytes;
use crate::{Fixes, Rule};
use dash_lsp_analysis::io_calls::{self, Access};
use dash_lsp_analysis::paths;
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::python::DASH_CLASSES;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};
use dash_lsp_syntax::kinds::PyNode;
use dash_lsp_syntax::{string_value, text_of};

pub(crate) const RULE: Rule = Rule {
    code: "DL307",
    name: "missing-health-checks",
    severity: Severity::Info,
    doc: r#"The app root has no `CHECKS` file and the entry module, at import time, reads a data file
larger than `parquet-hint-mb` (10 MB) or calls a remote API / database (`requests.*`,
`create_engine(...).connect`, `read_sql*`).

**Why it matters on the server.** Such an app takes a while to start. Without `CHECKS` the
platform's default check may route traffic before the workers are ready (errors on deploy) or
give up too early.

**Fix.** Create `CHECKS` with `WAIT=5`, `TIMEOUT=60`, `ATTEMPTS=6` and a check of `/` for the
app's title.
"#,
    check,
    fixes: Fixes::Safe,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let checks = app.root.join("CHECKS");
    if app.ws.exists(&checks) {
        return;
    }
    let Some(entry) = &app.entry else { return };
    let Some(source) = app.ws.source(entry) else {
        return;
    };
    let py = source.python();
    let text = source.text();
    let cwd = app.working_dir();
    let mut title = None;
    let mut slow = None;
    for call in py.runs_of(py.tree.root_node(), "call", text) {
        let function = call.field("function");
        if function
            .and_then(|f| py.qualified(f, text))
            .is_some_and(|q| DASH_CLASSES.contains(&q.as_str()))
        {
            title = title.or_else(|| keyword(call, "title", text));
        }
        if slow.is_some() {
            continue;
        }
        let Some(io) = io_calls::classify(call, py, text) else {
            continue;
        };
        if io.remote {
            slow = Some((
                call.byte_range(),
                format!("calls `{}` at import time", io.what),
            ));
        } else if let (Access::ReadFile, Some(arg)) = (io.access, io.path) {
            let Some(p) = paths::resolve(arg, py, text, entry) else {
                continue;
            };
            let Some(Ok(file)) = paths::locate(&p, &cwd) else {
                continue;
            };
            let size = app.ws.entry(&file).map_or(0, |e| e.size);
            if size > app.settings.parquet_hint_bytes() {
                slow = Some((
                    call.byte_range(),
                    format!("reads `{}` ({}) at import time", p.text, megabytes(size)),
                ));
            }
        }
    }
    let Some((range, what)) = slow else { return };
    let title = title.unwrap_or_else(|| "Dash".into());
    let content = format!("WAIT=5\nTIMEOUT=60\nATTEMPTS=6\n\n/  {title}\n");
    out.push(
        RULE.diagnostic(entry, range, format!("The app {what} but has no CHECKS file: the platform may route traffic before it is ready; add health checks"))
            .with_fix(Fix::preferred("Create CHECKS", vec![FileEdit::Create { file: checks, text: content }])),
    );
}

fn keyword(call: tree_sitter::Node, name: &str, text: &str) -> Option<String> {
    let args = call.field("arguments")?;
    let mut cursor = args.walk();
    let found = args
        .named_children(&mut cursor)
        .find(|a| {
            a.kind() == "keyword_argument"
                && a.field("name").is_some_and(|n| text_of(n, text) == name)
        })?
        .field("value")?;
    string_value(found, text)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use dash_lsp_analysis::workspace::{Content, FileEntry};

    #[test]
    fn remote_call_at_import_creates_checks() {
        let src = "import requests\nimport dash\nRATES = requests.get('https://api.example.com/rates').json()\napp = dash.Dash(__name__, title='Rates')\nserver = app.server\n";
        let files = [
            ("app.py", src),
            ("requirements.txt", "dash\ngunicorn\nrequests\n"),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL307");
        assert_eq!(
            covered(&ws, &d[0]),
            "requests.get('https://api.example.com/rates')"
        );
        let fixed = fix_round_trip(&files, "DL307", 0);
        assert_eq!(
            text(&fixed, "CHECKS"),
            "WAIT=5\nTIMEOUT=60\nATTEMPTS=6\n\n/  Rates\n"
        );
    }

    #[test]
    fn big_file_at_import_and_silent_cases() {
        let src = "import pandas as pd\nimport dash\ndf = pd.read_csv('data/big.csv')\napp = dash.Dash(__name__)\n";
        let mut ws = workspace(&[("app.py", src), ("requirements.txt", "dash\n")]);
        ws.insert_entry(
            "data/big.csv",
            FileEntry {
                size: 30 * 1024 * 1024,
                content: Content::NotRead,
            },
        );
        let d = diagnostics(&ws, "DL307");
        assert!(d[0]
            .message
            .starts_with("The app reads `data/big.csv` (30.0 MB) at import time"));
        ws.insert_text("CHECKS", "WAIT=5\n");
        assert!(diagnostics(&ws, "DL307").is_empty());
        let inside = "import requests\nimport dash\napp = dash.Dash()\ndef f():\n    return requests.get('x')\n";
        assert!(check_files(
            &[("app.py", inside), ("requirements.txt", "dash\n")],
            "DL307"
        )
        .is_empty());
    }
}
