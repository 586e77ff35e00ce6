//! CLI output formats and flags: github, sarif (validated against the official SARIF 2.1.0
//! schema, `tests/schemas/sarif-2.1.0-rtm.5.json` from the npm package
//! `@microsoft/jest-sarif@1.0.0-beta.0`, MIT), statistics, exit codes, config, rule docs.

mod common;

use std::path::Path;

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    common::run_cli(dir, args)
}

fn repo() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn github_annotations() {
    let (code, out, _) = run(
        &common::fixture("classic-missing-server"),
        &["check", ".", "--format", "github"],
    );
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "::error file=app.py,line=4,col=1,endLine=4,endColumn=26,title=DL101 (missing-server-export)::`server` is not defined in app.py: the Procfile's gunicorn target `app:server` needs it; add `server = app.server`\n\
         ::error file=requirements.txt,line=1,col=1,endLine=1,endColumn=12,title=DL108 (gunicorn-not-required)::gunicorn is not listed in requirements.txt: the Procfile's `web: gunicorn ...` fails with \"command not found\"\n"
    );
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/schemas/sarif-2.1.0-rtm.5.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for fixture in [
        "laptop-habits",
        "callback-graph",
        "no-procfile-no-requirements",
        "clean-app",
    ] {
        let (_, out, _) = run(
            &common::fixture(fixture),
            &["check", ".", "--format", "sarif"],
        );
        let log: serde_json::Value = serde_json::from_str(&out).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{fixture}: {errors:#?}");
        let run = &log["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "dash-lsp");
        assert!(run["tool"]["driver"]["rules"].as_array().unwrap().len() >= 30);
        if fixture == "callback-graph" {
            // The other occurrence of a duplicate id is a related location.
            let dup = run["results"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["ruleId"] == "DL404")
                .expect("a DL404 result");
            let related = &dup["relatedLocations"][0];
            assert_eq!(
                related["message"]["text"],
                "the first component with this id"
            );
            assert_eq!(
                related["physicalLocation"]["artifactLocation"]["uri"],
                "app.py"
            );
            assert_eq!(related["physicalLocation"]["region"]["startLine"], 12);
        }
        if fixture == "laptop-habits" {
            let first = &run["results"][0];
            assert_eq!(first["ruleId"], "DL203");
            // dash>=2.16 installs Dash 4, which has no dash_core_components: boot fails.
            assert_eq!(first["level"], "error");
            assert_eq!(
                first["locations"][0]["physicalLocation"]["region"]["startLine"],
                2
            );
            assert_eq!(
                first["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]
                    ["text"],
                "from dash import dcc"
            );
        }
    }
}

#[test]
fn statistics_exit_zero_quiet() {
    let dir = common::fixture("laptop-habits");
    let (code, out, _) = run(&dir, &["check", ".", "--statistics"]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().next(), Some("2\tDL202\t[*] removed-dash-api"));
    assert_eq!(out.lines().count(), 7);
    let (code, out, _) = run(&dir, &["check", ".", "--exit-zero", "--quiet"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 9, "{out}");
    assert!(!out.contains("Found 9 problems"), "{out}");
    let (code, _, err) = run(&dir, &["check", ".", "--select", "E501"]);
    assert_eq!(code, 2);
    assert!(err.contains("'E501' is not a dash-lsp rule code"), "{err}");
}

#[test]
fn config_flag_replaces_discovery_and_cli_flags_win() {
    let dir = common::copy_fixture("laptop-habits");
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.dash-lsp]\nignore = [\"DL2\"]\n",
    )
    .unwrap();
    let (_, out, _) = run(dir.path(), &["check", ".", "--statistics"]);
    assert!(!out.contains("DL20"), "{out}");
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("strict.toml"), "select = [\"DL206\"]\n").unwrap();
    let config = other.path().join("strict.toml");
    let (_, out, _) = run(
        dir.path(),
        &[
            "check",
            ".",
            "--statistics",
            "--config",
            config.to_str().unwrap(),
        ],
    );
    assert_eq!(out, "1\tDL206\t[~] hardcoded-secret\n");
    let (_, out, _) = run(
        dir.path(),
        &[
            "check",
            ".",
            "--statistics",
            "--config",
            config.to_str().unwrap(),
            "--select",
            "DL203",
        ],
    );
    assert_eq!(out, "2\tDL203\t[*] obsolete-component-import\n");
}

#[test]
fn rule_docs_are_up_to_date() {
    let (code, out, _) = run(&repo(), &["rule", "--all"]);
    assert_eq!(code, 0);
    let checked_in = std::fs::read_to_string(repo().join("docs/rules.md")).unwrap();
    assert!(
        out == checked_in,
        "docs/rules.md is stale: run `cargo run -- rule --all > docs/rules.md`"
    );
    let (code, out, _) = run(&repo(), &["rule", "missing-server-export"]);
    assert_eq!(code, 0);
    assert!(out.starts_with(
        "## DL101 missing-server-export\n\nSeverity: error. Fix: safe (`--fix` applies it).\n\nThe entry module creates"
    ));
    assert_eq!(run(&repo(), &["rule", "DL999"]).0, 2);
    // The list: one line per rule with what `--fix` does with it.
    let (code, out, _) = run(&repo(), &["rule"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "code   name                         severity fix");
    assert!(lines.contains(&"DL206  hardcoded-secret             warning  unsafe"));
    assert!(lines.contains(&"DL401  duplicate-callback-output    error    safe, sometimes unsafe"));
    assert!(lines.contains(&"DL403  circular-callbacks           error    none"));
}

/// The fenced blocks of the README that follow a line containing `marker`.
fn readme_block(marker: &str) -> String {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let at = readme
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not in README"));
    let rest = &readme[at..];
    let mut body = &rest[rest.find('\n').unwrap() + 1..];
    // A heading before the block: skip to the block's first line.
    if body.trim_start().starts_with("```") {
        let fence = body.find("```").unwrap();
        body = &body[fence + body[fence..].find('\n').unwrap() + 1..];
    }
    let block = &body[..body.find("```").unwrap()];
    assert!(
        !block.trim().is_empty(),
        "empty README block after {marker}"
    );
    block.to_string()
}

#[test]
fn readme_configuration_example_is_valid_and_applies() {
    let config = readme_block("# pyproject.toml (in dash-lsp.toml");
    let dir = common::copy_fixture("classic-missing-server");
    std::fs::write(
        dir.path().join("pyproject.toml"),
        format!("[project]\nname = \"app\"\n{config}"),
    )
    .unwrap();
    let (code, out, err) = run(dir.path(), &["check", ".", "--format", "json"]);
    let found: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}{err}"));
    let codes: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    // No DL002 (every key valid); DL101 and DL108 are selected by `DL1`.
    assert_eq!(codes, ["DL101", "DL108"], "{out}");
    assert_eq!(code, 1);
}

#[test]
fn readme_suppression_examples_work() {
    let python = readme_block("### Suppressing one finding");
    let requirements = readme_block("# requirements.txt, Procfile, CHECKS");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // The README's comments (`one code ...`) are prose after the directive: drop them.
    let python: String = python
        .lines()
        .map(|l| {
            l.split("  ")
                .filter(|p| !p.is_empty())
                .take(2)
                .collect::<Vec<_>>()
                .join("  ")
        })
        .map(|l| l + "\n")
        .collect();
    std::fs::write(
        root.join("app.py"),
        format!(
            "import pandas as pd\nfrom dash import Dash, Input, Output\napp = Dash()\nserver = app.server\nPATH = 'data.csv'\n\n@app.callback(Output('g', 'figure'), Input('g', 'id'))\ndef update(_):\n    {}    return df\n",
            python.lines().collect::<Vec<_>>().join("\n    ") + "\n"
        ),
    )
    .unwrap();
    std::fs::write(root.join("data.csv"), "a\n1\n").unwrap();
    let requirements = format!("{requirements}pandas\n");
    std::fs::write(root.join("requirements.txt"), &requirements).unwrap();
    std::fs::write(
        root.join("Procfile"),
        "web: gunicorn app:server --workers 4\n",
    )
    .unwrap();
    let (_, out, err) = run(root, &["check", ".", "--format", "json"]);
    let found: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}{err}"));
    let codes: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, Vec::<&str>::new(), "{out}\n{python}");
    // On Dash 3 `run_server` is gone: the bare `# noqa` keeps that line quiet too.
    std::fs::write(
        root.join("requirements.txt"),
        requirements.replace("dash==2.17.1", "dash==3.0.4"),
    )
    .unwrap();
    let (_, out, _) = run(root, &["check", ".", "--format", "json"]);
    assert_eq!(out.trim(), "[]");
    // Without the comments the same app has findings: the suppressions did the work.
    let app = std::fs::read_to_string(root.join("app.py")).unwrap();
    std::fs::write(
        root.join("app.py"),
        app.replace("# noqa: DL301", "").replace("# noqa", ""),
    )
    .unwrap();
    let (_, out, _) = run(root, &["check", ".", "--format", "json"]);
    assert!(
        out.contains("\"DL301\"") && out.contains("\"DL202\""),
        "{out}"
    );
}

