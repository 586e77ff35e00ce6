//! Protocol abuse against the real binary over stdio: every bad message is answered per
//! JSON-RPC / LSP (or ignored, for notifications), and the server keeps serving.

mod common;

use common::*;
use serde_json::{json, Value};

/// A request the server must still answer correctly after the abuse.
fn still_serving(client: &mut LspClient, root: &std::path::Path) {
    let app_uri = client.open(&root.join("app.py"), "python");
    let diags = client.diagnostics(&app_uri, |d| codes(d).contains(&"DL101".to_string()));
    assert!(!diags.is_empty());
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": app_uri}, "position": {"line": 0, "character": 0}}),
    );
    assert!(hover.get("result").is_some(), "{hover}");
}

fn started() -> (tempfile::TempDir, std::path::PathBuf, LspClient) {
    let dir = copy_fixture("classic-missing-server");
    let root = dir.path().canonicalize().unwrap();
    let client = LspClient::spawn();
    (dir, root, client)
}

#[test]
fn requests_before_initialize_are_refused() {
    let (_dir, root, mut client) = started();
    let early = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///x.py"}, "position": {"line": 0, "character": 0}}),
    );
    // -32002: ServerNotInitialized.
    assert_eq!(early["error"]["code"], -32002, "{early}");
    client.initialize(&root, false);
    still_serving(&mut client, &root);
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn malformed_json_and_wrong_shapes() {
    let (_dir, root, mut client) = started();
    client.initialize(&root, false);
    // Not JSON at all: a parse error answer (id null).
    client.send_raw(&frame("{this is not json"));
    let parse_error = client.wait_for(|m| m["error"]["code"] == -32700);
    assert_eq!(parse_error["id"], Value::Null);
    // JSON, but not a JSON-RPC message.
    client.send_raw(&frame("[1, 2, 3]"));
    client.send_raw(&frame("{\"jsonrpc\": \"2.0\"}"));
    // A request whose params have the wrong shape: invalid params.
    let bad = client.request("textDocument/hover", json!({"textDocument": 5}));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    // Params that are not an object or array: not a valid JSON-RPC request at all.
    let bad = client.request("textDocument/codeAction", json!("nope"));
    assert_eq!(bad["error"]["code"], -32600, "{bad}");
    // Unknown methods: a request gets MethodNotFound, a notification is ignored.
    let unknown = client.request("workspace/noSuchThing", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    client.notify("$/noSuchNotification", json!({}));
    client.notify("textDocument/didOpen", json!({"bogus": true}));
    still_serving(&mut client, &root);
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn bad_content_length_headers() {
    let (_dir, root, mut client) = started();
    client.initialize(&root, false);
    // A header without a length, then a garbage header line: the server skips them and
    // reads the next well-formed message.
    client.send_raw(b"Content-Type: application/vscode-jsonrpc\r\n\r\n");
    client.send_raw(b"Content-Length: abc\r\n\r\n");
    still_serving(&mut client, &root);
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn edits_to_unknown_documents_and_out_of_range() {
    let (_dir, root, mut client) = started();
    client.initialize(&root, false);
    // didChange for a document never opened: ignored.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&root.join("nope.py")), "version": 2},
               "contentChanges": [{"text": "x = 1\n"}]}),
    );
    let path = root.join("app.py");
    let app_uri = client.open(&path, "python");
    client.diagnostics(&app_uri, |_| true);
    let original = std::fs::read_to_string(&path).unwrap();
    // Ranges past the end: clamped to the end of the line / document (as LSP says).
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": app_uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 999, "character": 0}, "end": {"line": 1000, "character": 5}}, "text": "# tail\n"},
            {"range": {"start": {"line": 0, "character": 500}, "end": {"line": 0, "character": 900}}, "text": "  # one"}
        ]}),
    );
    let text = client.request("dash-lsp/documentText", json!({"uri": app_uri}));
    let expected = {
        let mut t = format!("{original}# tail\n");
        let first_end = t.find('\n').unwrap();
        t.insert_str(first_end, "  # one");
        t
    };
    assert_eq!(text["result"]["text"], expected);
    // A range that ends before it starts, and one that splits a surrogate pair.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": app_uri, "version": 3}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "s = '😀'\n"}
        ]}),
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": app_uri, "version": 4}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": 6}, "end": {"line": 0, "character": 6}}, "text": "x"},
            {"range": {"start": {"line": 1, "character": 5}, "end": {"line": 1, "character": 2}}, "text": ""}
        ]}),
    );
    let text = client.request("dash-lsp/documentText", json!({"uri": app_uri}));
    let now = text["result"]["text"].as_str().unwrap();
    assert_eq!(text["result"]["version"], 4);
    // Still valid UTF-8 with the emoji whole (the split position snaps to a boundary).
    assert!(now.starts_with("s = '") && now.contains('😀'), "{now}");
    still_serving(&mut client, &root);
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn requests_after_shutdown_are_refused_and_exit_is_clean() {
    let (_dir, root, mut client) = started();
    client.initialize(&root, false);
    let ok = client.request("shutdown", Value::Null);
    assert_eq!(ok["result"], Value::Null);
    let late = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&root.join("app.py"))}, "position": {"line": 0, "character": 0}}),
    );
    // -32600: InvalidRequest after shutdown.
    assert_eq!(late["error"]["code"], -32600, "{late}");
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit(), 0);
}

#[test]
fn stdin_closed_without_exit_is_exit_code_1() {
    let (_dir, root, mut client) = started();
    client.initialize(&root, false);
    client.close_stdin();
    assert_eq!(client.wait_exit(), 1);
}

#[test]
fn exit_ends_the_process_even_with_stdin_open() {
    let (_dir, root, mut client) = started();
    client.initialize(&root, false);
    let ok = client.request("shutdown", Value::Null);
    assert_eq!(ok["result"], Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit_stdin_open(), 0);
}
