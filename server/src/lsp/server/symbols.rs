//! `codeLens`, `documentSymbol`, `completion`: answered from a snapshot of the document's
//! folder, off the runtime.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use dash_lsp_analysis::{deploy_nav, navigation};

use super::navigation::on_snapshot;
use super::Backend;
use crate::lsp::convert;

pub(super) async fn code_lens(
    server: &Backend,
    params: CodeLensParams,
) -> Result<Option<Vec<CodeLens>>> {
    on_snapshot(
        server,
        "textDocument/codeLens",
        &params.text_document.uri,
        None,
        |snap, _| {
            let source = snap.ws.source(&snap.rel)?;
            let lenses = navigation::code_lenses(&snap.ws, &snap.rel)
                .into_iter()
                .map(|(range, title)| {
                    // The lens sits on the callback's first line.
                    let start = convert::position(source, range.start, snap.encoding);
                    CodeLens {
                        range: Range { start, end: start },
                        command: Some(Command {
                            title,
                            command: String::new(),
                            arguments: None,
                        }),
                        data: None,
                    }
                })
                .collect();
            Some(lenses)
        },
    )
    .await
}

pub(super) async fn document_symbol(
    server: &Backend,
    params: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>> {
    on_snapshot(
        server,
        "textDocument/documentSymbol",
        &params.text_document.uri,
        None,
        |snap, _| {
            let source = snap.ws.source(&snap.rel)?;
            let enc = snap.encoding;
            #[allow(deprecated)]
            let symbols = deploy_nav::symbols(&snap.ws, &snap.rel)
                .into_iter()
                .map(|s| DocumentSymbol {
                    name: s.name,
                    detail: s.detail,
                    kind: match s.kind {
                        deploy_nav::SymbolKind::Process => SymbolKind::FUNCTION,
                        deploy_nav::SymbolKind::Package => SymbolKind::PACKAGE,
                        deploy_nav::SymbolKind::Include => SymbolKind::FILE,
                        deploy_nav::SymbolKind::Setting => SymbolKind::PROPERTY,
                        deploy_nav::SymbolKind::Check => SymbolKind::EVENT,
                    },
                    tags: None,
                    deprecated: None,
                    range: convert::range(source, &s.range, enc),
                    selection_range: convert::range(source, &s.selection, enc),
                    children: None,
                })
                .collect();
            Some(DocumentSymbolResponse::Nested(symbols))
        },
    )
    .await
}

pub(super) async fn completion(
    server: &Backend,
    params: CompletionParams,
) -> Result<Option<CompletionResponse>> {
    let p = params.text_document_position;
    let snippets = server.lock().snippets;
    on_snapshot(
        server,
        "textDocument/completion",
        &p.text_document.uri,
        Some(p.position),
        move |snap, offset| {
            let (range, options) = deploy_nav::completions(&snap.ws, &snap.rel, offset)?;
            let range = convert::range(snap.ws.source(&snap.rel)?, &range, snap.encoding);
            let items = options
                .into_iter()
                .map(|o| {
                    // Without snippet support: the option alone, the user types the value.
                    let (text, format) = if snippets {
                        (o.insert.to_string(), InsertTextFormat::SNIPPET)
                    } else {
                        (o.label.to_string(), InsertTextFormat::PLAIN_TEXT)
                    };
                    CompletionItem {
                        label: o.label.into(),
                        kind: Some(CompletionItemKind::PROPERTY),
                        detail: Some(o.detail.into()),
                        insert_text_format: Some(format),
                        text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                            range,
                            new_text: text,
                        })),
                        ..Default::default()
                    }
                })
                .collect();
            Some(CompletionResponse::Array(items))
        },
    )
    .await
}
