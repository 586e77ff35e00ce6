//! `exit` is honoured at once, even while the start-up scan of a large workspace is still
//! reading and checking (issue 18: within 1 s).

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

/// Apps in the workspace: enough that the scan takes seconds.
const APPS: usize = 1_500;

#[test]
fn exit_is_honoured_within_a_second_while_the_scan_runs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    for i in 0..APPS {
        let app = root.join(format!("app{i:04}"));
        std::fs::create_dir_all(&app).unwrap();
        std::fs::write(
            app.join("app.py"),
            format!(
                "import dash\nfrom dash import html, Input, Output\napp = dash.Dash(__name__)\n\
                 server = app.server\napp.layout = html.Div([html.Button(id='b{i}'), html.P(id='p{i}')])\n\n\
                 @app.callback(Output('p{i}', 'children'), Input('b{i}', 'n_clicks'))\n\
                 def show(n):\n    return str(n)\n"
            ),
        )
        .unwrap();
        std::fs::write(app.join("Procfile"), "web: gunicorn app:server\n").unwrap();
        std::fs::write(app.join("requirements.txt"), "dash\ngunicorn\n").unwrap();
    }
    let mut client = LspClient::spawn();
    client.initialize(&root, false);
    let response = client.request("shutdown", Value::Null);
    assert!(response.get("error").is_none(), "{response}");
    client.notify("exit", json!(null));
    let sent = Instant::now();
    // stdin stays open: a client need not close it after `exit`.
    let code = loop {
        if let Some(status) = client.child.try_wait().unwrap() {
            break status.code();
        }
        assert!(
            sent.elapsed() < Duration::from_secs(1),
            "the server was still running 1 s after `exit`"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(code, Some(0), "exit after shutdown");
}
