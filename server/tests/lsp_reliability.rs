//! Reliability of the server against the real binary (issue 17): files that are not regular
//! files, documents outside the workspace or over the size limit, bursts of edits, URIs that
//! are not normalised, files created behind the server's back.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

fn has(code: &str) -> impl Fn(&[Value]) -> bool + '_ {
    move |d: &[Value]| codes(d).iter().any(|c| c == code)
}

fn lacks(code: &str) -> impl Fn(&[Value]) -> bool + '_ {
    move |d: &[Value]| !codes(d).iter().any(|c| c == code)
}

/// A workspace folder holding `files` (path, text).
fn workspace(files: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    (dir, root)
}

const APP: &str =
    "import dash\nfrom dash import html\napp = dash.Dash(__name__)\napp.layout = html.Div()\n";
const DEPLOY: [(&str, &str); 2] = [
    ("Procfile", "web: gunicorn app:server --workers 2\n"),
    ("requirements.txt", "dash\ngunicorn\n"),
];

fn open_text(client: &mut LspClient, uri: &str, text: &str, version: i32) {
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "python", "version": version, "text": text}}),
    );
}

/// A request answered at once proves the server is not stuck.
fn answers(client: &mut LspClient, uri: &str) {
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
    );
    assert!(hover.get("result").is_some(), "{hover}");
}

