//! `definition`, `references`, `prepareRename`, `rename`, `hover`: answered from a snapshot of
//! the document's folder, off the runtime (a model may need parsing).

use std::path::Path;

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use dash_lsp_analysis::navigation::{self, Place};
use dash_lsp_analysis::{deploy_nav, FileEdit};
use dash_lsp_rules as rules;

use super::{blocking, internal, Backend};
use crate::lsp::convert;
use crate::lsp::session::DocumentSnapshot;

/// Runs `answer` on a snapshot of `uri`'s folder and the offset of `position` in it, off the
/// runtime. `Ok(None)` for a document in no folder; an internal error if `answer` panicked.
pub(super) async fn on_snapshot<T: Send + 'static>(
    server: &Backend,
    method: &'static str,
    uri: &Uri,
    position: Option<Position>,
    answer: impl FnOnce(&DocumentSnapshot, usize) -> Option<T> + Send + 'static,
) -> Result<Option<T>> {
    let Some(snapshot) = server.lock().snapshot(uri) else {
        return Ok(None);
    };
    blocking(method, move || {
        let offset = match position {
            Some(p) => snapshot.offset(p)?,
            None => 0,
        };
        answer(&snapshot, offset)
    })
    .await
    .ok_or_else(|| internal(method))
}

fn locations(snapshot: &DocumentSnapshot, places: &[Place]) -> Vec<Location> {
    places
        .iter()
        .filter_map(|p| {
            Some(Location {
                uri: convert::uri(&snapshot.root, &p.file)?,
                range: convert::range(snapshot.ws.source(&p.file)?, &p.range, snapshot.encoding),
            })
        })
        .collect()
}

pub(super) async fn definition(
    server: &Backend,
    params: GotoDefinitionParams,
) -> Result<Option<GotoDefinitionResponse>> {
    let p = params.text_document_position_params;
    on_snapshot(
        server,
        "textDocument/definition",
        &p.text_document.uri,
        Some(p.position),
        |snap, offset| {
            let mut places = navigation::definition(&snap.ws, &snap.rel, offset);
            if places.is_empty() {
                places = deploy_nav::definition(&snap.ws, &snap.rel, offset);
            }
            let locations = locations(snap, &places);
            (!locations.is_empty()).then_some(GotoDefinitionResponse::Array(locations))
        },
    )
    .await
}

pub(super) async fn references(
    server: &Backend,
    params: ReferenceParams,
) -> Result<Option<Vec<Location>>> {
    let p = params.text_document_position;
    let declarations = params.context.include_declaration;
    on_snapshot(
        server,
        "textDocument/references",
        &p.text_document.uri,
        Some(p.position),
        move |snap, offset| {
            let (_, places) = navigation::references(&snap.ws, &snap.rel, offset, declarations)?;
            Some(locations(snap, &places))
        },
    )
    .await
}

pub(super) async fn prepare_rename(
    server: &Backend,
    params: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>> {
    on_snapshot(
        server,
        "textDocument/prepareRename",
        &params.text_document.uri,
        Some(params.position),
        |snap, offset| {
            let (at, _) = navigation::references(&snap.ws, &snap.rel, offset, true)?;
            // The id inside the quotes.
            let inner = at.start + 1..at.end.saturating_sub(1).max(at.start + 1);
            Some(PrepareRenameResponse::Range(convert::range(
                snap.ws.source(&snap.rel)?,
                &inner,
                snap.encoding,
            )))
        },
    )
    .await
}

pub(super) async fn rename(
    server: &Backend,
    params: RenameParams,
) -> Result<Option<WorkspaceEdit>> {
    let p = params.text_document_position;
    let new_name = params.new_name;
    if new_name.is_empty() || new_name.contains(['\n', '\r']) {
        return Err(Error::invalid_params(
            "a component id must be a non-empty single line",
        ));
    }
    on_snapshot(
        server,
        "textDocument/rename",
        &p.text_document.uri,
        Some(p.position),
        move |snap, offset| {
            let (_, places) = navigation::references(&snap.ws, &snap.rel, offset, true)?;
            let edits: Vec<FileEdit> = places
                .iter()
                .filter_map(|place| {
                    let original = snap.ws.text(&place.file)?.get(place.range.clone())?;
                    Some(FileEdit::Replace {
                        file: place.file.clone(),
                        range: place.range.clone(),
                        new_text: dash_lsp_syntax::string_literal_like(original, &new_name),
                    })
                })
                .collect();
            convert::workspace_edit(
                &snap.ws,
                &snap.root,
                &edits,
                snap.encoding,
                &|u| snap.version_of(u),
                snap.document_changes,
            )
        },
    )
    .await
}

pub(super) async fn hover(server: &Backend, params: HoverParams) -> Result<Option<Hover>> {
    let p = params.text_document_position_params;
    on_snapshot(
        server,
        "textDocument/hover",
        &p.text_document.uri,
        Some(p.position),
        |snap, offset| {
            let navigation = navigation::hover(&snap.ws, &snap.rel, offset)
                .or_else(|| deploy_nav::hover(&snap.ws, &snap.rel, offset));
            let rule_docs = rule_docs_at(snap, &snap.rel, offset);
            let (range, markdown) = match (navigation, rule_docs) {
                (Some((range, nav)), Some((_, docs))) => (range, format!("{nav}\n\n---\n\n{docs}")),
                (Some(found), None) | (None, Some(found)) => found,
                (None, None) => return None,
            };
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: markdown,
                }),
                range: Some(convert::range(
                    snap.ws.source(&snap.rel)?,
                    &range,
                    snap.encoding,
                )),
            })
        },
    )
    .await
}

/// The documentation of the rules whose published diagnostics cover `offset` of `rel`
/// (hover on a diagnostic), with the range of the first.
fn rule_docs_at(
    snap: &DocumentSnapshot,
    rel: &Path,
    offset: usize,
) -> Option<(std::ops::Range<usize>, String)> {
    // Stale diagnostics would point at moved text.
    if snap.analysis.ws.text(rel) != snap.ws.text(rel) {
        return None;
    }
    let mut range = None;
    let mut seen = Vec::new();
    for d in &snap.analysis.diagnostics {
        // An empty range (a whole-file finding at 0..0) still answers at its position.
        if d.file != rel || offset < d.range.start || offset > d.range.end {
            continue;
        }
        let Some(rule) = rules::rule(d.code) else {
            continue;
        };
        range.get_or_insert(d.range.clone());
        if !seen.iter().any(|r: &&rules::Rule| r.code == rule.code) {
            seen.push(rule);
        }
    }
    let docs: Vec<String> = seen.iter().map(|r| rules::markdown(r)).collect();
    Some((range?, docs.join("\n\n---\n\n")))
}
