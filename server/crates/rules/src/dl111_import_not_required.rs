//! DL111 import-not-required.

use crate::{Fixes, Rule};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};
use dash_lsp_syntax::text::append_line;

pub(crate) const RULE: Rule = Rule {
    code: "DL111",
    name: "import-not-required",
    severity: Severity::Error,
    doc: r#"A module of the app imports a third-party package whose distribution `requirements.txt`
(following `-r` includes) does not list. Not reported: the standard library, the app's own
modules and packages (any `.py` file or folder under the app root), relative imports, imports
inside `try:` with an `except ImportError` and under `if TYPE_CHECKING:`, and packages that a
listed distribution brings with it (`dash` brings `flask`, `plotly`, `werkzeug`, ...; `pandas`
brings `numpy`; `dash[diskcache]` brings `diskcache`). Import names are mapped to their
distribution (`sklearn` -> `scikit-learn`, `PIL` -> `Pillow`, `yaml` -> `PyYAML`) and compared
after PEP 503 normalisation. Silent without `requirements.txt` (DL107 reports that), when it
lists an unnamed requirement (`-e .`, a URL or path) that could provide anything, and when an
import the table does not know has a listed distribution of a similar name (`pandas_profiling`
beside `ydata-profiling`, `visa` beside `pyvisa`): it may come from there. A warning, not an
error, when a listed distribution's dependencies are unknown (a Dash Enterprise package from its
private index, a release PyPI has no wheel for): it may bring the import. Only modules the
app runs (the entry module's import closure) are checked: an offline script's imports are not
installed on the server and need not be.

**Why it breaks on the server.** The buildpack installs only what is listed; the laptop has the
package from an earlier `pip install`. On the server the import raises `ModuleNotFoundError` and
every worker fails to boot.

**Fix.** Append the distribution name to `requirements.txt`.
"#,
    check,
    fixes: Fixes::Safe,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let Some(reqs) = &app.requirements else {
        return;
    };
    // An unnamed requirement (`-e .`, a URL) may provide anything; a file pip cannot read
    // is DL109's, and what it would install is unknown.
    if reqs.has_unnamed() || !reqs.readable() {
        return;
    }
    let hash_checking = reqs.hash_checking(&reqs.file.path);
    // A listed distribution whose dependencies the table does not know (a private-index
    // package, an sdist-only release) may bring the import: a warning, not a certain error.
    let unknown = reqs.unknown_distributions();
    let text = reqs.file.text();
    for (module, import) in app.third_party_imports() {
        // `dash` itself is DL110's.
        if reqs.provides(import) || import.top_level() == "dash" {
            continue;
        }
        let dist = import.distribution();
        if dist == import.top_level() && similar_listed(reqs, dist) {
            continue;
        }
        let Some(source) = app.ws.source(&module) else {
            continue;
        };
        let range = crate::helpers::first_line_of(source.text(), import.stmt.clone());
        let shown = import.provider_module();
        let named = if dist == shown {
            format!("`{dist}`")
        } else {
            format!("`{shown}` (distribution `{dist}`)")
        };
        let mut d = RULE.diagnostic(
            &module,
            range,
            format!(
                "{named} is not listed in requirements.txt: the import fails on the server with ModuleNotFoundError"
            ),
        );
        if !unknown.is_empty() {
            d.severity = Severity::Warning;
            let names: Vec<String> = unknown.iter().map(|n| format!("`{n}`")).collect();
            d.message.push_str(&format!(
                " (unless {} brings it: what it installs is not known)",
                names.join(", ")
            ));
        }
        // Only a valid distribution name can be written into requirements.txt; a file in
        // hash-checking mode takes no line without hashes (pip would refuse the whole file).
        if hash_checking {
            d.message
                .push_str("; regenerate the lock file (with hashes) to add it");
        } else if is_distribution_name(dist) {
            let (at, new_text) = append_line(text, dist);
            d = d.with_fix(
                Fix::preferred(
                    format!("Add `{dist}` to requirements.txt"),
                    vec![FileEdit::Replace {
                        file: reqs.file.path.clone(),
                        range: at,
                        new_text,
                    }],
                )
                .adding_requirement(dist, import.top_level(), &reqs.files),
            );
        }
        out.push(d);
    }
}

/// Whether a listed distribution's name looks like the (unmapped) import name: `ydata-profiling`
/// for `pandas_profiling`, `pyvisa` for `visa`. The import may well come from it (a renamed
/// project, a module shipped under another name): unsure, so say nothing.
fn similar_listed(reqs: &dash_lsp_analysis::project::Requirements, import: &str) -> bool {
    reqs.entries
        .iter()
        .any(|(_, r)| dash_lsp_analysis::requirements::names_look_alike(&r.normalized, import))
}

