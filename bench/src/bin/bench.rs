//! `bench --corpus DIR --ruff PATH [--runs N]`: dash-lsp's figures side by side with ruff's in
//! the same run (`bench/run` builds, installs ruff and generates the corpus first).
//!
//! 1. CLI throughput over the corpus (`dash-lsp check --no-cache` vs `ruff check --no-cache
//!    --isolated`), with the floor (reading the same bytes); then the warm run, nothing changed
//!    since the run before, each tool with its cache on.
//! 2. Editor latency: 500 single-character edits of a 2,000-line app.py with 150 callbacks,
//!    edit -> publishDiagnostics of that file (dash-lsp vs `ruff server`).
//! 3. Cross-file latency: Procfile edit -> app.py republished.
//! 4. Start-up: process start -> first diagnostics in a 100-app workspace.
//! 5. Peak RSS of the server with the 200-app workspace open (dash-lsp vs `ruff server`, the
//!    same workspace and open document).
//! 6. First `codeAction` on a 10 MB module, once its diagnostics are out; `exit` honoured while
//!    the start-up scan of the corpus runs.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use dash_lsp_bench::corpus::{big_app, large_module, subdirs};
use serde_json::{json, Value};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn dash_lsp_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("own path");
    exe.with_file_name("dash-lsp")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Files both tools read: Python sources and the deployment files.
fn corpus_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "py" || x == "txt")
                || p.file_name().is_some_and(|n| n == "Procfile")
            {
                out.push(p);
            }
        }
    }
    out
}

fn time_command(cmd: &mut Command) -> f64 {
    let start = Instant::now();
    let status = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run command");
    let elapsed = start.elapsed().as_secs_f64();
    assert!(status.code().is_some(), "command killed: {cmd:?}");
    elapsed
}

// ---------------------------------------------------------------------------------------------
// A minimal LSP client.

struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
}