#[test]
fn unsafe_fixes_are_marked_and_applied_only_when_asked() {
    let dir = common::fixture("celery-worker");
    let (_, out, _) = run(&dir, &["check", "."]);
    assert!(
        out.starts_with("tasks.py:4:38: DL207 [~] The Celery broker address"),
        "{out}"
    );
    assert!(
        out.ends_with("[~] 1 more fixable with `dash-lsp check --fix --unsafe-fixes` (they change what the app does: review them).\n"),
        "{out}"
    );
    let (_, json, _) = run(&dir, &["check", ".", "--format", "json"]);
    let findings: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(findings[0]["fix"]["applicability"], "unsafe");
    // `--fix` leaves the unsafe fix alone; `--unsafe-fixes` applies it.
    let tmp = tempfile::tempdir().unwrap();
    for name in ["Procfile", "requirements.txt", "app.py", "tasks.py"] {
        std::fs::copy(dir.join(name), tmp.path().join(name)).unwrap();
    }
    let before = std::fs::read_to_string(tmp.path().join("tasks.py")).unwrap();
    run(tmp.path(), &["check", ".", "--fix"]);
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("tasks.py")).unwrap(),
        before
    );
    run(tmp.path(), &["check", ".", "--fix", "--unsafe-fixes"]);
    let after = std::fs::read_to_string(tmp.path().join("tasks.py")).unwrap();
    assert!(
        after.contains("os.environ.get(\"REDIS_URL\", \"redis://localhost:6379/0\")"),
        "{after}"
    );
}

