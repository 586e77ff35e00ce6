//! How `check --fix` writes files: all or nothing, through symbolic links, in place for hard
//! links, with the modes an editor gives, never over a read-only file; and the requirement
//! edits that must respect pip's line syntax. Each test builds its app in a temporary folder
//! (symbolic links do not survive git, so they are made here).

mod common;

use std::path::Path;
use std::process::Command;

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    common::run_cli(dir, args)
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
    let out = Command::new("sh")
        .args(["-c", "umask 022; exec \"$0\" check . --fix"])
        .arg(env!("CARGO_BIN_EXE_dash-lsp"))
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
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
            ("app/deploy/Procfile.prod", "web: gunicorn app:server\n"),
            ("app/requirements.txt", "dash\ngunicorn\n"),
        ],
    );
    let app = tmp.path().join("app");
    std::fs::hard_link(app.join("app.py"), tmp.path().join("keep.py")).unwrap();
    std::fs::set_permissions(app.join("app.py"), std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink("deploy/Procfile.prod", app.join("Procfile")).unwrap();
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

#[cfg(unix)]
fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path)
        .unwrap()
        .file_type()
        .is_symlink()
}

#[cfg(unix)]
#[test]
fn symlinked_deploy_files_are_read_and_fixed_through_the_link() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let app = tmp.path().join("app");
    write(
        &app,
        &[
            (
                "app.py",
                "import dash\nimport pandas\napp = dash.Dash(__name__)\nserver = app.server\n",
            ),
            (
                "deploy/Procfile.prod",
                "web: gunicorn app:server --workers 4\nworker: celery -A tasks worker\n",
            ),
            (
                "deploy/requirements.prod.txt",
                "dash==3.2.0\npandas==2.2.3\n",
            ),
        ],
    );
    symlink("deploy/Procfile.prod", app.join("Procfile")).unwrap();
    symlink("deploy/requirements.prod.txt", app.join("requirements.txt")).unwrap();
    // Targets inside the folder: read (only gunicorn is missing), fixed through the link.
    let (_, stdout, _) = run(&app, &["check", "."]);
    assert!(
        stdout.starts_with("requirements.txt:1:1: DL108 [*] gunicorn is not listed"),
        "{stdout}"
    );
    let (code, stdout, stderr) = run(&app, &["check", ".", "--fix"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(is_link(&app.join("Procfile")) && is_link(&app.join("requirements.txt")));
    assert_eq!(
        read(&app, "deploy/requirements.prod.txt"),
        "dash==3.2.0\npandas==2.2.3\ngunicorn\n"
    );
    assert_eq!(
        read(&app, "Procfile"),
        "web: gunicorn app:server --workers 4\nworker: celery -A tasks worker\n"
    );
    // A target outside the checked folder is not read, yet never missing nor replaced.
    write(tmp.path(), &[("shared/requirements.txt", "dash\n")]);
    std::fs::remove_file(app.join("requirements.txt")).unwrap();
    symlink("../shared/requirements.txt", app.join("requirements.txt")).unwrap();
    let (_, stdout, _) = run(&app, &["check", ".", "--fix"]);
    assert!(!stdout.contains("DL107"), "{stdout}");
    assert!(
        stdout.contains("requirements.txt:1:1: DL003 requirements.txt cannot be read (a symbolic link to a file outside the checked folder, which is not read)"),
        "{stdout}"
    );
    assert!(is_link(&app.join("requirements.txt")));
    assert_eq!(read(tmp.path(), "shared/requirements.txt"), "dash\n");
}

#[cfg(unix)]
#[test]
fn symlinked_local_modules_are_local() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let app = tmp.path().join("app");
    write(
        tmp.path(),
        &[
            ("shared/widgets/__init__.py", "X = 1\n"),
            ("shared/helpers.py", "Y = 1\n"),
            ("app/lib/charts/__init__.py", "Z = 1\n"),
            (
                "app/app.py",
                "import dash\nimport widgets\nimport helpers\nimport charts\napp = dash.Dash(__name__)\nserver = app.server\n",
            ),
            ("app/Procfile", PROCFILE),
            ("app/requirements.txt", "dash\ngunicorn\n"),
        ],
    );
    // Outside the checked folder (a package and a module), and inside it.
    symlink("../shared/widgets", app.join("widgets")).unwrap();
    symlink("../shared/helpers.py", app.join("helpers.py")).unwrap();
    symlink("lib/charts", app.join("charts")).unwrap();
    // A loop back to the root is walked once.
    symlink("..", app.join("lib/up")).unwrap();
    let (_, stdout, _) = run(&app, &["check", ".", "--fix"]);
    assert!(!stdout.contains("DL111"), "{stdout}");
    assert_eq!(read(&app, "requirements.txt"), "dash\ngunicorn\n");
}

#[cfg(unix)]
#[test]
fn one_file_under_two_names_is_written_once() {
    let tmp = tempfile::tempdir().unwrap();
    // deploy/Procfile is an app of its own and the app's Procfile by a link: both get the
    // same fix, and the file gets it once.
    write(
        tmp.path(),
        &[
            (
                "app.py",
                "import dash\napp = dash.Dash(__name__)\nserver = app.server\n",
            ),
            ("deploy/Procfile", "web: gunicorn app:server\n"),
            ("requirements.txt", "dash\ngunicorn\n"),
        ],
    );
    std::os::unix::fs::symlink("deploy/Procfile", tmp.path().join("Procfile")).unwrap();
    let (_, stdout, stderr) = run(tmp.path(), &["check", ".", "--fix"]);
    assert!(is_link(&tmp.path().join("Procfile")));
    assert_eq!(
        read(tmp.path(), "deploy/Procfile"),
        "web: gunicorn app:server --workers 4\n"
    );
    assert!(
        stdout.contains(" in 1 file: Procfile.\n"),
        "{stdout}{stderr}"
    );
}
