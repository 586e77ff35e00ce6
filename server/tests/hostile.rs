//! Big and hostile inputs through the real binary (CLI and LSP): they are checked or reported,
//! never crash, hang, or make the server read outside the app.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

fn check(dir: &Path) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_dash-lsp"))
        .args(["check", ".", "--format", "json"])
        .current_dir(dir)
        .env("DASH_LSP_NO_CACHE", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(&stdout).unwrap_or_else(|_| {
        panic!(
            "not JSON: {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

fn codes_of(found: &Value) -> Vec<String> {
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn app(dir: &Path, app_py: &str) {
    std::fs::write(dir.join("app.py"), app_py).unwrap();
    std::fs::write(dir.join("requirements.txt"), "dash\ngunicorn\n").unwrap();
    std::fs::write(dir.join("Procfile"), "web: gunicorn app:server -w 2\n").unwrap();
}

#[test]
fn ten_megabyte_module() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("import dash\napp = dash.Dash(__name__)\n");
    let mut i = 0;
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(&format!("def f{i}(x):\n    return [x, {i}, 'value {i}']\n"));
        i += 1;
    }
    app(dir.path(), &text);
    let (code, found) = check(dir.path());
    assert_eq!(code, 1);
    assert_eq!(codes_of(&found), ["DL101"]);
}

#[test]
fn module_past_the_walk_limit_gives_no_unknown_id_errors() {
    // 45,000 callbacks before the layout that defines their ids: more nodes than the walk
    // indexes (1,000,000), so the layout at the end is never seen (only `top` is). Its ids exist: reporting
    // them as unknown (DL402) would be false, and suggesting near ids quadratic.
    let dir = tempfile::tempdir().unwrap();
    let n = 45_000;
    let mut text = String::from(
        "from dash import Dash, html, Input, Output\napp = Dash(__name__)\nserver = app.server\nTOP = html.Div(id='top')\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "@app.callback(Output('out-{i}', 'children'), Input('in-{i}', 'value'))\ndef f{i}(v):\n    return v\n"
        ));
    }
    text.push_str("app.layout = html.Div([\n    TOP,\n");
    for i in 0..n {
        text.push_str(&format!(
            "    html.Div(id='in-{i}'), html.Div(id='out-{i}'),\n"
        ));
    }
    text.push_str("])\n");
    app(dir.path(), &text);
    let started = Instant::now();
    let (code, found) = check(dir.path());
    assert!(!codes_of(&found).contains(&"DL402".to_string()), "{found}");
    assert_eq!(code, 0, "{found}");
    assert!(started.elapsed() < Duration::from_secs(120));
}

#[test]
fn deep_nesting_and_long_lines() {
    let dir = tempfile::tempdir().unwrap();
    // As deep as Python accepts: parsed and checked.
    let nested = format!("x = {}1{}\n", "(".repeat(200), ")".repeat(200));
    let long_line = format!("y = '{}'\n", "a".repeat(1024 * 1024));
    app(
        dir.path(),
        &format!("import dash\napp = dash.Dash()\nserver = app.server\n{nested}{long_line}"),
    );
    // Deeper than Python accepts ("too many nested parentheses"): reported, never parsed.
    let deep = format!(
        "x = {}1{}\nz = {}{}\n",
        "(".repeat(10_000),
        ")".repeat(10_000),
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    std::fs::write(dir.path().join("deep.py"), deep).unwrap();
    // Half-typed: the same, unclosed.
    std::fs::write(dir.path().join("half.py"), "(".repeat(20_000)).unwrap();
    let (code, found) = check(dir.path());
    assert_eq!(code, 1, "{found}");
    let files: Vec<(&str, &str)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["file"].as_str().unwrap()))
        .collect();
    assert_eq!(
        files,
        [("DL003", "deep.py"), ("DL003", "half.py")],
        "{found}"
    );
}

/// 511 nested blocks ending in a string made tree-sitter's external scanner fail a C assertion
/// (`abort()`: exit 134, no panic guard helps). Python refuses more than 100 levels: the file
/// is reported and never parsed, by the CLI, the server's scan and an edit of an open file.
#[test]
fn deep_indentation_is_reported_not_parsed() {
    let deep: String = (0..511)
        .map(|i| format!("{}if x:\n", " ".repeat(i)))
        .collect();
    let deep = format!("{deep}{}y = 'a'\n", " ".repeat(511));
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    app(
        &root,
        "import dash\napp = dash.Dash(__name__)\nserver = app.server\n",
    );
    std::fs::create_dir(root.join("tests")).unwrap();
    std::fs::write(root.join("tests/deep.py"), &deep).unwrap();
    let (code, found) = check(&root);
    assert_eq!(code, 1, "{found}");
    assert_eq!(codes_of(&found), ["DL003"]);
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.contains("more than 100 levels of indentation"),
        "{message}"
    );

    let mut client = LspClient::spawn();
    client.initialize(&root, false);
    let app_uri = client.open(&root.join("app.py"), "python");
    let deep_uri = uri(&root.join("tests/deep.py"));
    client.diagnostics(&deep_uri, |d| codes(d) == ["DL003"]);
    client.diagnostics(&app_uri, |d| d.is_empty());
    // The same text typed into the open app.py.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": app_uri, "version": 2},
               "contentChanges": [{"text": deep}]}),
    );
    client.diagnostics(&app_uri, |d| codes(d).contains(&"DL003".to_string()));
    assert_eq!(client.shutdown_and_exit(), 0);
}

