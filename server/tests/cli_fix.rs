//! How `check --fix` writes files: all or nothing, through symbolic links, in place for hard
//! links, with the modes an editor gives, never over a read-only file; and the requirement
//! edits that must respect pip's line syntax. Each test builds its app in a temporary folder
//! (symbolic links do not survive git, so they are made here).

use std::path::Path;
use std::process::Command;

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dash-lsp"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

const APP_NO_SERVER: &str = "import dash\napp = dash.Dash(__name__)\n";
const PROCFILE: &str = "web: gunicorn app:server --workers 2\n";

#[cfg(unix)]
#[test]
fn created_files_get_the_umask_mode() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        &[(
            "app.py",
            "import dash\napp = dash.Dash(__name__)\nserver = app.server\n",
        )],
    );
    // The umask is set by a shell: the test process's own is not ours to change.
    let status = Command::new("sh")
        .args(["-c", "umask 022; exec \"$0\" check . --fix"])
        .arg(env!("CARGO_BIN_EXE_dash-lsp"))
        .current_dir(tmp.path())
        .status()
        .unwrap();
    assert!(status.code().is_some());
    for name in ["Procfile", "requirements.txt"] {
        let mode = std::fs::metadata(tmp.path().join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644, "{name}");
    }
}

#[cfg(unix)]
#[test]
fn read_only_file_refused_and_nothing_written() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    // Two fixes: DL101 edits app.py (read-only), DL107 creates requirements.txt.
    write(
        tmp.path(),
        &[("app.py", APP_NO_SERVER), ("Procfile", PROCFILE)],
    );
    let app = tmp.path().join("app.py");
    std::fs::set_permissions(&app, std::fs::Permissions::from_mode(0o444)).unwrap();
    let (code, stdout, stderr) = run(tmp.path(), &["check", ".", "--fix"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("cannot write app.py: the file is read-only"),
        "{stderr}"
    );
    assert!(stderr.contains("No file was changed."), "{stderr}");
    assert_eq!(read(tmp.path(), "app.py"), APP_NO_SERVER);
    assert!(!tmp.path().join("requirements.txt").exists());
    assert_eq!(
        std::fs::metadata(&app).unwrap().permissions().mode() & 0o777,
        0o444
    );
}

#[cfg(unix)]
#[test]
fn hard_links_symlinks_and_modes_are_kept() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        &[
            ("app/app.py", APP_NO_SERVER),
            ("shared/Procfile", "web: gunicorn app:server\n"),
            ("app/requirements.txt", "dash\ngunicorn\n"),
        ],
    );
    let app = tmp.path().join("app");
    std::fs::hard_link(app.join("app.py"), tmp.path().join("keep.py")).unwrap();
    std::fs::set_permissions(app.join("app.py"), std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink("../shared/Procfile", app.join("Procfile")).unwrap();
    let (code, stdout, stderr) = run(&app, &["check", ".", "--fix"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let fixed = read(&app, "app.py");
    assert!(fixed.contains("server = app.server"), "{fixed}");
    // The other name of the file sees the fix: one file, edited in place.
    assert_eq!(read(tmp.path(), "keep.py"), fixed);
    let meta = std::fs::metadata(app.join("app.py")).unwrap();
    assert_eq!(
        (meta.nlink(), meta.permissions().mode() & 0o777),
        (2, 0o640)
    );
    assert!(std::fs::symlink_metadata(app.join("Procfile"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn summary_names_the_files_written() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        &[("app.py", APP_NO_SERVER), ("requirements.txt", "dash\n")],
    );
    let (code, stdout, stderr) = run(tmp.path(), &["check", ".", "--fix"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout
            .lines()
            .next()
            .is_some_and(|l| l.starts_with("Fixed ")
                && l.ends_with(" problems in 3 files: Procfile, app.py, requirements.txt.")),
        "{stdout}"
    );
}

#[test]
fn requirement_fixes_respect_continuation_lines() {
    let app = "import dash\nimport pandas\napp = dash.Dash(__name__)\nserver = app.server\n";
    // A pin continued onto a missing next line: gunicorn is appended after it, not onto it.
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        &[
            ("app.py", app),
            ("Procfile", PROCFILE),
            ("requirements.txt", "dash==3.2.0\npandas==2.2.3 \\\n"),
        ],
    );
    let (code, stdout, stderr) = run(tmp.path(), &["check", ".", "--fix"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.ends_with("All checks passed!\n"), "{stdout}");
    assert_eq!(
        read(tmp.path(), "requirements.txt"),
        "dash==3.2.0\npandas==2.2.3 \\\n\ngunicorn\n"
    );
    // A duplicate with `--hash` continuation lines: whatever --fix does, no orphan line.
    let hashed = "dash==3.2.0 \\\n    --hash=sha256:aaaa\ngunicorn==23.0.0 \\\n    --hash=sha256:bbbb\npandas==2.2.3 \\\n    --hash=sha256:cccc\ndash==3.2.0 \\\n    --hash=sha256:aaaa\n";
    write(tmp.path(), &[("requirements.txt", hashed)]);
    run(tmp.path(), &["check", ".", "--fix"]);
    let (_, stdout, _) = run(tmp.path(), &["check", "."]);
    assert!(!stdout.contains("DL109"), "{stdout}");
}
