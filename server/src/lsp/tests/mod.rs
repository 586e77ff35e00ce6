//! In-process tests of the server (as typos-lsp does): the real service behind
//! `tower_lsp_server::Server`, driven over `tokio::io::duplex` with JSON-RPC framed by hand.
//! They reach what the binary's end-to-end tests cannot: a check held in flight while the
//! client changes the workspace (see [`Gate`]).

mod client;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Value};

pub(crate) use client::Gate;
use client::{uri, TestClient, WAIT};

/// Three workspace folders a, b, c of one app each, with different findings in `app.py`.
struct Folders {
    _dir: tempfile::TempDir,
    roots: BTreeMap<&'static str, PathBuf>,
    texts: BTreeMap<&'static str, &'static str>,
}

const DEPLOY: [(&str, &str); 2] = [
    ("Procfile", "web: gunicorn app:server --workers 2\n"),
    ("requirements.txt", "dash\ngunicorn\n"),
];
/// No `server` export for the Procfile's `app:server` (DL101).
const APP_A: &str = "import dash\nfrom dash import html\napp = dash.Dash(__name__)\n";
/// A module-level `app.run()` (DL201).
const APP_B: &str = "import dash\nfrom dash import html\napp = dash.Dash(__name__)\nserver = app.server\napp.layout = html.Div()\napp.run()\n";
/// Clean.
const APP_C: &str = "import dash\nfrom dash import html\napp = dash.Dash(__name__)\nserver = app.server\napp.layout = html.Div()\n";

impl Folders {
    fn new() -> Folders {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let base = dir.path().canonicalize().expect("its path");
        let mut roots = BTreeMap::new();
        let texts = BTreeMap::from([("a", APP_A), ("b", APP_B), ("c", APP_C)]);
        for (name, app) in &texts {
            let root = base.join(name);
            std::fs::create_dir_all(&root).expect("a folder");
            for (file, text) in DEPLOY.iter().chain([&("app.py", *app)]) {
                std::fs::write(root.join(file), text).expect("a file");
            }
            roots.insert(*name, root);
        }
        Folders {
            _dir: dir,
            roots,
            texts,
        }
    }

    fn app(&self, name: &str) -> String {
        uri(&self.roots[name].join("app.py"))
    }
}

/// Starts a server on the three folders and waits for the scan's publication of each
/// `app.py`: what each folder's own findings are.
async fn started(folders: &Folders) -> (TestClient, BTreeMap<&'static str, Vec<String>>) {
    let mut client = TestClient::start();
    let workspace_folders: Vec<Value> = folders
        .roots
        .iter()
        .map(|(name, root)| json!({"uri": uri(root), "name": name}))
        .collect();
    let init = client
        .request(
            "initialize",
            json!({"capabilities": {}, "workspaceFolders": workspace_folders}),
        )
        .await;
    assert!(init.get("result").is_some(), "{init}");
    client.notify("initialized", json!({}));
    let mut own = BTreeMap::from([("c", Vec::new())]);
    for name in ["a", "b"] {
        let uri = folders.app(name);
        let found = loop {
            if let Some((_, d)) = client.published.iter().find(|(u, _)| *u == uri) {
                break d.clone();
            }
            let next = client.next(WAIT).await;
            assert!(next.is_some(), "{name}: {:?}", client.published);
        };
        own.insert(name, found);
    }
    // The folders' findings differ (c has none): a result published into the wrong folder
    // shows.
    assert!(!own["a"].is_empty() && !own["b"].is_empty(), "{own:?}");
    assert!(own["a"] != own["b"], "{own:?}");
    (client, own)
}

/// Every publication for a folder's `app.py` carried that folder's own findings.
fn assert_own_findings(
    client: &TestClient,
    folders: &Folders,
    own: &BTreeMap<&'static str, Vec<String>>,
) {
    for (uri, found) in &client.published {
        let Some(name) = own.keys().find(|n| folders.app(n) == *uri) else {
            continue;
        };
        // Cleared (folder removed) is allowed; another folder's findings are not.
        assert!(
            found.is_empty() || found == &own[name],
            "{uri} was published with {found:?}; its folder's findings are {:?}",
            own[name]
        );
    }
}

