//! End-to-end: editor help in the deployment files (Procfile, requirements.txt, CHECKS) over
//! stdio: hover, go to definition, document symbols, completion of gunicorn options.

mod common;

use common::*;
use serde_json::{json, Value};

fn setup() -> (tempfile::TempDir, std::path::PathBuf, LspClient) {
    let dir = copy_fixture("classic-missing-server");
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(
        root.join("app.py"),
        "import dash\nfrom dash import html\nimport pandas as pd\n\napp = dash.Dash(__name__)\nserver = app.server\napp.layout = html.Div()\n",
    )
    .unwrap();
    std::fs::write(
        root.join("requirements.txt"),
        "dash==3.2.0\ngunicorn\npandas>=2.2\n",
    )
    .unwrap();
    std::fs::write(root.join("CHECKS"), "WAIT=5\n/  Dash\n").unwrap();
    let mut client = LspClient::spawn();
    client.initialize(&root, false);
    (dir, root, client)
}

#[test]
fn procfile_target_hover_and_definition() {
    let (_dir, root, mut client) = setup();
    let procfile = client.open(&root.join("Procfile"), "procfile");
    // The first publication means the start-up scan is in.
    client.diagnostics(&procfile, |_| true);
    let text = std::fs::read_to_string(root.join("Procfile")).unwrap();
    let character = text.find("server").unwrap() as u64;
    let at =
        json!({"textDocument": {"uri": procfile}, "position": {"line": 0, "character": character}});
    let definition = client.request("textDocument/definition", at.clone());
    assert_eq!(
        definition["result"],
        json!([{"uri": uri(&root.join("app.py")), "range": {"start": {"line": 5, "character": 0}, "end": {"line": 5, "character": 19}}}])
    );
    let hover = client.request("textDocument/hover", at);
    assert_eq!(
        hover["result"]["contents"]["value"],
        "gunicorn serves the object bound in `app.py` line 6:\n\n```python\nserver = app.server\n```"
    );
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn requirement_hover_and_symbols() {
    let (_dir, root, mut client) = setup();
    let req = client.open(&root.join("requirements.txt"), "requirements");
    client.diagnostics(&req, |_| true);
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": req}, "position": {"line": 2, "character": 1}}),
    );
    assert_eq!(
        hover["result"]["contents"]["value"],
        "**pandas** `>=2.2`\n\nImported by:\n- `app.py` line 3: `import pandas as pd`\n\nAlso provides: `dateutil`, `numpy`, `pytz`, `six`, `tzdata`"
    );
    assert_eq!(
        hover["result"]["range"],
        json!({"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 11}})
    );
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": req}}),
    );
    let names: Vec<(&str, u64)> = symbols["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["kind"].as_u64().unwrap()))
        .collect();
    // 4 = Package.
    assert_eq!(names, [("dash", 4), ("gunicorn", 4), ("pandas", 4)]);

    let checks = client.open(&root.join("CHECKS"), "dokku_checks");
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": checks}}),
    );
    assert_eq!(
        symbols["result"],
        json!([
            {"name": "WAIT", "detail": "5", "kind": 7,
             "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 6}},
             "selectionRange": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 4}}},
            {"name": "/", "detail": "Dash", "kind": 24,
             "range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 7}},
             "selectionRange": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 1}}}
        ])
    );
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn gunicorn_options_complete_in_the_procfile() {
    let (_dir, root, mut client) = setup();
    let procfile = client.open(&root.join("Procfile"), "procfile");
    // Type ` --ti` at the end of the web line.
    let text = std::fs::read_to_string(root.join("Procfile")).unwrap();
    let end = text.trim_end().len() as u64;
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": procfile, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": end}, "end": {"line": 0, "character": end}}, "text": " --ti"}
        ]}),
    );
    let response = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": procfile}, "position": {"line": 0, "character": end + 5}}),
    );
    let items = response["result"].as_array().unwrap();
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["--timeout"]);
    // No snippet support declared: the plain option replaces what was typed.
    assert_eq!(
        items[0]["textEdit"],
        json!({"range": {"start": {"line": 0, "character": end + 1}, "end": {"line": 0, "character": end + 5}}, "newText": "--timeout"})
    );
    assert_eq!(items[0]["insertTextFormat"], 1);
    // In app.py nothing is offered.
    let app = client.open(&root.join("app.py"), "python");
    let none = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": app}, "position": {"line": 0, "character": 3}}),
    );
    assert_eq!(none["result"], Value::Null);
    assert_eq!(client.shutdown_and_exit(), 0);
}
