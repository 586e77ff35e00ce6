//! The persistent cache of `dash-lsp check` (`.dash-lsp-cache/`), through the real binary: a
//! second run over unchanged files is a hit (no check runs: `--cache-stats` counts), anything
//! the findings depend on makes a miss, a bad entry or an unwritable cache is never an error,
//! and the output is the same with and without the cache, in every format.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use common::{copy_dir, copy_fixture, fixture};

struct Run {
    code: i32,
    stdout: String,
    /// (hits, misses, writes), from the hidden `--cache-stats` line; `None`: the cache was off.
    stats: Option<(usize, usize, usize)>,
}

/// `dash-lsp check ARGS --cache-stats` in `dir` with the cache on (whatever the environment
/// of the test run says), plus `env`.
fn check_with(bin: &Path, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(bin);
    cmd.arg("check")
        .args(args)
        .arg("--cache-stats")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DASH_LSP_NO_CACHE")
        .env_remove("DASH_LSP_CACHE_DIR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run dash-lsp");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let line = stderr
        .lines()
        .find(|l| l.starts_with("cache: "))
        .unwrap_or_else(|| panic!("no cache line: {stderr}"));
    let stats = (line != "cache: off").then(|| {
        let n: Vec<usize> = line
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|w| w.parse().ok())
            .collect();
        assert_eq!(n.len(), 3, "{line}");
        (n[0], n[1], n[2])
    });
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stats,
    }
}

fn check(dir: &Path, args: &[&str]) -> Run {
    check_with(Path::new(env!("CARGO_BIN_EXE_dash-lsp")), dir, args, &[])
}

const HIT: Option<(usize, usize, usize)> = Some((1, 0, 0));
const MISS: Option<(usize, usize, usize)> = Some((0, 1, 1));

/// An app with findings of errors (exit 1) that reads `data/sales.csv` at import time: the
/// data file's size decides DL302 (over 10 MB) and DL307.
fn app() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(
        dir.join("app.py"),
        "import dash\nimport pandas as pd\nfrom dash import html\n\napp = dash.Dash(__name__)\n\
         sales = pd.read_csv(\"data/sales.csv\")\napp.layout = html.Div([html.H1(\"Sales\")])\n",
    )
    .unwrap();
    std::fs::write(dir.join("Procfile"), "web: gunicorn app:server\n").unwrap();
    std::fs::write(dir.join("requirements.txt"), "dash\npandas\n").unwrap();
    std::fs::write(dir.join("data/sales.csv"), "region,total\nnorth,1\n").unwrap();
    tmp
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

fn set_modified(path: &Path, time: SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(time)
        .unwrap();
}

fn entries(cache: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name != ".gitignore" && name != "CACHEDIR.TAG"
        })
        .collect();
    out.sort();
    out
}

#[test]
fn second_run_is_a_hit_with_the_same_output_and_exit_code() {
    let app = app();
    let dir = app.path();
    let clean = copy_fixture("clean-app");
    for (dir, code) in [(dir, 1), (clean.path(), 0)] {
        for args in [
            &["."][..],
            &[".", "--format", "json"],
            &[".", "--format", "github"],
            &[".", "--format", "sarif"],
            &[".", "--statistics"],
            &[".", "--quiet"],
            &["app.py"],
        ] {
            let plain = check(dir, &[args, &["--no-cache"]].concat());
            assert_eq!(plain.stats, None, "{args:?}");
            assert_eq!(plain.code, code, "{args:?}");
            // Output options are not in the key: the first run of a folder misses, the others
            // (another format) hit.
            let first = check(dir, args);
            let second = check(dir, args);
            assert_eq!(second.stats, HIT, "{args:?}");
            for run in [&first, &second] {
                assert_eq!(run.stdout, plain.stdout, "{args:?}");
                assert_eq!(run.code, code, "{args:?}");
            }
        }
        // The cache does not change what a plain run sees (it is not a file of the app).
        let after = check(dir, &[".", "--no-cache", "--format", "json"]);
        let before = check(dir, &[".", "--format", "json"]);
        assert_eq!(after.stdout, before.stdout);
        assert_eq!(check(dir, &[".", "--exit-zero"]).code, 0);
    }
    // The folder holds its cache as ruff's does: ignored by git, tagged for backup tools.
    let cache = dir.join(".dash-lsp-cache");
    assert_eq!(
        std::fs::read_to_string(cache.join(".gitignore")).unwrap(),
        "# Created by dash-lsp.\n*\n"
    );
    assert!(std::fs::read_to_string(cache.join("CACHEDIR.TAG"))
        .unwrap()
        .starts_with("Signature: 8a477f597d28d172789f06886806bc55"));
    // One entry per folder as given: `.` and `app.py`.
    assert_eq!(entries(&cache).len(), 2);
}