impl Client {
    fn spawn(cmd: &mut Command) -> Client {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start server");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = 0usize;
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
                        length = v.parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                if let Ok(v) = serde_json::from_slice::<Value>(&body) {
                    if tx.send(v).is_err() {
                        return;
                    }
                }
            }
        });
        Client {
            child,
            stdin,
            rx,
            next_id: 1,
        }
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        let _ = write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len());
        let _ = self.stdin.flush();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next message matching `pred`, answering server requests on the way.
    fn wait(&mut self, timeout: Duration, pred: impl Fn(&Value) -> bool) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = self.rx.recv_timeout(left).ok()?;
            if msg.get("method").is_some() && msg.get("id").is_some() {
                let result = if msg["method"] == "workspace/configuration" {
                    let n = msg["params"]["items"].as_array().map_or(0, Vec::len);
                    Value::Array(vec![Value::Null; n])
                } else {
                    Value::Null
                };
                let id = msg["id"].clone();
                self.send(json!({"jsonrpc": "2.0", "id": id, "result": result}));
            }
            if pred(&msg) {
                return Some(msg);
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(Duration::from_secs(120), |m| {
            m["id"] == id && m.get("method").is_none()
        })
        .unwrap_or(Value::Null)
    }

    fn initialize(&mut self, root: &Path) {
        let uri = uri(root);
        self.request(
            "initialize",
            // Declares what VS Code and Neovim declare: fix-all's edit is resolved when chosen.
            json!({"processId": null, "rootUri": uri, "workspaceFolders": [{"uri": uri, "name": "bench"}],
                   "capabilities": {"textDocument": {"publishDiagnostics": {},
                   "codeAction": {"resolveSupport": {"properties": ["edit"]}}}}}),
        );
        self.notify("initialized", json!({}));
    }

    fn open(&mut self, path: &Path, language: &str) -> String {
        let uri = uri(path);
        let text = std::fs::read_to_string(path).unwrap_or_default();
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
        uri
    }

    fn published(&mut self, uri: &str, timeout: Duration) -> bool {
        self.wait(timeout, |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        })
        .is_some()
    }

    /// Waits until no message has arrived for `quiet` (at most `limit`).
    fn quiet_for(&mut self, quiet: Duration, limit: Duration) {
        let end = Instant::now() + limit;
        while Instant::now() < end {
            if self.rx.recv_timeout(quiet).is_err() {
                return;
            }
        }
    }

    fn peak_rss_kb(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
    }

    fn stop(self) {
        self.stop_within(Duration::from_secs(5));
    }

    /// `shutdown` + `exit`, then the time from `shutdown` to the process' end; `None` (and
    /// killed) when it is still running after `limit`.
    fn stop_within(mut self, limit: Duration) -> Option<Duration> {
        let start = Instant::now();
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        while start.elapsed() < limit {
            if let Ok(Some(_)) = self.child.try_wait() {
                return Some(start.elapsed());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = self.child.kill();
        None
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

// ---------------------------------------------------------------------------------------------

/// Edit latencies (ms) of `edits` single-character edits of `app.py` in `dir`.
fn edit_latency(cmd: &mut Command, dir: &Path, edits: usize) -> Vec<f64> {
    let mut client = Client::spawn(cmd);
    client.initialize(dir);
    let path = dir.join("app.py");
    let uri = client.open(&path, "python");
    client.published(&uri, Duration::from_secs(60));
    // Let the start-up scan settle.
    std::thread::sleep(Duration::from_millis(300));
    while client.rx.try_recv().is_ok() {}
    let mut latencies = Vec::with_capacity(edits);
    for k in 0..edits {
        let version = k as i64 + 2;
        // Toggle one character in the first-line comment.
        let change = if k % 2 == 0 {
            json!({"range": {"start": {"line": 0, "character": 1}, "end": {"line": 0, "character": 1}}, "text": "x"})
        } else {
            json!({"range": {"start": {"line": 0, "character": 1}, "end": {"line": 0, "character": 2}}, "text": ""})
        };
        let start = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        );
        if client.published(&uri, Duration::from_secs(10)) {
            latencies.push(start.elapsed().as_secs_f64() * 1000.0);
        }
    }
    client.stop();
    latencies.sort_by(|a, b| a.total_cmp(b));
    latencies
}

/// Procfile edit -> app.py republished (ms), `n` times.
fn cross_file_latency(dir: &Path, n: usize) -> Vec<f64> {
    let mut client = Client::spawn(&mut Command::new(dash_lsp_bin()));
    client.initialize(dir);
    let app = client.open(&dir.join("app.py"), "python");
    client.published(&app, Duration::from_secs(60));
    let procfile = client.open(&dir.join("Procfile"), "procfile");
    client.published(&procfile, Duration::from_secs(60));
    let mut out = Vec::new();
    for k in 0..n {
        // `app:server` <-> `app:server2`: DL101 comes and goes in app.py.
        let change = if k % 2 == 0 {
            json!({"range": {"start": {"line": 0, "character": 24}, "end": {"line": 0, "character": 24}}, "text": "2"})
        } else {
            json!({"range": {"start": {"line": 0, "character": 24}, "end": {"line": 0, "character": 25}}, "text": ""})
        };
        let start = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": procfile, "version": k as i64 + 2}, "contentChanges": [change]}),
        );
        if client.published(&app, Duration::from_secs(10)) {
            out.push(start.elapsed().as_secs_f64() * 1000.0);
        }
    }
    client.stop();
    out.sort_by(|a, b| a.total_cmp(b));
    out
}

/// Process start -> first diagnostics of an opened app.py in a workspace (ms).
fn startup(root: &Path, app: &Path) -> f64 {
    let start = Instant::now();
    let mut client = Client::spawn(&mut Command::new(dash_lsp_bin()));
    client.initialize(root);
    let uri = client.open(app, "python");
    client.published(&uri, Duration::from_secs(120));
    let t = start.elapsed().as_secs_f64() * 1000.0;
    client.stop();
    t
}

/// Peak RSS (MB) of a server with `root` open as its workspace and `app`'s app.py open, once
/// its diagnostics are out and the server has gone quiet.
fn peak_rss_mb(cmd: &mut Command, root: &Path, app: &Path) -> f64 {
    let mut client = Client::spawn(cmd);
    client.initialize(root);
    let uri = client.open(&app.join("app.py"), "python");
    client.published(&uri, Duration::from_secs(120));
    // The peak after every file's diagnostics went out (they are sent one file at a time).
    client.quiet_for(Duration::from_millis(1000), Duration::from_secs(60));
    let rss = client.peak_rss_kb().unwrap_or(0) as f64 / 1024.0;
    client.stop();
    rss
}

/// `textDocument/codeAction` on the first published diagnostic of `dir/app.py` (ms), asked
/// once the diagnostics are out.
fn first_code_action_ms(dir: &Path) -> Option<f64> {
    let mut client = Client::spawn(&mut Command::new(dash_lsp_bin()));
    client.initialize(dir);
    let path = dir.join("app.py");
    let uri = client.open(&path, "python");
    let published = client.wait(Duration::from_secs(300), |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri.as_str()
            && m["params"]["diagnostics"]
                .as_array()
                .is_some_and(|d| !d.is_empty())
    })?;
    let diagnostic = published["params"]["diagnostics"][0].clone();
    let start = Instant::now();
    let answer = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": diagnostic["range"],
               "context": {"diagnostics": [diagnostic]}}),
    );
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    client.stop();
    answer.get("result").map(|_| ms)
}

