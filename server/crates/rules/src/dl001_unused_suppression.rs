//! DL001 unused-suppression.

use super::{Fixes, Rule};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
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