/// Folder b's check is in flight when folder a is removed: its result still reaches b's
/// `app.py`, and never c's (with folders addressed by index, b's index then named c).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_in_flight_publishes_into_its_own_folder_after_another_is_removed() {
    let folders = Folders::new();
    let (mut client, own) = started(&folders).await;
    let (b, c) = (folders.app("b"), folders.app("c"));
    client.open(&c, folders.texts["c"]);
    assert_eq!(
        client.publication(&c, WAIT).await,
        Some(Vec::new()),
        "c's own publication"
    );
    let hold = client.gate.hold(&folders.roots["b"]);
    client.open(&b, folders.texts["b"]);
    tokio::time::timeout(WAIT, hold.arrived.notified())
        .await
        .expect("b's check reaches the gate");
    client.remove_folder(&folders.roots["a"]);
    client
        .publication(&folders.app("a"), WAIT)
        .await
        .expect("a's diagnostics cleared");
    client.gate.release();
    let published = client.publication(&b, Duration::from_secs(5)).await;
    client.drain(Duration::from_millis(300)).await;
    assert_own_findings(&client, &folders, &own);
    assert_eq!(published.as_ref(), Some(&own["b"]), "b's publication");
}

/// Folder a is removed while its check is in flight: its result is published nowhere (with
/// folders addressed by index, it went to b, the folder that took a's index).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_folder_s_check_is_never_published() {
    let folders = Folders::new();
    let (mut client, own) = started(&folders).await;
    let (a, b) = (folders.app("a"), folders.app("b"));
    client.open(&b, folders.texts["b"]);
    client.publication(&b, WAIT).await.expect("b's publication");
    let hold = client.gate.hold(&folders.roots["a"]);
    client.open(&a, folders.texts["a"]);
    tokio::time::timeout(WAIT, hold.arrived.notified())
        .await
        .expect("a's check reaches the gate");
    client.remove_folder(&folders.roots["a"]);
    assert_eq!(
        client.publication(&a, WAIT).await,
        Some(Vec::new()),
        "a's diagnostics cleared"
    );
    let cleared = client.published.len();
    client.gate.release();
    client.drain(Duration::from_secs(1)).await;
    assert_own_findings(&client, &folders, &own);
    let after: Vec<_> = client.published[cleared..]
        .iter()
        .filter(|(_, d)| !d.is_empty())
        .collect();
    assert!(
        after
            .iter()
            .all(|(u, _)| !u.starts_with(&uri(&folders.roots["a"]))),
        "published into the removed folder: {after:?}"
    );
    // The server still answers.
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": b}, "position": {"line": 0, "character": 0}}),
        )
        .await;
    assert!(hover.get("result").is_some(), "{hover}");
}

/// While the check of a document's new text is in flight, `codeAction` answers from what is
/// computed (nothing for the new text) instead of checking the text itself (seconds on a
/// large module); an explicit fix-all still fixes the current text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_actions_do_not_check_a_text_whose_check_is_in_flight() {
    let folders = Folders::new();
    let (mut client, _) = started(&folders).await;
    let c = folders.app("c");
    client.open(&c, folders.texts["c"]);
    client.publication(&c, WAIT).await.expect("c's publication");
    let hold = client.gate.hold(&folders.roots["c"]);
    let text = format!("{}app.run()\n", folders.texts["c"]);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": c, "version": 2}, "contentChanges": [{"text": text}]}),
    );
    tokio::time::timeout(WAIT, hold.arrived.notified())
        .await
        .expect("the check of the new text is in flight");
    let at_run = json!({"start": {"line": 5, "character": 0}, "end": {"line": 5, "character": 3}});
    let lightbulb = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": c}, "range": at_run, "context": {"diagnostics": []}}),
        )
        .await;
    assert_eq!(lightbulb["result"], json!([]), "{lightbulb}");
    let fix_all = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": c}, "range": at_run,
                   "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
        )
        .await;
    let kinds: Vec<&Value> = fix_all["result"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| &a["kind"])
        .collect();
    assert_eq!(kinds, [&json!("source.fixAll.dash-lsp")], "{fix_all}");
    client.gate.release();
    let published = client.publication(&c, WAIT).await.expect("the new text's");
    assert!(
        published.iter().any(|d| d.starts_with("DL201")),
        "{published:?}"
    );
}
