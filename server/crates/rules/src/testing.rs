//! Test helpers shared by the rule modules: build a workspace from literal files, run the
//! rules, apply fixes and re-check.

use std::path::Path;

use dash_lsp_analysis::fixes::{apply_fixes, with_changes};
use dash_lsp_analysis::python::PythonModule;
use dash_lsp_analysis::{Diagnostic, Workspace};

pub use dash_lsp_analysis::testing::{workspace, DEFAULT_APP};

/// Diagnostics of one rule.
pub(crate) fn diagnostics(ws: &Workspace, code: &str) -> Vec<Diagnostic> {
    super::check(ws)
        .into_iter()
        .filter(|d| d.code == code)
        .collect()
}

pub(crate) fn check_files(files: &[(&str, &str)], code: &str) -> Vec<Diagnostic> {
    diagnostics(&workspace(files), code)
}

/// The text a diagnostic's range covers.
pub(crate) fn covered<'a>(ws: &'a Workspace, d: &Diagnostic) -> &'a str {
    &ws.text(&d.file).expect("diagnostic file has text")[d.range.clone()]
}

/// The text a diagnostic's first related location covers.
pub(crate) fn covered_related<'a>(ws: &'a Workspace, d: &Diagnostic) -> &'a str {
    let r = d.related.first().expect("a related location");
    &ws.text(&r.file).expect("related file has text")[r.range.clone()]
}

/// Applies fix number `fix` of the only `code` diagnostic, asserts that the diagnostic is gone,
/// that changed Python files still parse, and that applying every fix of `code` again changes
/// nothing. Returns the fixed workspace.
pub(crate) fn fix_round_trip(files: &[(&str, &str)], code: &str, fix: usize) -> Workspace {
    let ws = workspace(files);
    let diags = diagnostics(&ws, code);
    assert_eq!(diags.len(), 1, "expected one {code}, got {diags:#?}");
    let chosen = diags[0]
        .fixes
        .get(fix)
        .unwrap_or_else(|| panic!("{code} has no fix #{fix}"));
    let changes = apply_fixes(&ws, &[chosen]);
    assert!(!changes.is_empty(), "the fix changed nothing");
    let fixed = with_changes(&ws, &changes);
    for (path, text) in &changes {
        if Path::new(path).extension().is_some_and(|e| e == "py") {
            assert!(
                !PythonModule::parse(text).has_syntax_errors,
                "{} no longer parses:\n{text}",
                path.display()
            );
        }
    }
    let after = diagnostics(&fixed, code);
    assert!(
        after.is_empty(),
        "{code} still reported after its fix: {after:#?}"
    );
    // Idempotent: nothing left to fix for this rule.
    let again: Vec<_> = after.iter().flat_map(|d| d.fixes.iter()).collect();
    assert!(apply_fixes(&fixed, &again).is_empty());
    fixed
}

pub(crate) fn text<'a>(ws: &'a Workspace, path: &str) -> &'a str {
    ws.text(Path::new(path))
        .unwrap_or_else(|| panic!("{path} missing"))
}
