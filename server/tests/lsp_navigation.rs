//! End-to-end over stdio: navigation over the callback graph (definition, references, rename,
//! hover, code lens) on the `callback-graph` fixture.

mod common;

use common::*;
use serde_json::{json, Value};

fn position_of(text: &str, needle: &str, delta: usize) -> Value {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not found"))
        + delta;
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let col: usize = before
        .rsplit('\n')
        .next()
        .unwrap()
        .chars()
        .map(char::len_utf16)
        .sum();
    json!({"line": line, "character": col})
}

#[test]
fn definition_references_rename_hover_and_lenses() {
    let dir = copy_fixture("callback-graph");
    let root = dir.path().canonicalize().unwrap();
    let mut client = LspClient::spawn();
    client.initialize(&root, false);
    let callbacks_path = root.join("callbacks.py");
    let callbacks_text = std::fs::read_to_string(&callbacks_path).unwrap();
    let callbacks_uri = client.open(&callbacks_path, "python");
    client.diagnostics(&callbacks_uri, |_| true);
    let report_uri = uri(&root.join("pages/report.py"));
    let report_text = std::fs::read_to_string(root.join("pages/report.py")).unwrap();

    // Definition: from Output("country-dropdown", ...) in callbacks.py to pages/report.py.
    let at = position_of(&callbacks_text, "\"country-dropdown\"", 3);
    let defs = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": callbacks_uri}, "position": at}),
    );
    assert_eq!(
        defs["result"],
        json!([{"uri": report_uri, "range": {"start": position_of(&report_text, "\"country-dropdown\"", 0), "end": position_of(&report_text, "\"country-dropdown\"", 18)}}])
    );

    // References of `session`: its dcc.Store and every dependency naming it.
    let app_text = std::fs::read_to_string(root.join("app.py")).unwrap();
    let app_uri = uri(&root.join("app.py"));
    let refs = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": callbacks_uri}, "position": position_of(&callbacks_text, "\"session\"", 2), "context": {"includeDeclaration": true}}),
    );
    let refs = refs["result"].as_array().unwrap();
    let in_app = refs.iter().filter(|r| r["uri"] == app_uri).count();
    let in_callbacks = refs.iter().filter(|r| r["uri"] == callbacks_uri).count();
    assert_eq!((refs.len(), in_app, in_callbacks), (6, 5, 1), "{refs:#?}");

    // Rename `session` -> `user-session` everywhere, keeping quotes.
    let prepared = client.request(
        "textDocument/prepareRename",
        json!({"textDocument": {"uri": callbacks_uri}, "position": position_of(&callbacks_text, "\"session\"", 2)}),
    );
    assert_eq!(
        prepared["result"]["start"],
        position_of(&callbacks_text, "\"session\"", 1)
    );
    let renamed = client.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": callbacks_uri}, "position": position_of(&callbacks_text, "\"session\"", 2), "newName": "user-session"}),
    );
    let changes = renamed["result"]["documentChanges"]
        .as_array()
        .cloned()
        .expect("documentChanges");
    let app_change = changes
        .iter()
        .find(|c| c["textDocument"]["uri"] == app_uri)
        .unwrap();
    let new_app = apply_text_edits(&app_text, app_change["edits"].as_array().unwrap());
    assert_eq!(new_app.matches("\"user-session\"").count(), 5);
    assert!(!new_app.contains("\"session\""));

    // Hover on a callback's decorator.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": callbacks_uri}, "position": position_of(&callbacks_text, "@callback", 2)}),
    );
    assert_eq!(
        hover["result"]["contents"]["value"],
        "**Callback `options`**\n\n- Inputs: `session.data`\n- States: —\n- Outputs: `country-dropdown.options`\n\nFed by: `normalise`  \nFeeds: —"
    );

    // Code lenses above each callback of app.py.
    let lenses = client.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": app_uri}}),
    );
    let titles: Vec<&str> = lenses["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "1 input + 1 state -> 1 output",
            "1 input -> 1 output",
            "1 input -> 1 output",
            "1 input -> 1 output"
        ]
    );
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn callback_graph_command_renders_the_unsaved_view() {
    let dir = copy_fixture("callback-graph");
    let root = dir.path().canonicalize().unwrap();
    let mut client = LspClient::spawn();
    let init = client.initialize(&root, false);
    assert_eq!(
        init["result"]["capabilities"]["executeCommandProvider"]["commands"],
        json!(["dash-lsp.callbackGraph"])
    );
    let callbacks_path = root.join("callbacks.py");
    let callbacks_uri = client.open(&callbacks_path, "python");
    client.diagnostics(&callbacks_uri, |_| true);

    let graph = |client: &mut LspClient, args: Value| {
        client.request(
            "workspace/executeCommand",
            json!({"command": "dash-lsp.callbackGraph", "arguments": [args]}),
        )
    };
    let svg = graph(&mut client, json!({"uri": callbacks_uri}));
    assert_eq!(svg["result"]["format"], "svg");
    let content = svg["result"]["content"].as_str().unwrap();
    assert!(content.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(content.contains(">draw</text>") && content.contains(">country-map</text>"));
    // Offline by construction: no scripts, no external references.
    assert!(!content.contains("<script") && !content.contains("href=\"http"));

    // An unsaved rename of a callback shows in the graph.
    let text = std::fs::read_to_string(&callbacks_path).unwrap();
    let renamed = text.replacen("def announce(", "def announce_all(", 1);
    assert_ne!(renamed, text, "fixture has an `announce` callback");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": callbacks_uri, "version": 2}, "contentChanges": [{"text": renamed}]}),
    );
    let json_graph = graph(&mut client, json!({"uri": callbacks_uri, "format": "json"}));
    let parsed: Value =
        serde_json::from_str(json_graph["result"]["content"].as_str().unwrap()).unwrap();
    let names: Vec<&str> = parsed["apps"][0]["callbacks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(
        names.contains(&"announce_all") && !names.contains(&"announce"),
        "{names:?}"
    );

    // Bad requests get errors, not a dead server.
    let bad = graph(&mut client, json!({"uri": callbacks_uri, "format": "png"}));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    let unknown = client.request(
        "workspace/executeCommand",
        json!({"command": "dash-lsp.nope", "arguments": []}),
    );
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
    let outside = graph(&mut client, json!({"uri": "file:///elsewhere/app.py"}));
    assert_eq!(outside["error"]["code"], -32602, "{outside}");
    assert_eq!(client.shutdown_and_exit(), 0);
}
