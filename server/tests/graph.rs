//! `dash-lsp graph` output for a known app, compared with checked-in snapshots
//! (`UPDATE_EXPECT=1` rewrites them; review the diff).

use std::path::Path;
use std::process::Command;

#[test]
fn graph_snapshots() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let app = root.join("tests/fixtures/callback-graph");
    for (format, ext) in [
        ("mermaid", "mmd"),
        ("dot", "dot"),
        ("json", "json"),
        ("svg", "svg"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_dash-lsp"))
            .args(["graph", "--format", format])
            .current_dir(&app)
            .output()
            .unwrap();
        assert!(out.status.success());
        let actual = String::from_utf8(out.stdout).unwrap();
        let snapshot = root.join(format!("tests/snapshots/callback-graph.{ext}"));
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            std::fs::write(&snapshot, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&snapshot).expect("snapshot exists");
        assert_eq!(actual, expected, "{format} output changed");
    }
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("tests/snapshots/callback-graph.json")).unwrap(),
    )
    .unwrap();
    let draw = json["apps"][0]["callbacks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "draw")
        .unwrap();
    assert_eq!(draw["file"], "pages/report.py");
    assert_eq!(
        draw["inputs"][0],
        serde_json::json!({"id": "country-dropdwn", "property": "value"})
    );
}
