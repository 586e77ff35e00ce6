//! End-to-end in a real headless Neovim (Debian's 0.7.2 in CI) with only the plugin in
//! `editors/neovim` on the runtimepath. Fails, not skips, when `nvim` is missing in CI.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

/// The Neovim to drive: `DASH_LSP_NVIM` (tests/run sets it to Neovim 0.11 from PyPI for a second
/// pass, which takes the plugin's native `lsp/` config), else Debian's `nvim` on PATH.
fn nvim() -> String {
    std::env::var("DASH_LSP_NVIM").unwrap_or_else(|_| "nvim".into())
}

fn nvim_available() -> bool {
    let found = Command::new(nvim())
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "nvim is not installed: .ci/run must install Debian's neovim"
        );
        eprintln!("skipping: nvim is not installed (CI installs it)");
    }
    found
}

/// Runs one test script in `nvim --headless` against a copy of `fixture`; returns the copy.
fn run_script(script: &str, fixture: &str) -> tempfile::TempDir {
    let dir = common::copy_fixture(fixture);
    let root = dir.path().canonicalize().unwrap();
    let tests = repo().join("tests/neovim");
    let mut child = Command::new(nvim())
        .args([
            "--headless",
            "--clean",
            "-n",
            "-u",
            "NONE",
            "-i",
            "NONE",
            "-c",
        ])
        .arg(format!("luafile {}", tests.join(script).display()))
        .env("DASH_LSP_PLUGIN", repo().join("editors/neovim"))
        .env("DASH_LSP_BIN", env!("CARGO_BIN_EXE_dash-lsp"))
        .env("DASH_LSP_FIXTURE", &root)
        .env("DASH_LSP_TESTS", &tests)
        .env("XDG_STATE_HOME", root.join(".nvim-state"))
        .env("XDG_DATA_HOME", root.join(".nvim-data"))
        // The venv lookup must see only the fixture's environments.
        .env_remove("VIRTUAL_ENV")
        .current_dir(&root)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start nvim");
    // A hung editor must fail the test, not the whole CI run.
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("{script}: nvim did not exit within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.success() && stdout.contains("PASS"),
        "{script} failed ({:?}):\nstdout: {stdout}\nstderr: {stderr}",
        out.status
    );
    dir
}

#[test]
fn dl101_quick_fix_through_vim_lsp() {
    if !nvim_available() {
        return;
    }
    let dir = run_script("dl101_code_action.lua", "classic-missing-server");
    let app = std::fs::read_to_string(dir.path().join("app.py")).unwrap();
    assert!(
        app.contains("app = dash.Dash(__name__)\nserver = app.server\napp.layout"),
        "{app}"
    );
}

#[test]
fn procfile_filetype_and_dl106() {
    if !nvim_available() {
        return;
    }
    run_script("procfile_dl106.lua", "missing-module");
}

#[test]
fn checkhealth_reports_binary_and_version() {
    if !nvim_available() {
        return;
    }
    run_script("health.lua", "classic-missing-server");
}

#[test]
fn neovim_queries_match_the_grammar() {
    let r = repo();
    for lang in ["procfile", "checks"] {
        let grammar = std::fs::read_to_string(r.join(format!(
            "grammars/tree-sitter-{lang}/queries/highlights.scm"
        )))
        .unwrap();
        let plugin = std::fs::read_to_string(
            r.join(format!("editors/neovim/queries/{lang}/highlights.scm")),
        )
        .unwrap();
        assert_eq!(
            grammar, plugin,
            "editors/neovim/queries/{lang}/highlights.scm must be a copy of the grammar's"
        );
    }
}

#[test]
fn settings_reach_the_server() {
    if !nvim_available() {
        return;
    }
    run_script("settings.lua", "classic-missing-server");
}

#[test]
fn the_workspace_venv_binary_is_the_server() {
    if !nvim_available() {
        return;
    }
    run_script("venv.lua", "classic-missing-server");
}
