//! `workspace/executeCommand` (the callback graph) and dash-lsp's own methods
//! (`dash-lsp/documentText`, `dash-lsp/debugPanic`).

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use dash_lsp_render::GraphFormat;

use super::{blocking, internal, Backend, CALLBACK_GRAPH_COMMAND};
use crate::lsp::convert;

pub(super) async fn execute_command(
    server: &Backend,
    params: ExecuteCommandParams,
) -> Result<Option<Value>> {
    if params.command != CALLBACK_GRAPH_COMMAND {
        return Err(Error::invalid_params(format!(
            "unknown command `{}` (known: {CALLBACK_GRAPH_COMMAND})",
            params.command
        )));
    }
    #[derive(Deserialize, Default)]
    struct GraphArgs {
        uri: Option<Uri>,
        format: Option<String>,
    }
    let args: GraphArgs = match params.arguments.first() {
        None | Some(Value::Null) => GraphArgs::default(),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| {
            Error::invalid_params(format!("{CALLBACK_GRAPH_COMMAND}: bad argument: {e}"))
        })?,
    };
    let (format, name) = match args.format.as_deref().unwrap_or("svg") {
        "svg" => (GraphFormat::Svg, "svg"),
        "json" => (GraphFormat::Json, "json"),
        "mermaid" => (GraphFormat::Mermaid, "mermaid"),
        "dot" => (GraphFormat::Dot, "dot"),
        other => {
            return Err(Error::invalid_params(format!(
                "{CALLBACK_GRAPH_COMMAND}: unknown format `{other}` (svg, json, mermaid, dot)"
            )))
        }
    };
    // The folder of the document (or the first folder), and the document's path in it.
    let target = {
        let s = server.lock();
        let located = args
            .uri
            .as_ref()
            .and_then(convert::path_of)
            .and_then(|p| s.locate(&p));
        match located {
            Some((key, rel)) => s
                .folder(&key)
                .map(|f| (f.root.clone(), f.ws.clone(), Some(rel))),
            None if args.uri.is_none() => s
                .folders()
                .next()
                .map(|(_, f)| (f.root.clone(), f.ws.clone(), None)),
            None => None,
        }
    };
    let Some((root, ws, rel)) = target else {
        return Err(Error::invalid_params(format!(
            "{CALLBACK_GRAPH_COMMAND}: the document is not in a workspace folder"
        )));
    };
    let title = root.file_name().map(|n| n.to_string_lossy().into_owned());
    let rendered = blocking(CALLBACK_GRAPH_COMMAND, move || {
        dash_lsp_render::render_apps(format, Path::new(""), &ws, rel.as_deref(), title.as_deref())
    })
    .await
    .ok_or_else(|| internal(CALLBACK_GRAPH_COMMAND))?;
    tracing::info!("callback graph of {} ({name})", root.display());
    Ok(Some(
        serde_json::json!({"format": name, "content": rendered}),
    ))
}

#[derive(Deserialize)]
pub(crate) struct DocumentTextParams {
    uri: Uri,
}

#[derive(Serialize)]
pub(crate) struct DocumentTextResult {
    text: String,
    version: i32,
}

impl Backend {
    /// `dash-lsp/documentText`: the server's copy of an open document (used by the
    /// edit-integrity tests to compare with the client's).
    pub(super) async fn document_text(
        &self,
        params: DocumentTextParams,
    ) -> Result<Option<DocumentTextResult>> {
        let s = self.lock();
        Ok(s.docs
            .get(&convert::document_uri(&params.uri))
            .map(|d| DocumentTextResult {
                text: d.text(),
                version: d.version,
            }))
    }

    /// `dash-lsp/debugPanic`: panics inside a request handler, to prove the server survives
    /// it. Only with `DASH_LSP_DEBUG_PANIC=1` in the server's environment.
    pub(super) async fn debug_panic(&self, _params: Value) -> Result<Value> {
        if std::env::var_os("DASH_LSP_DEBUG_PANIC").is_none() {
            return Err(Error::method_not_found());
        }
        self.guarded("dash-lsp/debugPanic", || {
            panic!("requested by dash-lsp/debugPanic")
        })
        .ok_or_else(|| internal("dash-lsp/debugPanic"))
    }
}
