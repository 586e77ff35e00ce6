//! DL303 large-callback-payload.

use crate::helpers::module_dataframes;
use crate::{Fixes, Rule};
use dash_lsp_analysis::callbacks::local_names;
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, Severity};
use dash_lsp_syntax::kinds::PyNode;
use dash_lsp_syntax::text_of;

pub(crate) const RULE: Rule = Rule {
    code: "DL303",
    name: "large-callback-payload",
    severity: Severity::Warning,
    doc: r#"A callback returns a whole module-level DataFrame (a module-level name assigned from a
pandas `read_*` call or `pd.DataFrame(...)`), serialised unfiltered: `df.to_dict(...)`,
`df.to_json(...)`, `df.to_records()`.

**Why it crawls.** Every call sends all rows to the browser as JSON: megabytes per click,
serialised in the worker and parsed in the browser.

**Fix.** None automatic: filter or aggregate first (`df[df.region == region]`), paginate
(`page_action="custom"` for DataTable), or keep the data server-side.
"#,
    check,
    fixes: Fixes::None,
};

const SERIALISERS: &[&str] = &["to_dict", "to_json", "to_records"];

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    for (path, source, py) in app.sources() {
        let text = source.text();
        let frames = module_dataframes(py, text);
        if frames.is_empty() {
            continue;
        }
        for callback in py.callbacks.iter().filter(|c| !c.clientside) {
            let Some(body) = callback.body(&py.tree) else {
                continue;
            };
            let locals = local_names(py, body, &callback.params, text);
            for ret in py.runs_of(body, "return_statement", text) {
                for call in py.runs_of(ret, "call", text) {
                    let Some(function) = call.field("function") else {
                        continue;
                    };
                    if function.kind() != "attribute" {
                        continue;
                    }
                    let (Some(object), Some(attr)) =
                        (function.field("object"), function.field("attribute"))
                    else {
                        continue;
                    };
                    let name = text_of(object, text);
                    if object.kind() != "identifier" || !SERIALISERS.contains(&text_of(attr, text))
                    {
                        continue;
                    }
                    if !frames.iter().any(|f| f == name) || locals.iter().any(|l| l == name) {
                        continue;
                    }
                    out.push(RULE.diagnostic(
                        path,
                        call.byte_range(),
                        format!("Callback `{}` sends all of `{name}` to the browser on every call: filter or aggregate it first, or paginate", callback.name.as_deref().unwrap_or("callback")),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    const REQ: (&str, &str) = ("requirements.txt", "dash\ngunicorn\npandas\n");

    #[test]
    fn whole_frame_reported_filtered_frame_not() {
        let src = "import pandas as pd\nfrom dash import Dash, Input, Output\ndf = pd.read_parquet('data/x.parquet')\napp = Dash()\n@app.callback(Output('t', 'data'), Input('r', 'value'))\ndef table(region):\n    return df.to_dict('records')\n@app.callback(Output('u', 'data'), Input('r', 'value'))\ndef filtered(region):\n    return df[df.region == region].to_dict('records')\n@app.callback(Output('v', 'data'), Input('r', 'value'))\ndef local(region):\n    df = pd.DataFrame()\n    return df.to_dict('records')\n";
        let ws = workspace(&[("app.py", src), REQ]);
        let d = diagnostics(&ws, "DL303");
        assert_eq!(
            d.iter().map(|d| covered(&ws, d)).collect::<Vec<_>>(),
            ["df.to_dict('records')"]
        );
        assert_eq!(d[0].message, "Callback `table` sends all of `df` to the browser on every call: filter or aggregate it first, or paginate");
    }
}
