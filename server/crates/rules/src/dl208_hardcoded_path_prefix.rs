//! DL208 hardcoded-path-prefix.

use crate::{Fixes, Rule};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::python::DASH_CLASSES;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};
use dash_lsp_syntax::kinds::PyNode;
use dash_lsp_syntax::{string_value, text_of};

pub(crate) const RULE: Rule = Rule {
    code: "DL208",
    name: "hardcoded-path-prefix",
    severity: Severity::Warning,
    doc: r#"`Dash(url_base_pathname=..., requests_pathname_prefix=..., routes_pathname_prefix=...)` with a
literal.

**Why it breaks on the server.** The platform serves the app under a prefix derived from the
app's name (`DASH_APP_NAME`, `DASH_*_PATHNAME_PREFIX`); a literal prefix overrides it, so the
app's pages and assets 404 once deployed or renamed. Links should use
`app.get_relative_path(...)`.

**Fix.** Remove the keyword argument.
"#,
    check,
    fixes: Fixes::Safe,
};

const PREFIX_KEYWORDS: &[&str] = &[
    "url_base_pathname",
    "requests_pathname_prefix",
    "routes_pathname_prefix",
];

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    for (path, source, py) in app.sources() {
        let text = source.text();
        for (site, callee) in py.calls(text) {
            // No function: no callee either.
            if !callee.is_some_and(|q| DASH_CLASSES.contains(&q)) {
                continue;
            }
            let Some(args) = site.arguments else {
                continue;
            };
            let mut cursor = args.walk();
            let arguments: Vec<_> = args.named_children(&mut cursor).collect();
            for (i, arg) in arguments.iter().enumerate() {
                if arg.kind() != "keyword_argument" {
                    continue;
                }
                let (Some(name), Some(value)) = (arg.field("name"), arg.field("value")) else {
                    continue;
                };
                let name = text_of(name, text);
                if !PREFIX_KEYWORDS.contains(&name) || string_value(value, text).is_none() {
                    continue;
                }
                // Remove the argument with the comma that separates it from its neighbour.
                let range = match (i.checked_sub(1).map(|p| arguments[p]), arguments.get(i + 1)) {
                    (Some(prev), _) => prev.end_byte()..arg.end_byte(),
                    (None, Some(next)) => arg.start_byte()..next.start_byte(),
                    (None, None) => arg.byte_range(),
                };
                out.push(
                    RULE.diagnostic(
                        path,
                        arg.byte_range(),
                        format!("`{name}` is hard-coded: the platform sets the app's path prefix from its name, and this overrides it"),
                    )
                    .with_fix(Fix::preferred(format!("Remove `{name}`"), vec![FileEdit::Replace { file: path.to_path_buf(), range, new_text: String::new() }])),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn removes_the_keyword() {
        for (before, after) in [
            (
                "dash.Dash(__name__, url_base_pathname='/sales/')",
                "dash.Dash(__name__)",
            ),
            (
                "dash.Dash(requests_pathname_prefix='/x/', title='T')",
                "dash.Dash(title='T')",
            ),
            ("dash.Dash(routes_pathname_prefix='/x/')", "dash.Dash()"),
        ] {
            let src = format!("import dash\napp = {before}\n");
            let fixed = fix_round_trip(&[("app.py", &src)], "DL208", 0);
            assert_eq!(
                text(&fixed, "app.py"),
                format!("import dash\napp = {after}\n"),
                "{before}"
            );
        }
    }

    #[test]
    fn computed_prefixes_are_silent() {
        let src = "import dash, os\napp = dash.Dash(url_base_pathname=os.environ['PREFIX'])\nother = dict(url_base_pathname='/x/')\n";
        assert!(check_files(&[("app.py", src)], "DL208").is_empty());
    }
}
