//! Every folder under `tests/fixtures/` is a real app project: `dash-lsp check . --format json`
//! run inside it must print exactly its `expected.json`, and `--fix` must converge. Where fixes
//! change files, `expected-fixed.json` holds the texts they leave (per flag set, changed files
//! only): what a fix writes is asserted, not just that it converges.
//!
//! `UPDATE_EXPECT=1 cargo test --test fixtures` rewrites the expected files (review the diff).

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn fixtures() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixtures exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 10, "fixtures missing: {dirs:?}");
    dirs
}

fn dash_lsp(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dash-lsp"))
        .args(args)
        .current_dir(dir)
        // Every run checks; no cache folder joins the files `--fix` is compared on.
        .env("DASH_LSP_NO_CACHE", "1")
        .output()
        .expect("run dash-lsp");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A copy of a fixture in a temporary folder, with the large files its `generate.json` lists
/// (`{"data/big.csv": 42000000}`) created sparse: their size is real, their bytes are not
/// stored anywhere.
fn materialize(dir: &Path) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(dir, tmp.path());
    if let Ok(spec) = std::fs::read_to_string(dir.join("generate.json")) {
        let spec: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&spec).expect("generate.json");
        for (file, size) in spec {
            let path = tmp.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let f = std::fs::File::create(&path).unwrap();
            f.set_len(size.as_u64().expect("size in bytes")).unwrap();
        }
    }
    tmp
}

#[test]
fn check_prints_expected_json() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for dir in fixtures() {
        let tmp = materialize(&dir);
        let (code, stdout, stderr) = dash_lsp(tmp.path(), &["check", ".", "--format", "json"]);
        assert!(
            code == 0 || code == 1,
            "{}: exit {code}: {stderr}",
            dir.display()
        );
        let actual: serde_json::Value = serde_json::from_str(&stdout).expect("valid JSON");
        let expected_path = dir.join("expected.json");
        if update {
            std::fs::write(
                &expected_path,
                format!("{}\n", serde_json::to_string_pretty(&actual).unwrap()),
            )
            .unwrap();
            continue;
        }
        let expected: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&expected_path).expect("expected.json"))
                .expect("expected.json parses");
        if actual != expected {
            failures.push(format!("{}:\n{}", dir.display(), stdout));
        }
        // Exit 1 exactly when something at warning or error is reported.
        let failing = actual
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["severity"] == "error" || d["severity"] == "warning");
        assert_eq!(code, i32::from(failing), "{}", dir.display());
    }
    assert!(
        failures.is_empty(),
        "fixtures differ from expected.json:\n{}",
        failures.join("\n")
    );
}

/// Files of a fixture that describe it rather than belong to the app.
const EXPECTATIONS: &[&str] = &[
    "expected.json",
    "expected-fixed.json",
    "generate.json",
    "boot.json",
];

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else if !EXPECTATIONS.contains(&entry.file_name().to_string_lossy().as_ref()) {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                // Generated large files are compared by size only.
                let len = std::fs::metadata(&path).unwrap().len();
                let content = if len > 1 << 20 {
                    len.to_le_bytes().to_vec()
                } else {
                    std::fs::read(&path).unwrap()
                };
                files.push((path.clone(), content));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn fix_converges_and_is_idempotent() {
    // `--fix` applies safe fixes only; `--unsafe-fixes` adds the rest.
    for (flags, leaves_unsafe) in [
        (&["--fix"][..], true),
        (&["--fix", "--unsafe-fixes"], false),
    ] {
        fix_converges(flags, leaves_unsafe);
    }
}

fn fix_converges(flags: &[&str], leaves_unsafe: bool) {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let key = flags.join(" ");
    let mut failures = Vec::new();
    let args: Vec<&str> = ["check", "."].iter().chain(flags).copied().collect();
    for dir in fixtures() {
        let tmp = materialize(&dir);
        let before = snapshot(tmp.path());
        let (code, _, stderr) = dash_lsp(tmp.path(), &args);
        assert!(code == 0 || code == 1, "{}: {stderr}", dir.display());
        let after_first = snapshot(tmp.path());
        // The texts the fixes wrote, against expected-fixed.json.
        let written = written_texts(tmp.path(), &before, &after_first);
        let expected_path = dir.join("expected-fixed.json");
        let mut expected: serde_json::Map<String, serde_json::Value> =
            std::fs::read_to_string(&expected_path)
                .ok()
                .map(|t| serde_json::from_str(&t).expect("expected-fixed.json parses"))
                .unwrap_or_default();
        if update {
            if written.is_empty() {
                expected.remove(&key);
            } else {
                expected.insert(key.clone(), serde_json::Value::Object(written));
            }
            if expected.is_empty() {
                let _ = std::fs::remove_file(&expected_path);
            } else {
                let json = serde_json::to_string_pretty(&expected).unwrap();
                std::fs::write(&expected_path, format!("{json}\n")).unwrap();
            }
        } else {
            let want = expected
                .get(&key)
                .cloned()
                .unwrap_or(serde_json::Value::Object(Default::default()));
            let got = serde_json::Value::Object(written);
            if want != got {
                failures.push(format!(
                    "{} ({key}): fixes wrote\n{}",
                    dir.display(),
                    serde_json::to_string_pretty(&got).unwrap()
                ));
            }
        }
        // Nothing fixable is left (but unsafe fixes, without `--unsafe-fixes`).
        let (_, stdout, _) = dash_lsp(tmp.path(), &["check", ".", "--format", "json"]);
        let left: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        for d in left.as_array().unwrap() {
            assert!(
                d["fix"].is_null()
                    || d["code"] == "DL106"
                    || leaves_unsafe && d["fix"]["applicability"] == "unsafe",
                "{}: still fixable after {flags:?}: {d}",
                dir.display()
            );
        }
        // A second run changes nothing.
        dash_lsp(tmp.path(), &args);
        assert_eq!(
            after_first,
            snapshot(tmp.path()),
            "{}: second --fix changed files",
            dir.display()
        );
        // Fixed Python files still parse.
        for (path, bytes) in &after_first {
            if path.extension().is_some_and(|e| e == "py") {
                // A file in another encoding (PEP 263) is never rewritten.
                let Ok(text) = String::from_utf8(bytes.clone()) else {
                    let original = dir.join(path.strip_prefix(tmp.path()).unwrap());
                    assert_eq!(
                        &std::fs::read(original).unwrap(),
                        bytes,
                        "{}",
                        path.display()
                    );
                    continue;
                };
                assert!(
                    !dash_lsp_analysis::python::PythonModule::parse(&text).has_syntax_errors,
                    "{}",
                    path.display()
                );
            }
        }
    }
    assert!(
        failures.is_empty(),
        "fixes differ from expected-fixed.json (UPDATE_EXPECT=1 rewrites it):\n{}",
        failures.join("\n")
    );
}

/// The files `--fix` created or changed, relative path -> text.
fn written_texts(
    root: &Path,
    before: &[(PathBuf, Vec<u8>)],
    after: &[(PathBuf, Vec<u8>)],
) -> serde_json::Map<String, serde_json::Value> {
    let old: std::collections::HashMap<&PathBuf, &Vec<u8>> =
        before.iter().map(|(p, b)| (p, b)).collect();
    after
        .iter()
        .filter(|(p, b)| old.get(p) != Some(&b))
        .map(|(p, b)| {
            let rel = p.strip_prefix(root).unwrap_or(p);
            (
                rel.to_string_lossy().replace('\\', "/"),
                serde_json::Value::String(String::from_utf8_lossy(b).into_owned()),
            )
        })
        .collect()
}

#[test]
fn fix_writes_the_expected_texts() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(
        &fixtures_dir().join("no-procfile-no-requirements"),
        tmp.path(),
    );
    let (code, stdout, _) = dash_lsp(tmp.path(), &["check", ".", "--fix"]);
    assert_eq!(code, 0, "{stdout}");
    let read = |f: &str| std::fs::read_to_string(tmp.path().join(f)).unwrap();
    assert_eq!(read("Procfile"), "web: gunicorn app:server --workers 4\n");
    assert_eq!(
        read("requirements.txt"),
        "dash\ndash-bootstrap-components\ngunicorn\npandas\nscikit-learn\n"
    );
    assert!(read("app.py").contains("app = dash.Dash(__name__, external_stylesheets=[dbc.themes.BOOTSTRAP])\nserver = app.server\n"));
}

