//! In-process tests of the server (as typos-lsp does): the real service behind
//! `tower_lsp_server::Server`, driven over `tokio::io::duplex` with JSON-RPC framed by hand.
//! They reach what the binary's end-to-end tests cannot: a check held in flight while the
//! client changes the workspace (see [`Gate`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, Notify, Semaphore};
use tower_lsp_server::Server;

/// Holds the checks of one folder before they publish: the test changes the workspace while
/// a check is in flight, then lets it go on.
#[derive(Default)]
pub(crate) struct Gate {
    held: Mutex<Option<Hold>>,
}

#[derive(Clone)]
struct Hold {
    root: PathBuf,
    arrived: Arc<Notify>,
    release: Arc<Semaphore>,
}

impl Gate {
    /// Where a check of the folder at `root` waits (after checking, before publishing) while
    /// that folder is held.
    pub(crate) async fn pass(&self, root: &Path) {
        let hold = self
            .held
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .filter(|h| h.root == root);
        if let Some(hold) = hold {
            hold.arrived.notify_one();
            // Closed on release: every waiter goes on.
            let _ = hold.release.acquire().await;
        }
    }

    fn hold(&self, root: &Path) -> Hold {
        let hold = Hold {
            root: root.to_path_buf(),
            arrived: Arc::default(),
            release: Arc::new(Semaphore::new(0)),
        };
        *self.held.lock().unwrap_or_else(|e| e.into_inner()) = Some(hold.clone());
        hold
    }

    fn release(&self) {
        if let Some(hold) = self.held.lock().unwrap_or_else(|e| e.into_inner()).take() {
            hold.release.close();
        }
    }
}

const WAIT: Duration = Duration::from_secs(20);

/// The client side of an in-process server.
struct TestClient {
    out: mpsc::UnboundedSender<Value>,
    incoming: mpsc::UnboundedReceiver<Value>,
    next_id: i64,
    /// Every `publishDiagnostics` received, in order: (uri, the diagnostics' codes and
    /// messages).
    published: Vec<(String, Vec<String>)>,
    gate: Arc<Gate>,
}

fn frame(body: &Value) -> Vec<u8> {
    let body = body.to_string();
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

async fn read_message<R: tokio::io::AsyncBufRead + Unpin>(input: &mut R) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if input.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            length = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    input.read_exact(&mut body).await.ok()?;
    serde_json::from_slice(&body).ok()
}

impl TestClient {
    fn start() -> TestClient {
        let (service, socket) = super::server::service();
        let gate = service.inner().gate.clone();
        let (client_write, server_read) = tokio::io::duplex(1 << 16);
        let (server_write, client_read) = tokio::io::duplex(1 << 16);
        tokio::spawn(Server::new(server_read, server_write, socket).serve(service));
        let (out, mut outgoing) = mpsc::unbounded_channel::<Value>();
        tokio::spawn(async move {
            let mut client_write = client_write;
            while let Some(message) = outgoing.recv().await {
                if client_write.write_all(&frame(&message)).await.is_err() {
                    return;
                }
            }
        });
        let (to_test, incoming) = mpsc::unbounded_channel();
        let answer = out.clone();
        tokio::spawn(async move {
            let mut input = BufReader::new(client_read);
            while let Some(message) = read_message(&mut input).await {
                // The server's requests (registrations) get an empty answer.
                if let (Some(id), Some(_)) = (message.get("id"), message.get("method")) {
                    let _ = answer.send(json!({"jsonrpc": "2.0", "id": id, "result": null}));
                    continue;
                }
                if to_test.send(message).is_err() {
                    return;
                }
            }
        });
        TestClient {
            out,
            incoming,
            next_id: 1,
            published: Vec::new(),
            gate,
        }
    }

    fn notify(&self, method: &str, params: Value) {
        let _ = self
            .out
            .send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next message within `wait`, publications recorded.
    async fn next(&mut self, wait: Duration) -> Option<Value> {
        let message = tokio::time::timeout(wait, self.incoming.recv())
            .await
            .ok()??;
        if message["method"] == "textDocument/publishDiagnostics" {
            let params = &message["params"];
            let found = params["diagnostics"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|d| format!("{} {}", d["code"].as_str().unwrap_or(""), d["message"]))
                .collect();
            let uri = params["uri"].as_str().unwrap_or("").to_string();
            self.published.push((uri, found));
        }
        Some(message)
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let _ = self
            .out
            .send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.next(WAIT).await.expect("an answer");
            if message["id"] == id {
                return message;
            }
        }
    }

    /// Reads messages until a publication for `uri` arrives (its diagnostics), or `wait` ends.
    async fn publication(&mut self, uri: &str, wait: Duration) -> Option<Vec<String>> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let message = self.next(left).await?;
            if message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
            {
                return self.published.last().map(|(_, d)| d.clone());
            }
        }
    }

    /// Reads (and records) whatever arrives during `wait`.
    async fn drain(&mut self, wait: Duration) {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if self.next(left).await.is_none() {
                return;
            }
        }
    }

    fn open(&self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}),
        );
    }

    fn remove_folder(&self, root: &Path) {
        self.notify(
            "workspace/didChangeWorkspaceFolders",
            json!({"event": {"added": [], "removed": [{"uri": uri(root), "name": "x"}]}}),
        );
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

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