#[test]
fn closing_a_fifo_does_not_block_the_server() {
    let (_dir, root) = workspace(&[("app.py", APP), DEPLOY[0], DEPLOY[1]]);
    let fifo = root.join("pipe.py");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let mut client = LspClient::spawn();
    client.initialize(&root, false);
    let app = client.open(&root.join("app.py"), "python");
    client.diagnostics(&app, has("DL101"));
    let pipe = format!("file://{}", fifo.display());
    open_text(&mut client, &pipe, "x = 1\n", 1);
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": pipe}}),
    );
    // Reading the FIFO would block until someone writes to it, with the whole server.
    answers(&mut client, &app);
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn a_document_outside_the_workspace_is_analysed_alone() {
    let (_dir, root) = workspace(&[
        ("ws/app.py", APP),
        ("ws/Procfile", DEPLOY[0].1),
        ("ws/requirements.txt", DEPLOY[1].1),
        // The folder around the scratch file: an app of its own, never offered by the user.
        ("home/other/app.py", APP),
        ("home/other/Procfile", "web: python app.py\n"),
    ]);
    let mut client = LspClient::spawn();
    client.initialize(&root.join("ws"), false);
    let app = client.open(&root.join("ws/app.py"), "python");
    client.diagnostics(&app, has("DL101"));
    let scratch = format!("file://{}/home/scratch.py", root.display());
    let text = "import dash\napp = dash.Dash(__name__)\nrows = open('data/x.csv').read()\n";
    open_text(&mut client, &scratch, text, 1);
    let alone = client.diagnostics(&scratch, |_| true);
    // Its neighbours were not read: their absence (no Procfile, no requirements.txt, no
    // data file) is not reported as a fact.
    for code in ["DL102", "DL107", "DL205"] {
        assert!(lacks(code)(&alone), "{alone:?}");
    }
    answers(&mut client, &scratch);
    let seen = client.drain(Duration::from_secs(2));
    let home = format!("file://{}/home/", root.display());
    let outside: Vec<&str> = seen
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .filter_map(|m| m["params"]["uri"].as_str())
        .filter(|u| u.starts_with(&home) && *u != scratch)
        .collect();
    // Nothing next to the scratch file was read, so nothing there is reported.
    assert!(outside.is_empty(), "{outside:?}");
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn a_burst_of_edits_is_analysed_once() {
    // An app large enough that each analysis costs something.
    let mut text = String::from(
        "import dash\nfrom dash import Input, Output, html\napp = dash.Dash(__name__)\n",
    );
    let ids: Vec<String> = (0..150).map(|i| format!("html.Div(id='o{i}')")).collect();
    text.push_str(&format!(
        "app.layout = html.Div([html.Button(id='b'), {}])\n",
        ids.join(", ")
    ));
    for i in 0..150 {
        text.push_str(&format!(
            "@app.callback(Output('o{i}', 'children'), Input('b', 'n_clicks'))\ndef f{i}(n):\n    return n\n"
        ));
    }
    let (_dir, root) = workspace(&[("app.py", &text), DEPLOY[0], DEPLOY[1]]);
    let mut client = LspClient::spawn();
    client.initialize(&root, false);
    let app = client.open(&root.join("app.py"), "python");
    client.diagnostics(&app, has("DL101"));
    let lines = text.lines().count() as u32;
    let edits = 300;
    for v in 0..edits {
        let line = if v + 1 == edits {
            "server = app.server\n".to_string()
        } else {
            format!("# edit {v}\n")
        };
        let at = json!({"line": lines + v, "character": 0});
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": app, "version": v + 2},
                   "contentChanges": [{"range": {"start": at, "end": at}, "text": line}]}),
        );
    }
    let started = Instant::now();
    let answer = client.request("dash-lsp/documentText", json!({"uri": app}));
    let waited = started.elapsed();
    assert_eq!(answer["result"]["version"], json!(edits + 1));
    // The newest text is what is published.
    client.diagnostics(&app, lacks("DL101"));
    eprintln!("burst of {edits}: documentText after {waited:?}");
    // Superseded edits are not analysed: the request after the burst does not wait behind
    // one analysis per edit (about 9 s on a release build before; well under 1 s now).
    assert!(
        waited < Duration::from_secs(5),
        "documentText waited {waited:?}"
    );
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn an_open_document_over_the_size_limit_is_not_analysed() {
    let (_dir, root) = workspace(&[("app.py", APP), DEPLOY[0], DEPLOY[1]]);
    let mut client = LspClient::spawn();
    client.initialize(&root, false);
    let big = root.join("big.py");
    let big_uri = format!("file://{}", big.display());
    // 17 MB: over the 16 MB that files on disk are read up to.
    let text = format!("# {}\n", "x".repeat(17 * 1024 * 1024));
    open_text(&mut client, &big_uri, &text, 1);
    let diags = client.diagnostics(&big_uri, has("DL003"));
    let message = diags
        .iter()
        .find(|d| d["code"] == "DL003")
        .and_then(|d| d["message"].as_str())
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("too large"), "{message}");
    answers(&mut client, &big_uri);
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn a_dotdot_uri_is_the_same_document() {
    let (_dir, root) = workspace(&[("app.py", APP), ("data/x.csv", "a\n"), DEPLOY[0], DEPLOY[1]]);
    let mut client = LspClient::spawn();
    client.initialize(&root, false);
    let plain = uri(&root.join("app.py"));
    // Not yet open: the disk's app.py lacks `server = app.server`.
    client.diagnostics(&plain, has("DL101"));
    let dotdot = format!("file://{}/data/../app.py", root.display());
    let fixed = format!("{APP}server = app.server\n");
    open_text(&mut client, &dotdot, &fixed, 1);
    // The buffer is app.py's: app.py is published from it, with its version, and no second
    // module is kept (no duplicate ids or outputs).
    let diags = client.diagnostics(&plain, |d| !has("DL101")(d));
    assert!(
        lacks("DL404")(&diags) && lacks("DL401")(&diags),
        "{diags:?}"
    );
    let text = client.request("dash-lsp/documentText", json!({"uri": dotdot}));
    assert_eq!(text["result"]["text"], json!(fixed));
    let seen = client.drain(Duration::from_secs(1));
    let on_dotdot = seen.iter().any(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == dotdot
            && m["params"]["diagnostics"]
                .as_array()
                .is_some_and(|d| !d.is_empty())
    });
    assert!(!on_dotdot, "{seen:?}");
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn a_data_file_created_later_clears_dl205() {
    let app = "import dash\nimport pandas as pd\napp = dash.Dash(__name__)\nserver = app.server\ndf = pd.read_csv(\"data/new.csv\")\n";
    let (_dir, root) = workspace(&[
        ("app.py", app),
        DEPLOY[0],
        ("requirements.txt", "dash\ngunicorn\npandas\n"),
    ]);
    let mut client = LspClient::spawn();
    client.initialize(&root, false);
    let app_uri = client.open(&root.join("app.py"), "python");
    client.diagnostics(&app_uri, has("DL205"));
    std::fs::create_dir_all(root.join("data")).unwrap();
    std::fs::write(root.join("data/new.csv"), "a,b\n1,2\n").unwrap();
    // No watched-file event (a client may not watch data files): the next analysis looks
    // for the file again.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": app_uri, "version": 2},
               "contentChanges": [{"text": format!("{app}# edited\n")}]}),
    );
    client.diagnostics(&app_uri, lacks("DL205"));
    // Deleted again, with an event for the folder only (as editors send it): back.
    std::fs::remove_dir_all(root.join("data")).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&root).to_string() + "/data", "type": 3}]}),
    );
    client.diagnostics(&app_uri, has("DL205"));
    assert_eq!(client.shutdown_and_exit(), 0);
}
