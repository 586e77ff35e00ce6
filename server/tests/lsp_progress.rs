//! End-to-end: the start-up scan of a large workspace reports work-done progress
//! (`window/workDoneProgress/create`, then `$/progress` begin / report / end) to a client that
//! announces `window.workDoneProgress`, and nothing to one that does not.

mod common;

use common::*;
use serde_json::{json, Value};

/// A workspace of `n` small apps (each its own folder with a Procfile).
fn workspace(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..n {
        let app = dir.path().join(format!("app{i:03}"));
        std::fs::create_dir_all(&app).unwrap();
        std::fs::write(
            app.join("app.py"),
            format!("import dash\nfrom dash import html\n\napp = dash.Dash(__name__)\napp.layout = html.Div('{i}')\n"),
        )
        .unwrap();
        std::fs::write(app.join("requirements.txt"), "dash==3.2.0\n").unwrap();
        std::fs::write(app.join("Procfile"), "web: gunicorn app:server\n").unwrap();
    }
    dir
}

fn start(root: &std::path::Path, progress: bool) -> LspClient {
    let mut client = LspClient::spawn();
    let capabilities = if progress {
        json!({"window": {"workDoneProgress": true}})
    } else {
        json!({})
    };
    let response = client.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri(root),
            "workspaceFolders": [{"uri": uri(root), "name": "ws"}],
            "capabilities": capabilities,
        }),
    );
    assert!(response.get("result").is_some(), "{response}");
    client.notify("initialized", json!({}));
    client
}

/// The `$/progress` values in the order they came.
fn progress_values(messages: &[Value]) -> Vec<(Value, Value)> {
    messages
        .iter()
        .filter(|m| m["method"] == "$/progress")
        .map(|m| (m["params"]["token"].clone(), m["params"]["value"].clone()))
        .collect()
}

#[test]
fn first_scan_of_100_apps_reports_begin_report_end() {
    let dir = workspace(100);
    let root = dir.path().canonicalize().unwrap();
    let mut client = start(&root, true);
    let create = client.wait_for(|m| m["method"] == "window/workDoneProgress/create");
    let token = create["params"]["token"].clone();
    assert!(token.is_string() || token.is_number(), "{create}");
    // The scan ends with an `end`; everything before it is kept in the backlog.
    client.wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end");
    let mut seen = std::mem::take(&mut client.backlog);
    seen.push(
        json!({"method": "$/progress", "params": {"token": token, "value": {"kind": "end"}}}),
    );
    let values = progress_values(&seen);
    assert!(values.iter().all(|(t, _)| *t == token), "{values:#?}");
    let kinds: Vec<&str> = values
        .iter()
        .map(|(_, v)| v["kind"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(kinds.first(), Some(&"begin"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"end"), "{kinds:?}");
    assert!(
        kinds[1..kinds.len() - 1].iter().all(|k| *k == "report") && kinds.len() >= 3,
        "{kinds:?}"
    );
    assert_eq!(values[0].1["title"], "dash-lsp");
    // The count of apps is named, and the percentage only grows, to 100.
    assert!(
        values
            .iter()
            .any(|(_, v)| v["message"] == "Checking 100 apps"),
        "{values:#?}"
    );
    let percentages: Vec<u64> = values
        .iter()
        .filter(|(_, v)| v["kind"] == "report")
        .filter_map(|(_, v)| v["percentage"].as_u64())
        .collect();
    assert!(
        percentages.windows(2).all(|w| w[0] <= w[1]),
        "{percentages:?}"
    );
    assert_eq!(percentages.last(), Some(&100), "{percentages:?}");
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn a_client_without_work_done_progress_gets_none() {
    let dir = workspace(100);
    let root = dir.path().canonicalize().unwrap();
    let mut client = start(&root, false);
    // The scan is in once an open document is published.
    let app = client.open(&root.join("app000/app.py"), "python");
    client.diagnostics(&app, |_| true);
    let mut seen = std::mem::take(&mut client.backlog);
    seen.extend(client.drain(std::time::Duration::from_millis(500)));
    assert!(
        !seen.iter().any(|m| m["method"] == "window/workDoneProgress/create"
            || m["method"] == "$/progress"),
        "{seen:#?}"
    );
    assert_eq!(client.shutdown_and_exit(), 0);
}
