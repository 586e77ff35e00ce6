//! End-to-end: configuration, suppressions and rule docs over LSP (the real binary, stdio).

mod common;

use common::*;
use serde_json::{json, Value};

fn has(code: &str) -> impl Fn(&[Value]) -> bool + '_ {
    move |d: &[Value]| codes(d).iter().any(|c| c == code)
}

fn lacks(code: &str) -> impl Fn(&[Value]) -> bool + '_ {
    move |d: &[Value]| !codes(d).iter().any(|c| c == code)
}

fn find<'a>(diags: &'a [Value], code: &str) -> &'a Value {
    diags
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {diags:#?}"))
}

fn watched_change(client: &mut LspClient, path: &std::path::Path, kind: u32) {
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(path), "type": kind}]}),
    );
}

#[test]
fn initialization_options_select_and_ignore() {
    let dir = copy_fixture("classic-missing-server");
    let root = dir.path().canonicalize().unwrap();
    let mut client = LspClient::spawn();
    client.initialize_with(&root, false, json!({"ignore": ["DL101"]}), false);
    let app_uri = client.open(&root.join("app.py"), "python");
    // Every open document gets a publication; DL101 is ignored, DL108 is not.
    let app = client.diagnostics(&app_uri, |_| true);
    assert_eq!(codes(&app), Vec::<String>::new());
    let req = client.diagnostics(&uri(&root.join("requirements.txt")), |_| true);
    assert_eq!(codes(&req), vec!["DL108"]);
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn lsp_settings_win_over_the_file_and_are_reread_on_change() {
    let dir = copy_fixture("classic-missing-server");
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(
        root.join("pyproject.toml"),
        "[tool.dash-lsp]\nseverity = { DL101 = \"info\", DL108 = \"hint\" }\n",
    )
    .unwrap();
    let mut client = LspClient::spawn();
    client.configuration = json!({"severity": {"DL101": "warning"}});
    client.initialize_with(&root, false, json!({"severity": {"DL101": "hint"}}), true);
    let asked = client.wait_for(|m| m["method"] == "workspace/configuration");
    assert_eq!(asked["params"]["items"][0]["section"], "dash-lsp");

    let app_uri = client.open(&root.join("app.py"), "python");
    let app = client.diagnostics(&app_uri, has("DL101"));
    // workspace/configuration (warning) > initializationOptions (hint) > pyproject (info).
    assert_eq!(find(&app, "DL101")["severity"], 2);
    let req = client.diagnostics(&uri(&root.join("requirements.txt")), has("DL108"));
    // The file's own setting holds where the editor sets nothing.
    assert_eq!(find(&req, "DL108")["severity"], 4);

    // The user changes the settings: a bare notification makes the server ask again.
    client.configuration = json!({"ignore": ["DL1"]});
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    client.diagnostics(&app_uri, lacks("DL101"));
    client.diagnostics(&uri(&root.join("requirements.txt")), lacks("DL108"));
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn pushed_settings_are_used_by_a_client_that_cannot_answer() {
    let dir = copy_fixture("classic-missing-server");
    let root = dir.path().canonicalize().unwrap();
    let mut client = LspClient::spawn();
    client.initialize(&root, false);
    let app_uri = client.open(&root.join("app.py"), "python");
    client.diagnostics(&app_uri, has("DL101"));
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"dash-lsp": {"select": ["DL108"]}}}),
    );
    client.diagnostics(&app_uri, lacks("DL101"));
    assert!(client
        .backlog
        .iter()
        .all(|m| m["method"] != "workspace/configuration"));
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn bad_settings_are_shown_not_fatal() {
    let dir = copy_fixture("classic-missing-server");
    let root = dir.path().canonicalize().unwrap();
    let mut client = LspClient::spawn();
    client.initialize_with(
        &root,
        false,
        json!({"selekt": ["DL1"], "large-file-mb": "big"}),
        false,
    );
    let shown = client.wait_for(|m| m["method"] == "window/showMessage");
    let message = shown["params"]["message"].as_str().unwrap();
    assert!(message.starts_with("dash-lsp: invalid settings (initializationOptions): "));
    assert!(message.contains("`selekt`"), "{message}");
    assert!(message.contains("large-file-mb"), "{message}");
    assert_eq!(shown["params"]["type"], 2);
    // The server still works with its defaults.
    let app_uri = client.open(&root.join("app.py"), "python");
    client.diagnostics(&app_uri, has("DL101"));
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn config_file_changes_are_watched_and_checked() {
    let dir = copy_fixture("classic-missing-server");
    let root = dir.path().canonicalize().unwrap();
    let mut client = LspClient::spawn();
    client.initialize(&root, false);
    let registered = client.wait_for(|m| m["method"] == "client/registerCapability");
    let globs: Vec<&Value> = registered["params"]["registrations"][0]["registerOptions"]
        ["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| &w["globPattern"])
        .collect();
    assert!(globs.contains(&&json!("**/pyproject.toml")));
    assert!(globs.contains(&&json!("**/dash-lsp.toml")));
    let app_uri = client.open(&root.join("app.py"), "python");
    client.diagnostics(&app_uri, has("DL101"));

    let config = root.join("dash-lsp.toml");
    std::fs::write(&config, "ignore = [\"DL101\"]\n").unwrap();
    watched_change(&mut client, &config, 1);
    client.diagnostics(&app_uri, lacks("DL101"));

    // A typo in the file is a diagnostic in it, at the key; the defaults apply again.
    std::fs::write(&config, "ignor = [\"DL101\"]\n").unwrap();
    watched_change(&mut client, &config, 2);
    let problems = client.diagnostics(&uri(&config), has("DL002"));
    assert_eq!(
        find(&problems, "DL002")["range"],
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 5}})
    );
    client.diagnostics(&app_uri, has("DL101"));

    std::fs::remove_file(&config).unwrap();
    watched_change(&mut client, &config, 3);
    client.diagnostics(&uri(&config), |d| d.is_empty());
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn ignore_quick_fix_suppresses_the_line() {
    let dir = copy_fixture("classic-missing-server");
    let root = dir.path().canonicalize().unwrap();
    let mut client = LspClient::spawn();
    client.initialize(&root, false);
    let app_path = root.join("app.py");
    let app_uri = client.open(&app_path, "python");
    let diags = client.diagnostics(&app_uri, has("DL101"));
    let dl101 = find(&diags, "DL101").clone();
    let response = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": app_uri}, "range": dl101["range"], "context": {"diagnostics": [dl101]}}),
    );
    let actions = response["result"].as_array().unwrap();
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        vec![
            "Add `server = app.server` (DL101)",
            "Serve the Dash object itself: target `app:app` (Dash >= 3.1 is a WSGI app) (DL101)",
            "Ignore DL101 for this line",
            "Fix all dash-lsp problems"
        ]
    );
    let ignore = &actions[2];
    assert_eq!(ignore["kind"], "quickfix");
    assert_eq!(ignore["isPreferred"], false);
    assert_eq!(ignore["diagnostics"][0]["code"], "DL101");
    let changes = document_changes(ignore);
    let edits = changes[0]["edits"].as_array().unwrap().clone();
    let before = std::fs::read_to_string(&app_path).unwrap();
    let after = apply_text_edits(&before, &edits);
    assert!(
        after.contains("\napp = dash.Dash(__name__)  # noqa: DL101\n"),
        "{after}"
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": app_uri, "version": 2}, "contentChanges": [{"range": edits[0]["range"], "text": edits[0]["newText"]}]}),
    );
    // Suppressed, and the suppression is used (no DL001).
    let now = client.diagnostics(&app_uri, lacks("DL101"));
    assert_eq!(codes(&now), Vec::<String>::new());

    // Requirements: a trailing `# dash-lsp: ignore` comment on the line.
    let req_path = root.join("requirements.txt");
    let req_uri = client.open(&req_path, "requirements");
    let req = client.diagnostics(&req_uri, has("DL108"));
    let dl108 = find(&req, "DL108").clone();
    let response = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": req_uri}, "range": dl108["range"], "context": {"diagnostics": [dl108]}}),
    );
    let ignore = response["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Ignore DL108 for this line")
        .expect("an ignore action")
        .clone();
    let edits = document_changes(&ignore)[0]["edits"]
        .as_array()
        .unwrap()
        .clone();
    let before = std::fs::read_to_string(&req_path).unwrap();
    let after = apply_text_edits(&before, &edits);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": req_uri, "version": 2}, "contentChanges": [{"text": after}]}),
    );
    let now = client.diagnostics(&req_uri, lacks("DL108"));
    assert_eq!(codes(&now), Vec::<String>::new());
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn diagnostics_link_and_hover_show_the_rule_doc() {
    let dir = copy_fixture("classic-missing-server");
    let root = dir.path().canonicalize().unwrap();
    let mut client = LspClient::spawn();
    client.initialize(&root, false);
    let app_uri = client.open(&root.join("app.py"), "python");
    let diags = client.diagnostics(&app_uri, has("DL101"));
    let dl101 = find(&diags, "DL101");
    let href = dl101["codeDescription"]["href"].as_str().unwrap();
    assert!(
        href.ends_with("/blob/main/docs/rules.md#dl101-missing-server-export"),
        "{href}"
    );
    // docs/rules.md has that anchor (a `## DL101 missing-server-export` heading).
    let docs = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules.md"),
    )
    .unwrap();
    assert!(docs.contains("\n## DL101 missing-server-export\n"));

    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": app_uri}, "position": {"line": 3, "character": 2}}),
    );
    let value = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        value.starts_with("## DL101 missing-server-export\n\nSeverity: error."),
        "{value}"
    );
    assert_eq!(hover["result"]["range"], dl101["range"]);
    // Outside every diagnostic and every component id: no hover.
    let none = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": app_uri}, "position": {"line": 0, "character": 1}}),
    );
    assert_eq!(none["result"], Value::Null);
    assert_eq!(client.shutdown_and_exit(), 0);
}