/// File names are printed as they are on disk (a `\` in a Unix name is not a separator), and
/// SARIF `uri`s are percent-encoded URI references that decode back to those names. The
/// files are created here: such names do not survive every checkout.
#[cfg(unix)]
#[test]
fn odd_file_names_are_printed_faithfully_and_sarif_uris_are_encoded() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(
        root.join("app.py"),
        "import dash\napp = dash.Dash(__name__, use_pages=True)\nserver = app.server\n",
    )
    .unwrap();
    std::fs::write(root.join("Procfile"), "web: gunicorn app:server -w 2\n").unwrap();
    std::fs::write(root.join("requirements.txt"), "dash\ngunicorn\n").unwrap();
    std::fs::create_dir(root.join("pages")).unwrap();
    let names = [
        ("win\\back.py", "win%5Cback.py"),
        ("100%.py", "100%25.py"),
        ("a#b.py", "a%23b.py"),
        ("q?x.py", "q%3Fx.py"),
        ("sp ace.py", "sp%20ace.py"),
    ];
    for (name, _) in names {
        std::fs::write(
            root.join("pages").join(name),
            "import dash_html_components as html\n",
        )
        .unwrap();
    }
    let (_, text, _) = run(root, &["check", "."]);
    let (_, json, _) = run(root, &["check", ".", "--format", "json"]);
    let (_, sarif, _) = run(root, &["check", ".", "--format", "sarif"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    for (name, uri) in names {
        let shown = format!("pages/{name}");
        assert!(text.contains(&format!("{shown}:1:")), "{name}: {text}");
        assert!(
            json.as_array().unwrap().iter().any(|f| f["file"] == shown),
            "{name}: {json}"
        );
        assert!(
            uris.contains(&format!("pages/{uri}").as_str()),
            "{uri}: {uris:?}"
        );
    }
}
