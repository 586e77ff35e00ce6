//! The CLI's progress bar (issue 19): drawn on a terminal for a run over the delay, never when
//! stderr is piped, never with `--quiet`.

use std::path::Path;
use std::process::Command;

fn workspace(apps: usize) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for i in 0..apps {
        let dir = tmp.path().join(format!("app{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("app.py"),
            "import dash\napp = dash.Dash(__name__)\nserver = app.server\napp.layout = dash.html.Div()\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("Procfile"),
            "web: gunicorn app:server --workers 2\n",
        )
        .unwrap();
        std::fs::write(dir.join("requirements.txt"), "dash\ngunicorn\n").unwrap();
    }
    tmp
}

/// Runs the binary with its stdout and stderr on a pseudo-terminal (`script` from util-linux).
fn on_terminal(dir: &Path, extra: &str) -> String {
    let command = format!(
        "{} check {} --exit-zero {extra}",
        env!("CARGO_BIN_EXE_dash-lsp"),
        dir.display()
    );
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("DASH_LSP_PROGRESS_DELAY_MS", "0")
        .env("DASH_LSP_NO_CACHE", "1")
        .output()
        .expect("script (util-linux) runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn bar_on_a_terminal_only() {
    let ws = workspace(60);
    let shown = on_terminal(ws.path(), "");
    assert!(
        shown.contains("Checking ") && shown.contains("/60 apps"),
        "{shown}"
    );
    assert!(shown.contains("All checks passed!"), "{shown}");
    let quiet = on_terminal(ws.path(), "--quiet");
    assert!(!quiet.contains("apps ["), "{quiet}");
    // Piped: stderr stays empty.
    let out = Command::new(env!("CARGO_BIN_EXE_dash-lsp"))
        .args(["check", "--exit-zero"])
        .arg(ws.path())
        .env("DASH_LSP_PROGRESS_DELAY_MS", "0")
        .env("DASH_LSP_NO_CACHE", "1")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "All checks passed!\n");
}

#[test]
fn no_bar_for_a_short_run() {
    let ws = workspace(3);
    let command = format!(
        "{} check {} --exit-zero",
        env!("CARGO_BIN_EXE_dash-lsp"),
        ws.path().display()
    );
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("DASH_LSP_NO_CACHE", "1")
        .output()
        .expect("script (util-linux) runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("apps ["), "{text}");
}
