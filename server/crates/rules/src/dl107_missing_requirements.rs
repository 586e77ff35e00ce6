//! DL107 missing-requirements.

use std::collections::BTreeMap;

use crate::helpers::line_one;
use crate::{Fixes, Rule};
use dash_lsp_analysis::project::{App, REQUIREMENTS};
use dash_lsp_analysis::requirements::normalize;
use dash_lsp_analysis::tables;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};

pub(crate) const RULE: Rule = Rule {
    code: "DL107",
    name: "missing-requirements",
    severity: Severity::Error,
    doc: r#"The app root has a Dash app object but no `requirements.txt`. Reported on line 1 of the
entry module.

**Why it breaks on the server.** The Python buildpack installs what `requirements.txt` lists;
without it neither `dash` nor `gunicorn` is installed and the app cannot start.

**Fix.** Create `requirements.txt` listing `dash`, `gunicorn`, and every third-party import of the
app (mapped to its distribution: `sklearn` -> `scikit-learn`), one a line, sorted; imports that a
listed distribution brings along (`flask` with `dash`) are left out.
"#,
    check,
    fixes: Fixes::Safe,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let path = app.root.join(REQUIREMENTS);
    if app.requirements.is_some() || app.ws.exists(&path) || !app.has_dash_app() {
        return;
    }
    let Some(entry) = &app.entry else { return };
    let Some(text) = app.ws.text(entry) else {
        return;
    };
    let content = requirements_for(app);
    out.push(
        RULE.diagnostic(entry, line_one(text), "No requirements.txt in this app's folder: the platform installs nothing, not even dash and gunicorn")
            .with_fix(Fix::preferred(
                format!("Create requirements.txt ({})", content.lines().collect::<Vec<_>>().join(", ")),
                vec![FileEdit::Create { file: path, text: content }],
            )),
    );
}

/// `dash`, `gunicorn` and the app's third-party distributions, sorted, one a line; a
/// distribution that another listed one brings along is left out.
fn requirements_for(app: &App) -> String {
    let mut dists: BTreeMap<String, String> = BTreeMap::new();
    for name in ["dash", "gunicorn"] {
        dists.insert(name.to_string(), name.to_string());
    }
    for (_, import) in app.third_party_imports() {
        let dist = import.distribution();
        dists
            .entry(normalize(dist))
            .or_insert_with(|| dist.to_string());
    }
    let listed: Vec<String> = dists.keys().cloned().collect();
    dists.retain(|key, _| {
        key == "dash"
            || key == "gunicorn"
            || !listed
                .iter()
                .any(|other| other != key && tables::brings(other, &[], key))
    });
    dists.values().map(|d| format!("{d}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    const APP: &str = "import os\nimport dash\nimport flask\nimport pandas as pd\nimport numpy\nfrom sklearn import linear_model\nimport utils\nfrom . import helpers\ntry:\n    import ujson\nexcept ImportError:\n    ujson = None\napp = dash.Dash()\nserver = app.server\n";

    #[test]
    fn created_file_lists_third_party_imports() {
        let files = [
            ("app.py", APP),
            ("utils.py", ""),
            ("Procfile", "web: gunicorn app:server -w 4\n"),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL107");
        assert_eq!(covered(&ws, &d[0]), "import os");
        let fixed = fix_round_trip(&files, "DL107", 0);
        assert_eq!(
            text(&fixed, "requirements.txt"),
            "dash\ngunicorn\npandas\nscikit-learn\n"
        );
    }

    #[test]
    fn silent_with_requirements_or_without_dash() {
        assert!(check_files(&[("app.py", APP), ("requirements.txt", "")], "DL107").is_empty());
        assert!(check_files(
            &[("tool.py", "import pandas\n"), ("Procfile", "web: x\n")],
            "DL107"
        )
        .is_empty());
    }
}