/// Every fixture app prints the same JSON from a cold run, from the cache, and without it.
#[test]
fn every_fixture_prints_the_same_from_the_cache() {
    let root = fixture("");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let tmp = copy_fixture(&name);
        let args = [".", "--format", "json"];
        let plain = check(tmp.path(), &[&args[..], &["--no-cache"]].concat());
        let cold = check(tmp.path(), &args);
        let warm = check(tmp.path(), &args);
        assert_eq!(cold.stats, MISS, "{name}");
        assert_eq!(warm.stats, HIT, "{name}");
        for run in [&cold, &warm] {
            assert_eq!(run.stdout, plain.stdout, "{name}");
            assert_eq!(run.code, plain.code, "{name}");
        }
    }
}

#[test]
fn editing_a_file_is_a_miss_even_with_its_size_and_time_kept() {
    let app = app();
    let dir = app.path();
    assert_eq!(check(dir, &["."]).stats, MISS);
    assert_eq!(check(dir, &["."]).stats, HIT);
    // `server = app.server` where the layout line was, same length, same time: only the
    // text's hash tells.
    let path = dir.join("app.py");
    let time = modified(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    let old = "app.layout = html.Div([html.H1(\"Sales\")])";
    let new = format!("{:<width$}", "server = app.server", width = old.len());
    std::fs::write(&path, text.replace(old, &new)).unwrap();
    set_modified(&path, time);
    let edited = check(dir, &["."]);
    assert_eq!(edited.stats, MISS);
    assert!(!edited.stdout.contains("DL101"), "{}", edited.stdout);
    assert_eq!(edited.stdout, check(dir, &[".", "--no-cache"]).stdout);
    assert_eq!(check(dir, &["."]).stats, HIT);
}

#[test]
fn a_data_file_a_rule_stats_is_in_the_key() {
    let app = app();
    let dir = app.path();
    let data = dir.join("data/sales.csv");
    assert_eq!(check(dir, &["."]).stats, MISS);
    // Touched: its time changed, nothing else.
    set_modified(&data, modified(&data) + Duration::from_secs(5));
    assert_eq!(check(dir, &["."]).stats, MISS);
    assert_eq!(check(dir, &["."]).stats, HIT);
    // Grown past the Parquet hint (sparse: the size is real, the bytes are not written).
    std::fs::File::options()
        .write(true)
        .open(&data)
        .unwrap()
        .set_len(11 << 20)
        .unwrap();
    let grown = check(dir, &["."]);
    assert_eq!(grown.stats, MISS);
    assert!(grown.stdout.contains("DL302"), "{}", grown.stdout);
    assert_eq!(grown.stdout, check(dir, &[".", "--no-cache"]).stdout);
    // A data file the app names appears: DL205 (not in the app folder) goes.
    std::fs::write(
        dir.join("app.py"),
        "import dash\nimport json\n\napp = dash.Dash(__name__)\nserver = app.server\n\
         regions = json.load(open(\"regions.json\"))\n",
    )
    .unwrap();
    assert!(check(dir, &["."]).stdout.contains("DL205"));
    std::fs::write(dir.join("regions.json"), "{}").unwrap();
    let created = check(dir, &["."]);
    assert_eq!(created.stats, MISS);
    assert!(!created.stdout.contains("DL205"), "{}", created.stdout);
}

#[test]
fn a_settings_change_is_a_miss() {
    let app = app();
    let dir = app.path();
    assert_eq!(check(dir, &["."]).stats, MISS);
    // Options that change findings.
    let selected = check(dir, &[".", "--select", "DL1"]);
    assert_eq!(selected.stats, MISS);
    assert_eq!(check(dir, &[".", "--select", "DL1"]).stats, HIT);
    let ignored = check(dir, &[".", "--ignore", "DL101"]);
    assert_eq!(ignored.stats, MISS);
    assert!(!ignored.stdout.contains("DL101"), "{}", ignored.stdout);
    // A configuration file in the folder, then a change of it.
    std::fs::write(
        dir.join("pyproject.toml"),
        "[tool.dash-lsp]\nignore = [\"DL114\"]\n",
    )
    .unwrap();
    let configured = check(dir, &["."]);
    assert_eq!(configured.stats, MISS);
    assert!(
        !configured.stdout.contains("DL114"),
        "{}",
        configured.stdout
    );
    std::fs::write(
        dir.join("pyproject.toml"),
        "[tool.dash-lsp]\nignore = [\"DL108\"]\n",
    )
    .unwrap();
    let changed = check(dir, &["."]);
    assert_eq!(changed.stats, MISS);
    assert!(changed.stdout.contains("DL114") && !changed.stdout.contains("DL108"));
    // `--config` with a file outside the folder: its text is in the key.
    let outside = tempfile::tempdir().unwrap();
    let config = outside.path().join("dash-lsp.toml");
    std::fs::write(&config, "ignore = [\"DL101\"]\n").unwrap();
    let config_arg = config.to_str().unwrap();
    let outside_config = check(dir, &[".", "--config", config_arg]);
    assert_eq!(outside_config.stats, MISS);
    assert!(!outside_config.stdout.contains("DL101"));
    std::fs::write(&config, "ignore = [\"DL102\"]\n").unwrap();
    let edited = check(dir, &[".", "--config", config_arg]);
    assert_eq!(edited.stats, MISS);
    assert!(edited.stdout.contains("DL101"), "{}", edited.stdout);
}

#[test]
fn a_corrupt_entry_is_a_miss_and_is_replaced() {
    let app = app();
    let dir = app.path();
    let plain = check(dir, &[".", "--no-cache"]);
    assert_eq!(check(dir, &["."]).stats, MISS);
    let cache = dir.join(".dash-lsp-cache");
    let [entry] = &entries(&cache)[..] else {
        panic!("one entry: {:?}", entries(&cache));
    };
    let good = std::fs::read(entry).unwrap();
    // Cut short, emptied, garbage after a valid header (magic and key: 24 bytes), findings of
    // an unknown rule.
    let (header, body) = good.split_at(24);
    let unknown = String::from_utf8(body.to_vec())
        .unwrap()
        .replace("DL114", "DL999");
    for bad in [
        &good[..good.len() / 2],
        &[][..],
        &[header, b"not json".as_slice()].concat(),
        &[header, unknown.as_bytes()].concat(),
    ] {
        std::fs::write(entry, bad).unwrap();
        let run = check(dir, &["."]);
        assert_eq!(run.stats, MISS);
        assert_eq!((run.code, &run.stdout), (plain.code, &plain.stdout));
        assert_eq!(check(dir, &["."]).stats, HIT);
    }
    // An entry that cannot be read (a folder in its place) is a miss too.
    std::fs::remove_file(entry).unwrap();
    std::fs::create_dir(entry).unwrap();
    let run = check(dir, &["."]);
    assert_eq!(run.stats, Some((0, 1, 0)));
    assert_eq!((run.code, &run.stdout), (plain.code, &plain.stdout));
}

#[test]
fn an_unwritable_cache_changes_nothing() {
    let app = app();
    let dir = app.path();
    let plain = check(dir, &[".", "--no-cache"]);
    // Under a file, no folder can be made, even by root.
    let blocked = tempfile::tempdir().unwrap();
    std::fs::write(blocked.path().join("file"), "").unwrap();
    let under_file = blocked.path().join("file/cache");
    let run = check(dir, &[".", "--cache-dir", under_file.to_str().unwrap()]);
    assert_eq!(run.stats, Some((0, 1, 0)));
    assert_eq!((run.code, &run.stdout), (plain.code, &plain.stdout));
    // A read-only cache folder (effective for users other than root).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let read_only = blocked.path().join("read-only");
        std::fs::create_dir(&read_only).unwrap();
        std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o555)).unwrap();
        let run = check(dir, &[".", "--cache-dir", read_only.to_str().unwrap()]);
        assert_eq!((run.code, &run.stdout), (plain.code, &plain.stdout));
        std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn cache_switches_and_location() {
    let app = app();
    let dir = app.path();
    assert_eq!(check(dir, &[".", "--no-cache"]).stats, None);
    let off = check_with(
        Path::new(env!("CARGO_BIN_EXE_dash-lsp")),
        dir,
        &["."],
        &[("DASH_LSP_NO_CACHE", "1")],
    );
    assert_eq!(off.stats, None);
    // `--fix` does the real work.
    assert_eq!(check(dir, &[".", "--fix", "--select", "DL114"]).stats, None);
    assert!(!dir.join(".dash-lsp-cache").exists());
    // Elsewhere, by flag or environment: nothing in the app folder.
    let elsewhere = tempfile::tempdir().unwrap();
    let by_flag = elsewhere.path().join("by-flag");
    let flag = by_flag.to_str().unwrap();
    assert_eq!(check(dir, &[".", "--cache-dir", flag]).stats, MISS);
    assert_eq!(check(dir, &[".", "--cache-dir", flag]).stats, HIT);
    let by_env = elsewhere.path().join("by-env");
    let env = [("DASH_LSP_CACHE_DIR", by_env.to_str().unwrap())];
    let bin = Path::new(env!("CARGO_BIN_EXE_dash-lsp"));
    assert_eq!(check_with(bin, dir, &["."], &env).stats, MISS);
    assert_eq!(check_with(bin, dir, &["."], &env).stats, HIT);
    assert_eq!(entries(&by_flag).len(), 1);
    assert_eq!(entries(&by_env).len(), 1);
    assert!(!dir.join(".dash-lsp-cache").exists());
    // `DASH_LSP_NO_CACHE=0` leaves it on.
    let on = check_with(bin, dir, &["."], &[("DASH_LSP_NO_CACHE", "0")]);
    assert_eq!(on.stats, MISS);
}

