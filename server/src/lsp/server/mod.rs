//! The protocol front: `Backend` and its `LanguageServer` methods, each in the file of its
//! group. Every handler is short: what is slow runs in `spawn_blocking` or in a scheduled
//! background task (`super::schedule`).

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, ClientSocket, LanguageServer, LspService};

use super::progress;
use super::schedule::Scheduler;
use super::session::Session;

mod code_action;
mod commands;
mod initialize;
mod navigation;
mod symbols;
mod text_document;
mod workspace;

/// The code action kind of "fix all dash-lsp problems in this file".
pub(crate) const FIX_ALL_KIND: &str = "source.fixAll.dash-lsp";
/// `workspace/executeCommand`: the callback graph of the app owning a document (argument
/// `{"uri": ..., "format": "svg" | "json" | "mermaid" | "dot"}`; default svg), computed on the
/// server's current view (unsaved edits included). Answers `{"format", "content"}`.
pub(crate) const CALLBACK_GRAPH_COMMAND: &str = "dash-lsp.callbackGraph";

/// The server: the client, the session, and the background work. Cloned into background
/// tasks (every field is shared).
#[derive(Clone)]
pub(crate) struct Backend {
    pub(crate) client: Client,
    session: Arc<Mutex<Session>>,
    /// Serialises publishing so a slower, older analysis never overwrites a newer one.
    pub(crate) publish: Arc<tokio::sync::Mutex<()>>,
    /// Whether the client takes `$/progress` for the start-up scan.
    pub(crate) progress: Arc<progress::Support>,
    pub(crate) scheduler: Scheduler,
    /// Holds checks in flight for the in-process tests.
    #[cfg(test)]
    pub(crate) gate: Arc<super::tests::Gate>,
}

/// The service with dash-lsp's own methods.
pub(crate) fn service() -> (LspService<Backend>, ClientSocket) {
    LspService::build(Backend::new)
        .custom_method("dash-lsp/documentText", Backend::document_text)
        .custom_method("dash-lsp/debugPanic", Backend::debug_panic)
        .finish()
}

impl Backend {
    fn new(client: Client) -> Backend {
        Backend {
            client,
            session: Arc::default(),
            publish: Arc::default(),
            progress: Arc::default(),
            scheduler: Scheduler::default(),
            #[cfg(test)]
            gate: Arc::default(),
        }
    }

    /// The session, even if a panicking handler poisoned the lock (the state is only ever
    /// mutated in small steps that leave it consistent).
    pub(crate) fn lock(&self) -> MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs a synchronous step, turning a panic into a logged error instead of a dead server.
    pub(crate) fn guarded<T>(&self, what: &str, f: impl FnOnce() -> T) -> Option<T> {
        guarded(what, f)
    }

    /// After `exit`: running checks stop at their next step and nothing new starts.
    pub(crate) fn stop_background_work(&self) {
        self.scheduler.stop();
        self.lock().cancel_checks();
    }

    /// Whether `shutdown` came before `exit`.
    pub(crate) fn was_shut_down(&self) -> bool {
        self.lock().shutdown
    }
}

/// Runs a synchronous step, turning a panic into a logged error (usable inside
/// `spawn_blocking`, where there is no `Backend`).
pub(crate) fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> Option<T> {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => Some(v),
        Err(panic) => {
            tracing::error!("panic in {what}: {}", panic_message(&panic));
            None
        }
    }
}

/// Runs `f` on the blocking pool (a check, a fix, a disk read: never on the async runtime),
/// a panic in it logged and turned into `None`.
pub(crate) async fn blocking<T: Send + 'static>(
    what: &'static str,
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    match tokio::task::spawn_blocking(move || guarded(what, f)).await {
        Ok(v) => v,
        Err(err) => {
            tracing::error!("{what} failed: {err}");
            None
        }
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

pub(crate) fn internal(what: &str) -> Error {
    let mut e = Error::internal_error();
    e.message = format!("dash-lsp: internal error in {what} (logged)").into();
    e
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        initialize::initialize(self, params)
    }

    async fn initialized(&self, _: InitializedParams) {
        initialize::initialized(self);
    }

    async fn shutdown(&self) -> Result<()> {
        self.lock().shutdown = true;
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        text_document::did_open(self, params).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        text_document::did_change(self, params).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        text_document::did_close(self, params);
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        workspace::did_change_configuration(self, params).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        workspace::did_change_watched_files(self, params);
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        workspace::did_change_workspace_folders(self, params).await;
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        navigation::definition(self, params).await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        navigation::references(self, params).await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        navigation::prepare_rename(self, params).await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        navigation::rename(self, params).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        navigation::hover(self, params).await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        commands::execute_command(self, params).await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        symbols::code_lens(self, params).await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        symbols::document_symbol(self, params).await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        symbols::completion(self, params).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        code_action::code_action(self, params).await
    }

    async fn code_action_resolve(&self, action: CodeAction) -> Result<CodeAction> {
        code_action::resolve(self, action).await
    }
}