/// PEP 508 names: ASCII letters and digits, with `.`, `-`, `_` inside.
fn is_distribution_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(b))
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn hash_checking_files_get_no_line_and_unreadable_files_no_finding() {
        let app = "import dash\nimport numpy\napp = dash.Dash()\n";
        let locked = "dash==3.2.0 \\\n    --hash=sha256:aa\ngunicorn==23.0.0 --hash=sha256:bb\n";
        let d = check_files(&[("app.py", app), ("requirements.txt", locked)], "DL111");
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty());
        assert!(
            d[0].message
                .ends_with("; regenerate the lock file (with hashes) to add it"),
            "{}",
            d[0].message
        );
        let conda = "dash=2.0.0=pypi_0\ngunicorn=20.0.4=pypi_0\n";
        assert!(check_files(&[("app.py", app), ("requirements.txt", conda)], "DL111").is_empty());
    }

    #[test]
    fn a_warning_beside_a_distribution_of_unknown_dependencies() {
        let app = "import dash\nimport celery\napp = dash.Dash()\n";
        let d = check_files(
            &[
                ("app.py", app),
                ("requirements.txt", "dash\ndash-snapshots\n"),
            ],
            "DL111",
        );
        assert_eq!(d[0].severity, dash_lsp_analysis::Severity::Warning);
        assert_eq!(d[0].message, "`celery` is not listed in requirements.txt: the import fails on the server with ModuleNotFoundError (unless `dash-snapshots` brings it: what it installs is not known)");
        let d = check_files(&[("app.py", app), ("requirements.txt", "dash\n")], "DL111");
        assert_eq!(d[0].severity, dash_lsp_analysis::Severity::Error);
    }

    #[test]
    fn similar_listed_names_are_not_reported() {
        let app =
            "import dash\nimport pandas_profiling\nimport visa\nimport altair\napp = dash.Dash()\n";
        let ws = workspace(&[
            ("app.py", app),
            (
                "requirements.txt",
                "dash\nydata-profiling==4.3.0\npyvisa==1.9.1\nalt-text\n",
            ),
        ]);
        let d = diagnostics(&ws, "DL111");
        assert_eq!(
            d.iter().map(|d| covered(&ws, d)).collect::<Vec<_>>(),
            ["import altair"],
            "a shared short prefix is not a similar name"
        );
    }

    #[test]
    fn mapped_distribution_appended() {
        let files = [
            ("app.py", "import dash\nfrom sklearn import linear_model\napp = dash.Dash()\nserver = app.server\n"),
            ("requirements.txt", "dash\r\ngunicorn"),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL111");
        assert_eq!(d.len(), 1);
        assert_eq!(covered(&ws, &d[0]), "from sklearn import linear_model");
        assert_eq!(
            d[0].message,
            "`sklearn` (distribution `scikit-learn`) is not listed in requirements.txt: the import fails on the server with ModuleNotFoundError"
        );
        let fixed = fix_round_trip(&files, "DL111", 0);
        assert_eq!(
            text(&fixed, "requirements.txt"),
            "dash\r\ngunicorn\r\nscikit-learn\r\n"
        );
    }

    #[test]
    fn no_fix_for_a_name_pip_cannot_read() {
        let d = check_files(
            &[
                ("app.py", "import données\n"),
                ("requirements.txt", "dash\n"),
            ],
            "DL111",
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty());
    }

    #[test]
    fn not_reported() {
        let app = "import os, json\nimport dash\nimport flask\nimport plotly.express as px\nimport numpy as np\nimport utils\nfrom pages import home\nfrom . import helpers\nimport diskcache\nimport Dash_Bootstrap_Components\ntry:\n    import ujson\nexcept ImportError:\n    ujson = None\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import mypy_extensions\nfrom PIL import Image\n";
        let files = [
            ("app.py", app),
            ("utils.py", ""),
            ("pages/home.py", ""),
            (
                "requirements.txt",
                "dash[diskcache]==3.2\npandas>=2\npillow\ndash-bootstrap-components\n",
            ),
        ];
        assert!(
            check_files(&files, "DL111").is_empty(),
            "{:#?}",
            check_files(&files, "DL111")
        );
        // Without requirements.txt DL107 speaks; with `-e .` anything may be provided.
        assert!(check_files(&[("app.py", "import pandas\n")], "DL111").is_empty());
        assert!(check_files(
            &[
                ("app.py", "import pandas\n"),
                ("requirements.txt", "-e .\n")
            ],
            "DL111"
        )
        .is_empty());
    }

    #[test]
    fn listed_through_an_include_and_dotted_namespaces() {
        let files = [
            (
                "app.py",
                "import yaml\nfrom google.cloud import storage\nimport google.protobuf\n",
            ),
            ("requirements.txt", "-r base.txt\n"),
            ("base.txt", "PyYAML==6.0\nprotobuf\n"),
        ];
        let ws = workspace(&files);
        let found: Vec<_> = diagnostics(&ws, "DL111")
            .iter()
            .map(|d| covered(&ws, d).to_string())
            .collect();
        assert_eq!(found, ["from google.cloud import storage"]);
    }
}