/// Another build of the binary (here: a copy, with its own modification time) never reads the
/// entries of this one.
#[test]
fn another_build_is_a_miss() {
    let app = app();
    let dir = app.path();
    assert_eq!(check(dir, &["."]).stats, MISS);
    assert_eq!(check(dir, &["."]).stats, HIT);
    let bin_dir = tempfile::tempdir().unwrap();
    let copy = bin_dir.path().join("dash-lsp");
    std::fs::copy(env!("CARGO_BIN_EXE_dash-lsp"), &copy).unwrap();
    set_modified(&copy, SystemTime::now() + Duration::from_secs(60));
    assert_eq!(check_with(&copy, dir, &["."], &[]).stats, MISS);
}

/// Two folders checked in one run: each has its entry; a change in one misses only that one.
#[test]
fn entries_are_per_checked_folder() {
    let root = tempfile::tempdir().unwrap();
    for name in ["a", "b"] {
        copy_dir(app().path(), &root.path().join(name));
    }
    let first = check(root.path(), &["a", "b"]);
    assert_eq!(first.stats, Some((0, 2, 2)));
    assert_eq!(check(root.path(), &["a", "b"]).stats, Some((2, 0, 0)));
    std::fs::write(
        root.path().join("b/Procfile"),
        "web: gunicorn app:app -w 2\n",
    )
    .unwrap();
    let run = check(root.path(), &["a", "b"]);
    assert_eq!(run.stats, Some((1, 1, 1)));
    assert_eq!(
        run.stdout,
        check(root.path(), &["a", "b", "--no-cache"]).stdout
    );
}
