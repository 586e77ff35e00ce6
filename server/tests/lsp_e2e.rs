//! End-to-end: the real binary over stdio, driven as an editor drives it.

mod common;

use common::*;
use serde_json::{json, Value};

fn has(code: &str) -> impl Fn(&[Value]) -> bool + '_ {
    move |d: &[Value]| codes(d).iter().any(|c| c == code)
}

fn lacks(code: &str) -> impl Fn(&[Value]) -> bool + '_ {
    move |d: &[Value]| !codes(d).iter().any(|c| c == code)
}

#[test]
fn dl101_quick_fix_round_trip() {
    let dir = copy_fixture("classic-missing-server");
    let root = dir.path().canonicalize().unwrap();
    let mut client = LspClient::spawn();
    let init = client.initialize(&root, false);
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(
        init["result"]["capabilities"]["textDocumentSync"]["change"],
        2
    );

    // The start-up scan publishes files that are not open.
    let req_uri = uri(&root.join("requirements.txt"));
    let req = client.diagnostics(&req_uri, has("DL108"));
    assert_eq!(
        req[0]["range"],
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 11}})
    );

    let app_path = root.join("app.py");
    let app_uri = client.open(&app_path, "python");
    let diags = client.diagnostics(&app_uri, has("DL101"));
    let dl101 = diags.iter().find(|d| d["code"] == "DL101").unwrap().clone();
    assert_eq!(
        dl101["range"],
        json!({"start": {"line": 3, "character": 0}, "end": {"line": 3, "character": 25}})
    );
    assert_eq!(dl101["source"], "dash-lsp");
    assert_eq!(dl101["severity"], 1);
    assert_eq!(dl101["data"]["rule"], "missing-server-export");
    assert_eq!(
        dl101["relatedInformation"][0]["location"]["uri"],
        uri(&root.join("Procfile"))
    );

    let response = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": app_uri}, "range": dl101["range"], "context": {"diagnostics": [dl101]}}),
    );
    let actions = response["result"].as_array().unwrap().clone();
    let quickfix = actions
        .iter()
        .find(|a| a["kind"] == "quickfix")
        .expect("a quickfix");
    assert_eq!(quickfix["title"], "Add `server = app.server` (DL101)");
    assert_eq!(quickfix["isPreferred"], true);
    let changes = document_changes(quickfix);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["textDocument"]["uri"], app_uri);
    assert_eq!(changes[0]["textDocument"]["version"], 1);

    // Apply the edit as the editor would, and send it back as an incremental change.
    let before = std::fs::read_to_string(&app_path).unwrap();
    let edits = changes[0]["edits"].as_array().unwrap().clone();
    let after = apply_text_edits(&before, &edits);
    assert!(
        after.contains("app = dash.Dash(__name__)\nserver = app.server\napp.layout"),
        "{after}"
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": app_uri, "version": 2}, "contentChanges": [{"range": edits[0]["range"], "text": edits[0]["newText"]}]}),
    );
    client.diagnostics(&app_uri, lacks("DL101"));
    let text = client.request("dash-lsp/documentText", json!({"uri": app_uri}));
    assert_eq!(text["result"]["text"], after);
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn procfile_edit_updates_app_py() {
    let dir = copy_fixture("classic-missing-server");
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(
        root.join("Procfile"),
        "web: gunicorn dashboard:server --workers 4\n",
    )
    .unwrap();
    let mut client = LspClient::spawn();
    client.initialize(&root, false);
    let procfile_uri = client.open(&root.join("Procfile"), "procfile");
    let diags = client.diagnostics(&procfile_uri, has("DL106"));
    assert_eq!(
        diags[0]["range"],
        json!({"start": {"line": 0, "character": 14}, "end": {"line": 0, "character": 30}})
    );
    // app.py has no DL101 while the target's module is missing.
    let app_uri = uri(&root.join("app.py"));
    assert!(client.backlog.iter().all(|m| m["params"]["uri"] != app_uri
        || lacks("DL101")(m["params"]["diagnostics"].as_array().unwrap())));
    // Fix the target by typing: `dashboard` -> `app`.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": procfile_uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": 14}, "end": {"line": 0, "character": 23}}, "text": "app"}
        ]}),
    );
    client.diagnostics(&procfile_uri, lacks("DL106"));
    let app = client.diagnostics(&app_uri, has("DL101"));
    assert!(app[0]["message"].as_str().unwrap().contains("`app:server`"));
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn fix_creates_requirements_txt() {
    let dir = copy_fixture("no-procfile-no-requirements");
    let root = dir.path().canonicalize().unwrap();
    let mut client = LspClient::spawn();
    client.initialize(&root, false);
    let app_uri = client.open(&root.join("app.py"), "python");
    client.diagnostics(&app_uri, has("DL107"));
    let response = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": app_uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": []}}),
    );
    let actions = response["result"].as_array().unwrap().clone();
    let create = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Create requirements.txt")
        })
        .expect("DL107 fix");
    let changes = document_changes(create);
    let req_uri = uri(&root.join("requirements.txt"));
    assert_eq!(
        changes[0],
        json!({"kind": "create", "uri": req_uri, "options": {"overwrite": false, "ignoreIfExists": true}})
    );
    let content = changes[1]["edits"][0]["newText"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        content,
        "dash\ndash-bootstrap-components\ngunicorn\npandas\nscikit-learn\n"
    );
    // The editor creates the file; the watcher reports it.
    std::fs::write(root.join("requirements.txt"), &content).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": req_uri, "type": 1}]}),
    );
    let after = client.diagnostics(&app_uri, lacks("DL107"));
    assert!(codes(&after).contains(&"DL102".to_string()));
    // The fix-all source action applies DL101 and creates the Procfile in one edit.
    let response = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": app_uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
               "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let actions = response["result"].as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.dash-lsp");
    let changes = document_changes(&actions[0]);
    let procfile = changes
        .iter()
        .find(|c| c["textDocument"]["uri"] == uri(&root.join("Procfile")))
        .expect("Procfile created");
    assert_eq!(
        procfile["edits"][0]["newText"],
        "web: gunicorn app:server --workers 4\n"
    );
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn ranges_on_a_line_with_emoji() {
    for (utf8, start, end) in [(false, 21, 59), (true, 23, 61)] {
        let dir = copy_fixture("unicode-ranges");
        let root = dir.path().canonicalize().unwrap();
        let mut client = LspClient::spawn();
        let init = client.initialize(&root, utf8);
        assert_eq!(
            init["result"]["capabilities"]["positionEncoding"],
            if utf8 { "utf-8" } else { "utf-16" }
        );
        let app_uri = client.open(&root.join("app.py"), "python");
        let diags = client.diagnostics(&app_uri, has("DL101"));
        assert_eq!(
            diags[0]["range"],
            json!({"start": {"line": 2, "character": start}, "end": {"line": 2, "character": end}}),
            "utf8={utf8}"
        );
        // An edit positioned after the emoji lands where the client meant it.
        let col = if utf8 { 20 } else { 18 };
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": app_uri, "version": 2}, "contentChanges": [
                {"range": {"start": {"line": 2, "character": col}, "end": {"line": 2, "character": col}}, "text": "!"}
            ]}),
        );
        let text = client.request("dash-lsp/documentText", json!({"uri": app_uri}));
        assert!(
            text["result"]["text"]
                .as_str()
                .unwrap()
                .contains("titre = \"Ventes 😀!\";"),
            "{text}"
        );
        assert_eq!(client.shutdown_and_exit(), 0);
    }
}