/// Data text files are only stat'ed: a corpus of `.txt` files is not read into memory, and
/// one that is not UTF-8 is no error. A requirements file named by `-r` is read whatever its
/// name.
#[test]
fn data_text_files_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    app(
        root,
        "import dash\nimport pandas\napp = dash.Dash(__name__)\nserver = app.server\n",
    );
    std::fs::write(
        root.join("requirements.txt"),
        "-r deps/base.txt\ngunicorn\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("deps")).unwrap();
    std::fs::write(root.join("deps/base.txt"), "dash\npandas\n").unwrap();
    std::fs::create_dir_all(root.join("data/corpus")).unwrap();
    std::fs::write(root.join("data/corpus/names-latin1.txt"), b"caf\xe9\n").unwrap();
    std::fs::write(root.join("data/corpus/utf16.txt"), b"\xff\xfea\x00\n\x00").unwrap();
    let (code, found) = check(root);
    assert_eq!(code, 0, "{found}");
    assert_eq!(codes_of(&found), Vec::<String>::new());
}

#[test]
fn invalid_utf8_and_binary_deployment_files() {
    let dir = tempfile::tempdir().unwrap();
    app(
        dir.path(),
        "import dash\napp = dash.Dash()\nserver = app.server\n",
    );
    let binary: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(dir.path().join("Procfile"), &binary).unwrap();
    std::fs::write(dir.path().join("utils.py"), b"x = '\xff\xfe'\n").unwrap();
    let (code, found) = check(dir.path());
    assert_eq!(code, 1);
    let files: Vec<(&str, &str)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["file"].as_str().unwrap()))
        .collect();
    // Reported as unreadable, not as a missing Procfile.
    assert_eq!(files, [("DL003", "Procfile"), ("DL003", "utils.py")]);
}

#[cfg(unix)]
#[test]
fn symlink_loops_do_not_hang_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    app(dir.path(), "import dash\napp = dash.Dash()\n");
    std::fs::create_dir(dir.path().join("pkg")).unwrap();
    std::os::unix::fs::symlink("..", dir.path().join("pkg/loop")).unwrap();
    std::os::unix::fs::symlink("self", dir.path().join("self")).unwrap();
    let (code, found) = check(dir.path());
    assert_eq!(code, 1);
    assert_eq!(codes_of(&found), ["DL101"]);
}

#[test]
fn targets_never_leave_the_app() {
    let outer = tempfile::tempdir().unwrap();
    std::fs::write(outer.path().join("secret.py"), "server = 1\n").unwrap();
    let dir = outer.path().join("app");
    std::fs::create_dir(&dir).unwrap();
    app(
        &dir,
        "import dash\napp = dash.Dash()\nserver = app.server\n",
    );
    for target in [
        "../../etc/passwd:server",
        "../secret:server",
        "--chdir .. secret:server",
        "--chdir /etc passwd:server",
    ] {
        std::fs::write(
            dir.join("Procfile"),
            format!("web: gunicorn {target} -w 2\n"),
        )
        .unwrap();
        let (_, found) = check(&dir);
        assert_eq!(codes_of(&found), ["DL106"], "{target}: {found}");
    }
}

#[test]
fn huge_workspace_scan_keeps_the_server_responsive() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    app(&root, "import dash\napp = dash.Dash()\n");
    for d in 0..100 {
        let sub = root.join(format!("data/part{d}"));
        std::fs::create_dir_all(&sub).unwrap();
        for f in 0..190 {
            std::fs::write(sub.join(format!("f{f}.csv")), "a,b\n1,2\n").unwrap();
        }
        std::fs::write(sub.join("__init__.py"), "").unwrap();
        std::fs::write(sub.join("mod.py"), format!("VALUE = {d}\n")).unwrap();
    }
    let mut client = LspClient::spawn();
    let started = Instant::now();
    let init = client.initialize(&root, false);
    assert!(init.get("result").is_some());
    // 20,000+ files: the scan finishes and publishes.
    let app_uri = client.open(&root.join("app.py"), "python");
    client.diagnostics(&app_uri, |d| codes(d).contains(&"DL101".to_string()));
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_eq!(client.shutdown_and_exit(), 0);

    // Shutdown is answered promptly even while the scan runs.
    let mut client = LspClient::spawn();
    client.initialize(&root, false);
    let asked = Instant::now();
    let response = client.request("shutdown", Value::Null);
    assert!(response.get("error").is_none());
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "{:?}",
        asked.elapsed()
    );
    client.notify("exit", json!(null));
    assert_eq!(client.wait_exit(), 0);
}