#[test]
fn cli_paths_exit_codes_and_text_format() {
    let root = fixtures_dir();
    // A file argument reports only that file's problems, paths relative to the current folder.
    let (code, stdout, _) = dash_lsp(&root, &["check", "classic-missing-server/app.py"]);
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "classic-missing-server/app.py:4:1: DL101 [*] `server` is not defined in app.py: the Procfile's gunicorn target `app:server` needs it; add `server = app.server`\n\
         Found 1 problem (1 error, 0 warnings, 0 info).\n[*] 1 fixable with `dash-lsp check --fix`.\n"
    );
    let (code, stdout, _) = dash_lsp(&root, &["check", "factory-target"]);
    assert_eq!((code, stdout.as_str()), (0, "All checks passed!\n"));
    // Info only: exit 0.
    let (code, _, _) = dash_lsp(&root, &["check", "start-script"]);
    assert_eq!(code, 0);
    let (code, _, stderr) = dash_lsp(&root, &["check", "does-not-exist"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read does-not-exist"), "{stderr}");
    let (code, _, _) = dash_lsp(&root, &["check", "--format", "yaml"]);
    assert_eq!(code, 2);
    let (code, stdout, _) = dash_lsp(
        &root,
        &[
            "check",
            "two-apps",
            "--select",
            "DL1",
            "--ignore",
            "DL101,DL110",
        ],
    );
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("DL114") && !stdout.contains("DL101"));
}

/// Every fix in the fixtures' expected output has an applicability its rule declares
/// (`dash-lsp rule` shows it): a rule declared safe never ships an unsafe fix, and a rule
/// declared without fixes ships none.
#[test]
fn fixes_match_their_rules_declared_applicability() {
    use dash_lsp_analysis::Applicability;
    let mut seen = 0;
    for dir in fixtures() {
        let text = std::fs::read_to_string(dir.join("expected.json")).unwrap();
        let findings: serde_json::Value = serde_json::from_str(&text).unwrap();
        for f in findings.as_array().unwrap() {
            let code = f["code"].as_str().unwrap();
            let rule = dash_lsp_rules::rule(code).expect("a known code");
            let Some(applicability) = f["fix"]["applicability"].as_str() else {
                continue;
            };
            let applicability = match applicability {
                "safe" => Applicability::Safe,
                "unsafe" => Applicability::Unsafe,
                other => panic!("{}: applicability {other}", dir.display()),
            };
            assert!(
                rule.fixes.allows(applicability),
                "{}: {code} has a {applicability:?} fix but declares {:?}",
                dir.display(),
                rule.fixes
            );
            seen += 1;
        }
    }
    assert!(seen > 20, "only {seen} fixes in the fixtures");
}
