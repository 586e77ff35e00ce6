//! `textDocument/codeAction`: quick fixes and "ignore" comments for the findings under the
//! cursor, and fix-all (`source.fixAll.dash-lsp`). Computed off the runtime on a snapshot.

use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use dash_lsp_analysis::{Diagnostic as Finding, FileEdit};
use dash_lsp_rules as rules;

use super::{blocking, internal, Backend, FIX_ALL_KIND};
use crate::lsp::convert;
use crate::lsp::session::{Analysis, DocumentSnapshot};

/// Most fix-all rounds (a fix can enable another).
const MAX_FIX_ROUNDS: usize = 10;

pub(super) async fn code_action(
    server: &Backend,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    let Some(snapshot) = server.lock().snapshot(&params.text_document.uri) else {
        return Ok(None);
    };
    let only = params.context.only;
    let range = params.range;
    let uri = params.text_document.uri;
    blocking("textDocument/codeAction", move || {
        actions(&snapshot, &uri, range, only.as_deref())
    })
    .await
    .ok_or_else(|| internal("textDocument/codeAction"))
}

/// `codeAction/resolve`: the edit of a fix-all offered without one (its rounds re-check the
/// app: seconds on a large module, so they run only when the user picks the action). Worked
/// out on the document as it is now.
pub(super) async fn resolve(server: &Backend, mut action: CodeAction) -> Result<CodeAction> {
    let uri = action
        .data
        .as_ref()
        .and_then(|d| d.get("uri"))
        .and_then(|u| u.as_str())
        .and_then(|u| u.parse::<Uri>().ok());
    let Some((uri, snapshot)) = uri.and_then(|uri| {
        let snapshot = server.lock().snapshot(&uri)?;
        Some((uri, snapshot))
    }) else {
        return Ok(action);
    };
    let fix_all = [CodeActionKind::from(FIX_ALL_KIND)];
    let resolved = blocking("codeAction/resolve", move || {
        let whole = Range::default();
        actions(&snapshot, &uri, whole, Some(&fix_all))
    })
    .await
    .ok_or_else(|| internal("codeAction/resolve"))?;
    action.edit = resolved.and_then(|actions| {
        actions.into_iter().find_map(|a| match a {
            CodeActionOrCommand::CodeAction(a) => a.edit,
            CodeActionOrCommand::Command(_) => None,
        })
    });
    Ok(action)
}

fn actions(
    snap: &DocumentSnapshot,
    uri: &Uri,
    range: Range,
    only: Option<&[CodeActionKind]>,
) -> Option<Vec<CodeActionOrCommand>> {
    let rel = &snap.rel;
    let fix_all = CodeActionKind::from(FIX_ALL_KIND);
    let asked_for_fix_all = only.is_some_and(|only| only.iter().any(|o| includes(o, &fix_all)));
    // Quick fixes come from the findings already computed for the document's current text
    // (re-checking a large module here took seconds, and the check of the new text is
    // already running: the client asks again when its diagnostics arrive). Only an explicit
    // fix-all (on save) checks the current text itself.
    let analysis = if snap.analysis.ws.text(rel) == snap.ws.text(rel) {
        snap.analysis.clone()
    } else if asked_for_fix_all {
        let diagnostics = rules::check_shared(&snap.ws, &snap.options);
        Arc::new(Analysis {
            ws: snap.ws.clone(),
            diagnostics,
        })
    } else {
        return Some(Vec::new());
    };
    let enc = snap.encoding;
    let source = analysis.ws.source(rel)?;
    let start = convert::offset(source, range.start, enc);
    let end = convert::offset(source, range.end, enc);
    let version_of = |u: &Uri| snap.version_of(u);
    let edit = |edits: &[FileEdit]| {
        convert::workspace_edit(
            &analysis.ws,
            &snap.root,
            edits,
            enc,
            &version_of,
            snap.document_changes,
        )
    };
    let wants =
        |kind: &CodeActionKind| only.is_none_or(|only| only.iter().any(|o| includes(o, kind)));
    let mut actions = Vec::new();
    let in_file: Vec<&Finding> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.file == *rel)
        .map(|d| d.as_ref())
        .collect();
    if wants(&CodeActionKind::QUICKFIX) {
        for d in in_file
            .iter()
            .filter(|d| d.range.start <= end && start <= d.range.end)
        {
            let lsp_diag = convert::diagnostic(&analysis.ws, &snap.root, d, enc, false);
            for fix in &d.fixes {
                let Some(edit) = edit(&fix.edits) else {
                    continue;
                };
                // An unsafe fix changes what the app does: offered, marked, never the
                // editor's preferred (auto-applied) action.
                let title = if fix.is_safe() {
                    format!("{} ({})", fix.message, d.code)
                } else {
                    format!("{} ({}, unsafe)", fix.message, d.code)
                };
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title,
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: lsp_diag.clone().map(|d| vec![d]),
                    edit: Some(edit),
                    is_preferred: Some(fix.preferred && fix.is_safe()),
                    ..Default::default()
                }));
            }
            actions.extend(suppress_action(&analysis, d, lsp_diag, &edit));
        }
    }
    if wants(&fix_all) && in_file.iter().any(|d| d.fix_to_apply(false).is_some()) {
        // Offered in the lightbulb: the edit comes from `codeAction/resolve` if chosen.
        let lazy = snap.resolve_edit && !asked_for_fix_all;
        let (edit, data) = if lazy {
            (None, Some(serde_json::json!({ "uri": uri.as_str() })))
        } else {
            let edits = fix_all_edits(&analysis, snap);
            ((!edits.is_empty()).then(|| edit(&edits)).flatten(), None)
        };
        if edit.is_some() || data.is_some() {
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: "Fix all dash-lsp problems".into(),
                kind: Some(fix_all),
                edit,
                data,
                ..Default::default()
            }));
        }
    }
    Some(actions)
}

