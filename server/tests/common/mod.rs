//! A minimal LSP client for end-to-end tests: spawns the real `dash-lsp` binary and talks
//! JSON-RPC over its stdio, as an editor does.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct LspClient {
    pub child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    next_id: i64,
    /// Notifications and server requests received while waiting for something else.
    pub backlog: Vec<Value>,
    /// What the client answers to `workspace/configuration` (for every item asked).
    pub configuration: Value,
}

/// Runs the dash-lsp binary in `dir` (colours off, no cache: a test leaves no
/// `.dash-lsp-cache/` behind, and every run really checks): exit code, stdout, stderr.
pub fn run_cli(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dash-lsp"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("DASH_LSP_NO_CACHE", "1")
        .output()
        .expect("run dash-lsp");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name)
}

/// Copies a fixture to a fresh temporary folder (tests edit files on disk).
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture(name), tmp.path());
    tmp
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else if entry.file_name() != "expected.json" {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub fn uri(path: &Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    format!("file://{}", path.display())
}

pub fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{}", body.len(), body).into_bytes()
}

impl LspClient {
    pub fn spawn() -> LspClient {
        Self::spawn_with_env(&[])
    }

    pub fn spawn_with_env(env: &[(&str, &str)]) -> LspClient {
        // `DASH_LSP_BIN` runs the tests against another build (to show that a new test fails
        // on the binary from before a fix).
        let bin = std::env::var_os("DASH_LSP_BIN")
            .unwrap_or_else(|| env!("CARGO_BIN_EXE_dash-lsp").into());
        let mut cmd = Command::new(bin);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn dash-lsp");
        let stdout = child.stdout.take().unwrap();
        let stdin = child.stdin.take();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        length = v.parse::<usize>().ok();
                    }
                }
                let Some(length) = length else { return };
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let value: Value = serde_json::from_slice(&body).expect("server sent valid JSON");
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        LspClient {
            child,
            stdin,
            rx,
            next_id: 1,
            backlog: Vec::new(),
            configuration: Value::Null,
        }
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    pub fn send(&mut self, msg: Value) {
        self.send_raw(&frame(&msg.to_string()));
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response (the whole message: `result` or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait_for(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
    }

    fn recv(&mut self, deadline: Instant) -> Option<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.rx.recv_timeout(left) {
            Ok(msg) => {
                // Answer the server's own requests (registerCapability, configuration).
                if msg.get("id").is_some() && msg.get("method").is_some() {
                    let id = msg["id"].clone();
                    let result = if msg["method"] == "workspace/configuration" {
                        let asked = msg["params"]["items"].as_array().map_or(0, Vec::len);
                        Value::Array(vec![self.configuration.clone(); asked])
                    } else {
                        Value::Null
                    };
                    self.send(json!({"jsonrpc": "2.0", "id": id, "result": result}));
                }
                Some(msg)
            }
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => None,
        }
    }

    /// Every message that arrives within `window` (and the backlog), taken out.
    pub fn drain(&mut self, window: std::time::Duration) -> Vec<Value> {
        let mut out = std::mem::take(&mut self.backlog);
        let deadline = Instant::now() + window;
        while let Some(msg) = self.recv(deadline) {
            out.push(msg);
        }
        out
    }

    /// Waits for a message matching `pred`, keeping the others in the backlog.
    pub fn wait_for(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(i);
        }
        let deadline = Instant::now() + TIMEOUT;
        while let Some(msg) = self.recv(deadline) {
            if pred(&msg) {
                return msg;
            }
            self.backlog.push(msg);
        }
        panic!("timed out; backlog: {:#?}", self.backlog);
    }

    /// Waits for a `publishDiagnostics` of `uri` whose diagnostics satisfy `pred`; earlier
    /// publications of that file are dropped.
    pub fn diagnostics(&mut self, uri: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let matches = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        let deadline = Instant::now() + TIMEOUT;
        loop {
            while let Some(i) = self.backlog.iter().position(matches) {
                let msg = self.backlog.remove(i);
                let diags = msg["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                if pred(&diags) {
                    return diags;
                }
            }
            match self.recv(deadline) {
                Some(msg) => self.backlog.push(msg),
                None => panic!(
                    "no matching diagnostics for {uri}; backlog: {:#?}",
                    self.backlog
                ),
            }
        }
    }

    pub fn initialize(&mut self, root: &Path, utf8: bool) -> Value {
        self.initialize_with(root, utf8, Value::Null, false)
    }

    /// `initialize` + `initialized` with `initializationOptions`, and (`pull`) the
    /// `workspace/configuration` capability.
    pub fn initialize_with(
        &mut self,
        root: &Path,
        utf8: bool,
        options: Value,
        pull: bool,
    ) -> Value {
        let encodings = if utf8 {
            json!(["utf-8", "utf-16"])
        } else {
            json!(["utf-16"])
        };
        let response = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "workspaceFolders": [{"uri": uri(root), "name": "ws"}],
                "initializationOptions": options,
                "capabilities": {
                    "general": {"positionEncodings": encodings},
                    "workspace": {
                        "configuration": pull,
                        "workspaceEdit": {"documentChanges": true, "resourceOperations": ["create"]},
                        "didChangeWatchedFiles": {"dynamicRegistration": true}
                    },
                    "textDocument": {"publishDiagnostics": {"relatedInformation": true}}
                }
            }),
        );
        self.notify("initialized", json!({}));
        response
    }

    pub fn open(&mut self, path: &Path, language: &str) -> String {
        let text = std::fs::read_to_string(path).unwrap();
        let uri = uri(path);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
        uri
    }

    pub fn shutdown_and_exit(mut self) -> i32 {
        let response = self.request("shutdown", Value::Null);
        assert!(response.get("error").is_none(), "{response}");
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    /// Waits for the process to end while keeping stdin open (as a client may after `exit`).
    pub fn wait_exit_stdin_open(&mut self) -> i32 {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(
                Instant::now() < deadline,
                "server did not exit after `exit`"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Closes the server's stdin (the client went away without `exit`).
    pub fn close_stdin(&mut self) {
        drop(self.stdin.take());
    }

    pub fn wait_exit(&mut self) -> i32 {
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Converts a UTF-16 LSP position to a byte offset (independent of the server's code).
pub fn utf16_offset(text: &str, line: u64, character: u64) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i as u64 == line {
            let mut units = 0u64;
            for (b, ch) in l.char_indices() {
                if units >= character || ch == '\n' || ch == '\r' {
                    return offset + b;
                }
                units += ch.len_utf16() as u64;
            }
            return offset + l.trim_end_matches(['\n', '\r']).len();
        }
        offset += l.len();
    }
    text.len()
}

/// Applies LSP `TextEdit`s (UTF-16 positions) to a text.
pub fn apply_text_edits(text: &str, edits: &[Value]) -> String {
    let mut resolved: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let r = &e["range"];
            let s = utf16_offset(
                text,
                r["start"]["line"].as_u64().unwrap(),
                r["start"]["character"].as_u64().unwrap(),
            );
            let t = utf16_offset(
                text,
                r["end"]["line"].as_u64().unwrap(),
                r["end"]["character"].as_u64().unwrap(),
            );
            (s, t, e["newText"].as_str().unwrap().to_string())
        })
        .collect();
    resolved.sort_by_key(|(s, _, _)| std::cmp::Reverse(*s));
    let mut out = text.to_string();
    for (s, t, new) in resolved {
        out.replace_range(s..t, &new);
    }
    out
}

/// The `documentChanges` of a code action's edit.
pub fn document_changes(action: &Value) -> Vec<Value> {
    action["edit"]["documentChanges"]
        .as_array()
        .cloned()
        .expect("documentChanges")
}

pub fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}