/// Time (ms) from `shutdown` + `exit` to the process' end while the start-up scan of `root` runs.
fn exit_during_scan_ms(root: &Path, app: &Path) -> Option<f64> {
    let mut client = Client::spawn(&mut Command::new(dash_lsp_bin()));
    client.initialize(root);
    client.open(&app.join("app.py"), "python");
    std::thread::sleep(Duration::from_millis(100));
    // From `shutdown` on: a server that answers it only after the scan is not honouring exit.
    client
        .stop_within(Duration::from_secs(30))
        .map(|t| t.as_secs_f64() * 1000.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let corpus =
        PathBuf::from(arg(&args, "--corpus").unwrap_or_else(|| "target/bench-corpus".into()));
    let ruff = arg(&args, "--ruff").map(PathBuf::from);
    let runs: usize = arg(&args, "--runs")
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let corpus = corpus.canonicalize().unwrap_or(corpus);
    let apps = subdirs(&corpus);
    if apps.is_empty() {
        eprintln!("bench: no apps in {} (run bench/run)", corpus.display());
        std::process::exit(2);
    }
    let files = corpus_files(&corpus);
    let bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let mb = bytes as f64 / 1e6;
    println!(
        "corpus: {} apps, {} files, {:.1} MB ({})",
        apps.len(),
        files.len(),
        mb,
        corpus.display()
    );

    let mut rows: Vec<[String; 6]> = Vec::new();
    let mut row =
        |what: &str, ours: String, peer: String, ratio: String, target: &str, met: Option<bool>| {
            let status = match met {
                Some(true) => "met",
                Some(false) => "MISSED",
                None => "",
            };
            rows.push([what.into(), ours, peer, ratio, target.into(), status.into()]);
        };

    // `--only a,b`: just those measures (read, cli, warm, parse, edit, cross, start, rss,
    // codeaction, exit).
    let only = arg(&args, "--only");
    let want = |what: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|w| w.trim() == what))
    };
    if want("read") {
        // 0. The floor: reading the bytes.
        let floor = median(
            (0..runs)
                .map(|_| {
                    let start = Instant::now();
                    let mut total = 0usize;
                    for f in &files {
                        total += std::fs::read(f).map(|b| b.len()).unwrap_or(0);
                    }
                    assert!(total as u64 == bytes);
                    start.elapsed().as_secs_f64()
                })
                .collect(),
        );
        row(
            "floor: read the corpus",
            format!("{:.1} ms", floor * 1e3),
            String::new(),
            String::new(),
            "",
            None,
        );
    }

    let mut parse_floor: Option<f64> = None;
    if want("parse") || want("cli") {
        // 1b. The floor of any tree-sitter-based check: parsing the corpus' Python files alone,
        // on as many threads as the CLI uses.
        let python: Vec<String> = files
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "py"))
            .filter_map(|f| std::fs::read_to_string(f).ok())
            .collect();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let parse = median(
            (0..runs)
                .map(|_| {
                    let start = Instant::now();
                    std::thread::scope(|scope| {
                        for chunk in python.chunks(python.len().div_ceil(threads).max(1)) {
                            scope.spawn(move || {
                                for text in chunk {
                                    let tree = dash_lsp_syntax::parse::parse_tree(text, None);
                                    assert!(tree.is_some(), "tree-sitter gave up on a corpus file");
                                }
                            });
                        }
                    });
                    start.elapsed().as_secs_f64()
                })
                .collect(),
        );
        row(
            &format!("floor: tree-sitter parse of the .py files ({threads} threads)"),
            format!("{:.0} ms", parse * 1e3),
            String::new(),
            String::new(),
            "",
            None,
        );
        parse_floor = Some(parse);
    }

    if want("cli") {
        // 1. CLI throughput.
        let ours = median(
            (0..runs)
                .map(|_| {
                    time_command(
                        Command::new(dash_lsp_bin())
                            .args(["check", "--no-cache", "--exit-zero", "--quiet"])
                            .arg(&corpus),
                    )
                })
                .collect(),
        );
        let peer = ruff.as_ref().map(|ruff| {
            median(
                (0..runs)
                    .map(|_| {
                        time_command(
                            Command::new(ruff)
                                .args([
                                    "check",
                                    "--no-cache",
                                    "--isolated",
                                    "--exit-zero",
                                    "--quiet",
                                ])
                                .arg(&corpus),
                        )
                    })
                    .collect(),
            )
        });
        let n = files.len() as f64;
        row(
            "CLI check, whole corpus",
            format!(
                "{:.0} ms ({:.0} files/s, {:.1} MB/s)",
                ours * 1e3,
                n / ours,
                mb / ours
            ),
            peer.map_or("-".into(), |p| {
                format!(
                    "{:.0} ms ({:.0} files/s, {:.1} MB/s)",
                    p * 1e3,
                    n / p,
                    mb / p
                )
            }),
            match (parse_floor, peer) {
                (Some(f), Some(p)) => format!("{:.2}x floor, {:.2}x ruff", ours / f, ours / p),
                (Some(f), None) => format!("{:.2}x floor", ours / f),
                _ => "-".into(),
            },
            "<= 1.5x parse floor",
            parse_floor.map(|f| ours <= 1.5 * f),
        );
    }

    if want("warm") {
        // 1c. The second run over unchanged files, each tool with its cache on (in a folder of
        // its own, primed by one run first).
        let ours_cache = tempdir("cache-dash-lsp");
        let ours_cmd = || {
            let mut cmd = Command::new(dash_lsp_bin());
            cmd.args(["check", "--exit-zero", "--quiet", "--cache-dir"])
                .arg(&ours_cache)
                .arg(&corpus)
                .env_remove("DASH_LSP_NO_CACHE");
            cmd
        };
        time_command(&mut ours_cmd());
        // The timed runs must be hits, or the row measures something else.
        let primed = ours_cmd()
            .arg("--cache-stats")
            .stdout(Stdio::null())
            .output()
            .expect("run dash-lsp");
        let stats = String::from_utf8_lossy(&primed.stderr);
        assert!(
            stats.contains("cache: 1 hits, 0 misses"),
            "no cache hit: {stats}"
        );
        let ours = median((0..runs).map(|_| time_command(&mut ours_cmd())).collect());
        let peer = ruff.as_ref().map(|ruff| {
            let ruff_cache = tempdir("cache-ruff");
            let ruff_cmd = || {
                let mut cmd = Command::new(ruff);
                cmd.args([
                    "check",
                    "--isolated",
                    "--exit-zero",
                    "--quiet",
                    "--cache-dir",
                ])
                .arg(&ruff_cache)
                .arg(&corpus);
                cmd
            };
            time_command(&mut ruff_cmd());
            median((0..runs).map(|_| time_command(&mut ruff_cmd())).collect())
        });
        row(
            "CLI warm (nothing changed), whole corpus",
            format!("{:.1} ms", ours * 1e3),
            peer.map_or("-".into(), |p| format!("{:.1} ms", p * 1e3)),
            peer.map_or("-".into(), |p| format!("{:.2}x", ours / p)),
            "<= 1.0x ruff warm",
            peer.map(|p| ours <= p),
        );
    }

    // 2. Editor latency (its app also serves the cross-file measure).
    let edit_dir = tempdir("edit");
    std::fs::write(edit_dir.join("app.py"), big_app()).expect("write app.py");
    std::fs::write(
        edit_dir.join("Procfile"),
        "web: gunicorn app:server --workers 4\n",
    )
    .expect("Procfile");
    std::fs::write(
        edit_dir.join("requirements.txt"),
        "dash\ngunicorn\npandas\nplotly\n",
    )
    .expect("requirements");
    let fmt = |v: &[f64]| {
        format!(
            "p50 {:.2} / p95 {:.2} / p99 {:.2} ms ({} edits)",
            percentile(v, 0.5),
            percentile(v, 0.95),
            percentile(v, 0.99),
            v.len()
        )
    };
    if want("edit") {
        let ours = edit_latency(&mut Command::new(dash_lsp_bin()), &edit_dir, 500);
        let peer = ruff
            .as_ref()
            .map(|ruff| edit_latency(Command::new(ruff).args(["server"]), &edit_dir, 500));
        let ours_p50 = percentile(&ours, 0.5);
        row(
            "edit -> diagnostics, 2,000-line app.py",
            fmt(&ours),
            peer.as_deref().map_or("-".into(), fmt),
            peer.as_deref().map_or("-".into(), |p| {
                format!("{:.2}x (p50)", ours_p50 / percentile(p, 0.5))
            }),
            "p50 <= ruff, p99 < 10 ms",
            Some(
                peer.as_deref()
                    .is_none_or(|p| ours_p50 <= percentile(p, 0.5))
                    && percentile(&ours, 0.99) < 10.0,
            ),
        );
    }

    if want("cross") {
        // 3. Cross-file.
        let cross = cross_file_latency(&edit_dir, 100);
        row(
            "Procfile edit -> app.py republished",
            fmt(&cross),
            "-".into(),
            String::new(),
            "",
            None,
        );
    }

    if want("start") {
        // 4. Start-up in a 100-app workspace.
        let hundred = tempdir("hundred");
        for app in apps.iter().take(100) {
            copy_dir(app, &hundred.join(app.file_name().unwrap_or_default()));
        }
        let first_app = hundred
            .join(apps[0].file_name().unwrap_or_default())
            .join("app.py");
        let start_ms = median((0..runs).map(|_| startup(&hundred, &first_app)).collect());
        row(
            "start -> first diagnostics, 100 apps",
            format!("{start_ms:.0} ms"),
            "-".into(),
            String::new(),
            "",
            None,
        );
    }

    if want("rss") {
        // 5. Peak RSS with the 200-app workspace, the same for `ruff server`.
        let ours = peak_rss_mb(&mut Command::new(dash_lsp_bin()), &corpus, &apps[0]);
        let peer = ruff
            .as_ref()
            .map(|ruff| peak_rss_mb(Command::new(ruff).args(["server"]), &corpus, &apps[0]));
        row(
            "peak RSS, 200-app workspace open",
            format!("{ours:.1} MB"),
            peer.map_or("-".into(), |p| format!("{p:.1} MB")),
            peer.map_or("-".into(), |p| format!("{:.2}x", ours / p)),
            "<= ruff server",
            peer.map(|p| ours <= p),
        );
    }

    if want("codeaction") {
        // 6. First codeAction on a 10 MB module, its diagnostics already published.
        let big = tempdir("codeaction");
        std::fs::write(big.join("app.py"), large_module(10_000_000)).expect("write app.py");
        std::fs::write(
            big.join("Procfile"),
            "web: gunicorn app:server --workers 4\n",
        )
        .expect("Procfile");
        std::fs::write(big.join("requirements.txt"), "dash\ngunicorn\npandas\n")
            .expect("requirements");
        let ms = first_code_action_ms(&big);
        row(
            "first codeAction, 10 MB app.py",
            ms.map_or("no answer".into(), |ms| format!("{ms:.0} ms")),
            "-".into(),
            String::new(),
            "< 1 s",
            Some(ms.is_some_and(|ms| ms < 1000.0)),
        );
    }

    if want("exit") {
        // 7. `exit` while the start-up scan of the whole corpus runs.
        let ms = exit_during_scan_ms(&corpus, &apps[0]);
        row(
            "exit honoured during the corpus scan",
            ms.map_or("still running".into(), |ms| format!("{ms:.0} ms")),
            "-".into(),
            String::new(),
            "< 1 s",
            Some(ms.is_some_and(|ms| ms < 1000.0)),
        );
    }

    let widths: Vec<usize> = (0..6)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let header = ["measure", "dash-lsp", "ruff", "ratio", "target", ""];
    let line = |cells: &[&str]| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths[i].max(header[i].len())))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    println!("\n{}", line(&header));
    println!("{}", "-".repeat(line(&header).len()));
    for r in &rows {
        let cells: Vec<&str> = r.iter().map(String::as_str).collect();
        println!("{}", line(&cells));
    }
    println!(
        "\n(medians of {runs} runs; ruff {})",
        ruff.as_ref()
            .map_or("not run".into(), |r| r.display().to_string())
    );
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dash-lsp-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.canonicalize().unwrap_or(dir)
}

fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::create_dir_all(to);
    if let Ok(rd) = std::fs::read_dir(from) {
        for e in rd.flatten() {
            let p = e.path();
            let target = to.join(e.file_name());
            if p.is_dir() {
                copy_dir(&p, &target);
            } else {
                let _ = std::fs::copy(&p, &target);
            }
        }
    }
}
