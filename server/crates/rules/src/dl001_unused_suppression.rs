//! DL001 unused-suppression.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::registry::rule;
use crate::suppression::{self, FileSuppressions};
use crate::{Fixes, Rule};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, Fix, Severity, Workspace};

pub(crate) const RULE: Rule = Rule {
    code: "DL001",
    name: "unused-suppression",
    severity: Severity::Hint,
    doc: r#"A suppression comment (`# noqa: DL301`, `# dash-lsp: ignore DL108`) names a code that
suppresses nothing on its line (or file), or a code that is not a dash-lsp rule. Stale
suppressions hide the next real problem. Codes of other tools (`# noqa: E501`) and bare
`# noqa` are left alone.

**Fix.** Remove the code from the comment.
"#,
    check,
    fixes: Fixes::Safe,
};

/// Reported by the suppression pass of the engine, not per app.
fn check(_: &App, _: &mut Vec<Diagnostic>) {}

/// The suppression comments' codes that suppressed nothing (`used` holds the file, line -
/// `None` for the file-level comment - and code of each that did) or that are no dash-lsp
/// code, with a fix removing the code. Codes of rules `enabled` turns off at the file are not
/// reported: their findings were dropped, not absent.
pub(crate) fn unused(
    ws: &Workspace,
    parsed: &BTreeMap<PathBuf, FileSuppressions>,
    used: &BTreeSet<(PathBuf, Option<usize>, String)>,
    enabled: &dyn Fn(&Path, &str) -> bool,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (file, s) in parsed {
        let file_codes: Vec<(String, std::ops::Range<usize>)> = match &s.file {
            Some(suppression::Codes::Some(codes)) => codes.clone(),
            _ => Vec::new(),
        };
        for (line, codes) in &s.lines {
            let suppression::Codes::Some(codes) = codes else {
                continue;
            };
            for (code, range) in codes {
                // Other tools' codes (`E501`) are not ours to judge.
                if !code.starts_with("DL") {
                    continue;
                }
                let file_level = file_codes.iter().any(|(_, r)| r == range);
                let was_used = used.contains(&(file.clone(), Some(*line), code.clone()))
                    || (file_level && used.contains(&(file.clone(), None, code.clone())));
                let message = if rule(code).is_none() {
                    format!("`{code}` is not a dash-lsp rule code")
                } else if was_used || !enabled(file, code) {
                    continue;
                } else {
                    format!("Unused suppression: no `{code}` is reported here")
                };
                if enabled(file, RULE.code) {
                    let mut d = RULE.diagnostic(file, range.clone(), message);
                    let at = codes.iter().position(|(_, r)| r == range);
                    let edit = ws.text(file).zip(at).and_then(|(text, at)| {
                        suppression::remove_code_edit(file, text, codes, at)
                    });
                    if let Some(edit) = edit {
                        let title = format!("Remove `{code}` from the suppression");
                        d = d.with_fix(Fix::preferred(title, vec![edit]));
                    }
                    out.push(d);
                }
            }
        }
    }
    out
}
