//! DL203 obsolete-component-import.

use crate::{Fixes, Rule};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};
use dash_lsp_syntax::kinds::PyNode;
use dash_lsp_syntax::text_of;

pub(crate) const RULE: Rule = Rule {
    code: "DL203",
    name: "obsolete-component-import",
    severity: Severity::Warning,
    doc: r#"Imports of the packages merged into `dash` in Dash 2.0: `dash_core_components`,
`dash_html_components`, `dash_table` (`import dash_core_components as dcc`,
`from dash_core_components import Graph`, ...). Silent when requirements pin `dash` below 2.0.

**Why it matters.** The standalone packages are frozen at their 2.0 versions and print
deprecation warnings. Dash 3.0 stopped installing them: an error when requirements list `dash`
admitting 3.0 or newer (unpinned `dash` installs 4.x) and not the package itself, because the
import then fails at boot; a warning otherwise.

**Fix.** `from dash import dcc` / `html` / `dash_table` (keeping the alias), and
`from dash.dcc import Graph` for `from` imports.
"#,
    check,
    fixes: Fixes::Safe,
};

/// Old package -> name inside `dash`.
const MERGED: &[(&str, &str)] = &[
    ("dash_core_components", "dcc"),
    ("dash_html_components", "html"),
    ("dash_table", "dash_table"),
];

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    if app.dash_pinned_below("2.0") {
        return;
    }
    for (path, source, py) in app.sources() {
        let text = source.text();
        for import in &py.imports {
            let top = import.top_level();
            let Some((old, new)) = MERGED.iter().find(|(old, _)| *old == top) else {
                continue;
            };
            if import.level > 0 {
                continue;
            }
            let Some(stmt) = py
                .tree
                .root_node()
                .descendant_for_byte_range(import.stmt.start, import.stmt.end)
            else {
                continue;
            };
            let mut diag = if !import.optional && stub_missing(app, old) {
                let mut d = RULE.diagnostic(path, import.stmt.clone(), format!("`{old}` was merged into `dash` in Dash 2.0 and is not installed with the Dash >= 3 that requirements admit: the import fails with ModuleNotFoundError; import `{new}` from `dash`"));
                d.severity = Severity::Error;
                d
            } else {
                RULE.diagnostic(
                    path,
                    import.stmt.clone(),
                    format!(
                        "`{old}` was merged into `dash` in Dash 2.0: import `{new}` from `dash`"
                    ),
                )
            };
            if let Some(new_text) = rewrite(stmt, text, old, new) {
                diag = diag.with_fix(Fix::preferred(
                    format!("Import from `dash`: `{new_text}`"),
                    vec![FileEdit::Replace {
                        file: path.to_path_buf(),
                        range: import.stmt.clone(),
                        new_text,
                    }],
                ));
            }
            out.push(diag);
        }
    }
}

/// Whether the stand-alone package will be missing: Dash 2.x installs it as a dependency,
/// Dash 3.0 dropped it. Sure only when requirements list `dash` itself, not pinned below 3.0,
/// and do not list the package.
fn stub_missing(app: &App, package: &str) -> bool {
    let Some(reqs) = app.requirements.as_ref().filter(|r| r.readable()) else {
        return false;
    };
    let dist = dash_lsp_analysis::requirements::normalize(package);
    reqs.lists("dash") && !app.dash_pinned_below("3.0") && !reqs.lists(&dist)
}

fn rewrite(stmt: tree_sitter::Node, text: &str, old: &str, new: &str) -> Option<String> {
    let mut cursor = stmt.walk();
    if stmt.kind() == "import_statement" {
        let names: Vec<_> = stmt.children_by_field_name("name", &mut cursor).collect();
        // `import a, b`: rewriting one of several names is left to the user.
        let [name] = names.as_slice() else {
            return None;
        };
        let (dotted, alias) = match name.kind() {
            "aliased_import" => (
                text_of(name.field("name")?, text),
                Some(text_of(name.field("alias")?, text)),
            ),
            _ => (text_of(*name, text), None),
        };
        if dotted != old {
            return None;
        }
        let bound = alias.unwrap_or(old);
        return Some(if bound == new {
            format!("from dash import {new}")
        } else {
            format!("from dash import {new} as {bound}")
        });
    }
    let module = stmt.field("module_name")?;
    let rest = &text[module.end_byte()..stmt.end_byte()];
    let module_text = text_of(module, text);
    let suffix = module_text.strip_prefix(old)?;
    Some(format!("from dash.{new}{suffix}{rest}"))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use dash_lsp_analysis::Severity;

    const REQ: (&str, &str) = ("requirements.txt", "dash\ngunicorn\n");

    #[test]
    fn an_error_where_dash_3_or_newer_installs_without_the_package() {
        let src = "import dash\nimport dash_core_components as dcc\napp = dash.Dash()\n";
        let severity = |reqs: &str| -> Vec<Severity> {
            check_files(&[("app.py", src), ("requirements.txt", reqs)], "DL203")
                .iter()
                .map(|d| d.severity)
                .collect()
        };
        assert_eq!(severity("dash\n"), [Severity::Error]);
        assert_eq!(severity("dash>=2.0\n"), [Severity::Error]);
        // Dash 2.x installs the package; listed, it is installed.
        assert_eq!(severity("dash==2.18.2\n"), [Severity::Warning]);
        assert_eq!(
            severity("dash\ndash-core-components==2.0.0\n"),
            [Severity::Warning]
        );
        // `dash` not listed: what installs it is not known.
        assert_eq!(severity("dash-bootstrap-components\n"), [Severity::Warning]);
        let d = check_files(&[("app.py", src), ("requirements.txt", "dash\n")], "DL203");
        assert_eq!(d[0].message, "`dash_core_components` was merged into `dash` in Dash 2.0 and is not installed with the Dash >= 3 that requirements admit: the import fails with ModuleNotFoundError; import `dcc` from `dash`");
    }

    #[test]
    fn rewrites_keep_aliases() {
        for (before, after) in [
            ("import dash_core_components as dcc", "from dash import dcc"),
            (
                "import dash_html_components as html",
                "from dash import html",
            ),
            (
                "import dash_html_components as h",
                "from dash import html as h",
            ),
            ("import dash_table", "from dash import dash_table"),
            (
                "import dash_core_components",
                "from dash import dcc as dash_core_components",
            ),
            (
                "from dash_core_components import Graph, Dropdown as D",
                "from dash.dcc import Graph, Dropdown as D",
            ),
            (
                "from dash_table.Format import Format",
                "from dash.dash_table.Format import Format",
            ),
        ] {
            let src = format!("import os\n{before}\n");
            let fixed = fix_round_trip(&[("app.py", &src), REQ], "DL203", 0);
            assert_eq!(
                text(&fixed, "app.py"),
                format!("import os\n{after}\n"),
                "{before}"
            );
        }
    }

    #[test]
    fn silent_below_dash_2_and_for_new_imports() {
        let src = "import dash_core_components as dcc\n";
        assert!(check_files(
            &[("app.py", src), ("requirements.txt", "dash==1.21.0\n")],
            "DL203"
        )
        .is_empty());
        assert!(check_files(
            &[(
                "app.py",
                "from dash import dcc\nimport dash_bootstrap_components\n"
            )],
            "DL203"
        )
        .is_empty());
    }
}