/// Whether the kind `asked` (`source`, `source.fixAll`) includes `kind`.
fn includes(asked: &CodeActionKind, kind: &CodeActionKind) -> bool {
    kind.as_str() == asked.as_str()
        || kind
            .as_str()
            .strip_prefix(asked.as_str())
            .is_some_and(|rest| rest.starts_with('.'))
}

/// "Ignore DLxxx for this line" (or "in this file"): a suppression comment, never preferred.
/// None for the suppression rules themselves (their fix is to delete the comment) and where no
/// comment can go.
fn suppress_action(
    analysis: &Analysis,
    d: &Finding,
    lsp_diag: Option<Diagnostic>,
    edit: &dyn Fn(&[FileEdit]) -> Option<WorkspaceEdit>,
) -> Option<CodeActionOrCommand> {
    if d.code.starts_with("DL0") {
        return None;
    }
    let source = analysis.ws.source(&d.file)?;
    let (title, file_edit) =
        rules::suppression::suppress_edit(&d.file, source, d.range.start, d.code)?;
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: lsp_diag.map(|d| vec![d]),
        edit: Some(edit(&[file_edit])?),
        is_preferred: Some(false),
        ..Default::default()
    }))
}

/// The document's safe fixes (ruff's `source.fixAll`), round after round on a copy with the
/// loop the CLI's `--fix` shares, as the edits that turn the original files into the result
/// (whole-file replacements, or creations).
fn fix_all_edits(analysis: &Analysis, snap: &DocumentSnapshot) -> Vec<FileEdit> {
    let in_file = |diags: Vec<Finding>| -> Vec<Finding> {
        diags.into_iter().filter(|d| d.file == snap.rel).collect()
    };
    let findings = analysis
        .diagnostics
        .iter()
        .filter(|d| d.file == snap.rel)
        .map(|d| Finding::clone(d))
        .collect();
    let fixed = rules::fix_until_stable(
        &analysis.ws,
        findings,
        MAX_FIX_ROUNDS,
        |ws| in_file(rules::check_with(ws, &snap.options)),
        |diags| diags.iter().filter_map(|d| d.fix_to_apply(false)).collect(),
    );
    fixed
        .changes
        .keys()
        .filter_map(|f| {
            let new_text = fixed.ws.text(f)?.to_string();
            let file = f.clone();
            Some(match analysis.ws.text(f) {
                Some(old) => FileEdit::Replace {
                    file,
                    range: 0..old.len(),
                    new_text,
                },
                None => FileEdit::Create {
                    file,
                    text: new_text,
                },
            })
        })
        .collect()
}
