//! The client side of an in-process server, and the gate that holds checks in flight.

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
pub(super) struct Hold {
    root: PathBuf,
    pub(super) arrived: Arc<Notify>,
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

    pub(super) fn hold(&self, root: &Path) -> Hold {
        let hold = Hold {
            root: root.to_path_buf(),
            arrived: Arc::default(),
            release: Arc::new(Semaphore::new(0)),
        };
        *self.held.lock().unwrap_or_else(|e| e.into_inner()) = Some(hold.clone());
        hold
    }

    pub(super) fn release(&self) {
        if let Some(hold) = self.held.lock().unwrap_or_else(|e| e.into_inner()).take() {
            hold.release.close();
        }
    }
}

pub(super) const WAIT: Duration = Duration::from_secs(20);

/// The client side of an in-process server.
pub(super) struct TestClient {
    out: mpsc::UnboundedSender<Value>,
    incoming: mpsc::UnboundedReceiver<Value>,
    next_id: i64,
    /// Every `publishDiagnostics` received, in order: (uri, the diagnostics' codes and
    /// messages).
    pub(super) published: Vec<(String, Vec<String>)>,
    pub(super) gate: Arc<Gate>,
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
    pub(super) fn start() -> TestClient {
        let (service, socket) = crate::lsp::server::service();
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

    pub(super) fn notify(&self, method: &str, params: Value) {
        let _ = self
            .out
            .send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next message within `wait`, publications recorded.
    pub(super) async fn next(&mut self, wait: Duration) -> Option<Value> {
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

    pub(super) async fn request(&mut self, method: &str, params: Value) -> Value {
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
    pub(super) async fn publication(&mut self, uri: &str, wait: Duration) -> Option<Vec<String>> {
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
    pub(super) async fn drain(&mut self, wait: Duration) {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if self.next(left).await.is_none() {
                return;
            }
        }
    }

    pub(super) fn open(&self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}),
        );
    }

    pub(super) fn remove_folder(&self, root: &Path) {
        self.notify(
            "workspace/didChangeWorkspaceFolders",
            json!({"event": {"added": [], "removed": [{"uri": uri(root), "name": "x"}]}}),
        );
    }
}

pub(super) fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}