#[test]
fn errors_are_answered_and_the_server_keeps_serving() {
    let dir = copy_fixture("classic-missing-server");
    let root = dir.path().canonicalize().unwrap();
    let mut client = LspClient::spawn_with_env(&[("DASH_LSP_DEBUG_PANIC", "1")]);
    client.initialize(&root, false);
    let unknown = client.request("textDocument/noSuchThing", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    let panicked = client.request("dash-lsp/debugPanic", json!({}));
    assert_eq!(panicked["error"]["code"], -32603);
    // Still serving.
    let app_uri = client.open(&root.join("app.py"), "python");
    client.diagnostics(&app_uri, has("DL101"));
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn exit_without_shutdown_is_exit_code_1() {
    let mut client = LspClient::spawn();
    let dir = copy_fixture("factory-target");
    client.initialize(&dir.path().canonicalize().unwrap(), false);
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit(), 1);
}

#[test]
fn unsafe_fixes_are_offered_marked_and_left_out_of_fix_all() {
    let dir = copy_fixture("celery-worker");
    let root = dir.path().canonicalize().unwrap();
    let mut client = LspClient::spawn();
    client.initialize(&root, false);
    let tasks_uri = client.open(&root.join("tasks.py"), "python");
    let diags = client.diagnostics(&tasks_uri, has("DL207"));
    let dl207 = diags.iter().find(|d| d["code"] == "DL207").unwrap().clone();
    let response = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": tasks_uri}, "range": dl207["range"],
               "context": {"diagnostics": [dl207]}}),
    );
    let actions = response["result"].as_array().unwrap();
    let fix = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Read `REDIS_URL`"))
        .expect("the DL207 quick fix");
    assert_eq!(
        fix["title"],
        "Read `REDIS_URL` from the environment (DL207, unsafe)"
    );
    assert_eq!(fix["isPreferred"], false);
    // Fix-all applies safe fixes only: nothing here is safely fixable.
    let response = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": tasks_uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
               "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    assert_eq!(response["result"], json!([]), "{response:#?}");
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn fix_all_in_the_lightbulb_is_resolved_when_chosen() {
    // A client that resolves `edit` gets the lightbulb's fix-all without one (its rounds
    // re-check the app: seconds on a large module); `codeAction/resolve` gives the edit that
    // an explicit `source.fixAll` request gives at once.
    let dir = copy_fixture("unicode-ranges");
    let root = dir.path().canonicalize().unwrap();
    let mut client = LspClient::spawn();
    let init = client.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(&root),
               "workspaceFolders": [{"uri": uri(&root), "name": "ws"}],
               "capabilities": {
                   "workspace": {"workspaceEdit": {"documentChanges": true}},
                   "textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]}}}}}),
    );
    assert_eq!(
        init["result"]["capabilities"]["codeActionProvider"]["resolveProvider"],
        true
    );
    client.notify("initialized", json!({}));
    let app_uri = client.open(&root.join("app.py"), "python");
    client.diagnostics(&app_uri, has("DL101"));
    let at_start =
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}});
    let lightbulb = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": app_uri}, "range": at_start, "context": {"diagnostics": []}}),
    );
    let fix_all = lightbulb["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "source.fixAll.dash-lsp")
        .cloned()
        .expect("fix-all offered");
    assert!(fix_all.get("edit").is_none(), "{fix_all:#?}");
    let resolved = client.request("codeAction/resolve", fix_all);
    let explicit = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": app_uri}, "range": at_start,
               "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let eager = &explicit["result"][0];
    assert_eq!(eager["kind"], "source.fixAll.dash-lsp");
    assert!(eager["edit"].is_object(), "{eager:#?}");
    assert_eq!(resolved["result"]["edit"], eager["edit"]);
    assert_eq!(client.shutdown_and_exit(), 0);
}
