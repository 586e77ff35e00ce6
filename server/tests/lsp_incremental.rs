//! End-to-end over stdio: an edit republishes only what changed. In a workspace of two apps an
//! edit in one leaves the other's files alone (its results come from the per-app cache), and a
//! text change that moves UTF-16 positions without moving bytes is still republished.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

fn published_uris(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .filter_map(|m| m["params"]["uri"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn an_edit_in_one_app_republishes_only_that_app() {
    let dir = copy_fixture("two-apps");
    let root = dir.path().canonicalize().unwrap();
    let mut client = LspClient::spawn();
    client.initialize(&root, false);
    let app = root.join("sales/app.py");
    let app_uri = client.open(&app, "python");
    let ops_requirements = uri(&root.join("ops/requirements.txt"));
    assert_eq!(
        codes(&client.diagnostics(&app_uri, |d| !d.is_empty())),
        ["DL101"]
    );
    assert_eq!(
        codes(&client.diagnostics(&ops_requirements, |d| !d.is_empty())),
        ["DL110"]
    );
    client.drain(Duration::from_millis(300));

    let text = std::fs::read_to_string(&app).unwrap();
    let fixed = text.replacen(
        "app = dash.Dash(__name__)\n",
        "app = dash.Dash(__name__)\nserver = app.server\n",
        1,
    );
    assert_ne!(fixed, text);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": app_uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    assert!(client.diagnostics(&app_uri, |d| d.is_empty()).is_empty());
    let after = client.drain(Duration::from_millis(500));
    let ops: Vec<String> = published_uris(&after)
        .into_iter()
        .filter(|u| u.contains("/ops/"))
        .collect();
    assert!(ops.is_empty(), "the other app was republished: {ops:?}");
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn same_bytes_new_utf16_positions_are_republished() {
    let dir = copy_fixture("unicode-ranges");
    let root = dir.path().canonicalize().unwrap();
    let mut client = LspClient::spawn();
    client.initialize(&root, false);
    // Not open: the change comes from the disk, so the file is not "touched" by an edit and
    // only a real change republishes it.
    let app = root.join("app.py");
    let app_uri = uri(&app);
    let before = client.diagnostics(&app_uri, |d| !d.is_empty());
    assert_eq!(codes(&before), ["DL101"]);
    let start = before[0]["range"]["start"]["character"].as_u64().unwrap();
    client.drain(Duration::from_millis(300));

    // 😀 (4 bytes, 2 UTF-16 units) -> "abcd" (4 bytes, 4 units) before the diagnostic: its
    // byte range is unchanged, its UTF-16 column moves by 2.
    let text = std::fs::read_to_string(&app).unwrap();
    let edited = text.replacen('😀', "abcd", 1);
    assert_eq!(edited.len(), text.len());
    std::fs::write(&app, &edited).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": app_uri, "type": 2}]}),
    );
    let after = client.diagnostics(&app_uri, |d| {
        d.first()
            .and_then(|d| d["range"]["start"]["character"].as_u64())
            .is_some_and(|c| c == start + 2)
    });
    assert_eq!(codes(&after), ["DL101"]);
    assert_eq!(client.shutdown_and_exit(), 0);
}
