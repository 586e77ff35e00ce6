//! `initialize` (what the client supports, decided once), `initialized` (registrations, the
//! start-up scan) and the editor's settings (`workspace/configuration`).

use std::path::PathBuf;

use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use dash_lsp_analysis::settings::Settings;
use dash_lsp_rules as rules;
use dash_lsp_syntax::text::Encoding;

use super::{Backend, CALLBACK_GRAPH_COMMAND, FIX_ALL_KIND};
use crate::lsp::convert;

pub(super) fn initialize(server: &Backend, params: InitializeParams) -> Result<InitializeResult> {
    let utf8 = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref())
        .is_some_and(|encs| encs.contains(&PositionEncodingKind::UTF8));
    let snippets = params
        .capabilities
        .text_document
        .as_ref()
        .and_then(|t| t.completion.as_ref())
        .and_then(|c| c.completion_item.as_ref())
        .and_then(|i| i.snippet_support)
        .unwrap_or(false);
    let document_changes = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.workspace_edit.as_ref())
        .and_then(|e| e.document_changes)
        .unwrap_or(false);
    let resolve_edit = params
        .capabilities
        .text_document
        .as_ref()
        .and_then(|t| t.code_action.as_ref())
        .and_then(|c| c.resolve_support.as_ref())
        .is_some_and(|r| r.properties.iter().any(|p| p == "edit"));
    let related = params
        .capabilities
        .text_document
        .as_ref()
        .and_then(|t| t.publish_diagnostics.as_ref())
        .and_then(|p| p.related_information)
        .unwrap_or(false);
    server.progress.set(
        params
            .capabilities
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false),
    );
    let configuration_pull = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.configuration)
        .unwrap_or(false);
    let (init_settings, problems) = params
        .initialization_options
        .as_ref()
        .map(|value| Settings::from_json(value, rules::codes()))
        .unwrap_or_default();
    let mut roots: Vec<PathBuf> = params
        .workspace_folders
        .unwrap_or_default()
        .iter()
        .filter_map(|f| convert::path_of(&f.uri))
        .collect();
    #[allow(deprecated)]
    if roots.is_empty() {
        roots.extend(params.root_uri.as_ref().and_then(convert::path_of));
    }
    {
        let mut s = server.lock();
        s.encoding = if utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        s.document_changes = document_changes;
        s.resolve_edit = resolve_edit;
        s.related_information = related;
        s.configuration_pull = configuration_pull;
        s.snippets = snippets;
        s.init_settings = init_settings;
        s.init_problems = problems;
        for root in roots {
            s.add_folder(root);
        }
    }
    Ok(InitializeResult {
        server_info: Some(ServerInfo {
            name: "dash-lsp".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        capabilities: ServerCapabilities {
            position_encoding: Some(if utf8 {
                PositionEncodingKind::UTF8
            } else {
                PositionEncodingKind::UTF16
            }),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    // No `didSave`: an open document's text is already known from
                    // `didChange`, and disk changes arrive as watched-file events.
                    ..Default::default()
                },
            )),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::from(FIX_ALL_KIND),
                ]),
                // Fix-all's edit, worked out only when chosen (clients that can resolve it).
                resolve_provider: Some(true),
                ..Default::default()
            })),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            rename_provider: Some(OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: Default::default(),
            })),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            code_lens_provider: Some(CodeLensOptions {
                resolve_provider: Some(false),
            }),
            document_symbol_provider: Some(OneOf::Left(true)),
            execute_command_provider: Some(ExecuteCommandOptions {
                commands: vec![CALLBACK_GRAPH_COMMAND.into()],
                work_done_progress_options: Default::default(),
            }),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec!["-".into()]),
                resolve_provider: Some(false),
                ..Default::default()
            }),
            workspace: Some(WorkspaceServerCapabilities {
                workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                    supported: Some(true),
                    change_notifications: Some(OneOf::Left(true)),
                }),
                file_operations: None,
            }),
            ..Default::default()
        },
        offset_encoding: None,
    })
}

/// The client is ready: the rest of the start-up runs as a background task (requests are
/// answered, and `exit` honoured, while a large workspace is read and checked).
pub(super) fn initialized(server: &Backend) {
    server.scheduler.spawn(start(server.clone()));
}

/// Settings problems, the editor's settings, the watched files, then the scan of every folder.
async fn start(server: Backend) {
    let server = &server;
    let init_problems = std::mem::take(&mut server.lock().init_problems);
    report_settings_problems(server, "initializationOptions", &init_problems).await;
    pull_configuration(server).await;
    let registration = Registration {
        id: "dash-lsp-watched-files".into(),
        method: "workspace/didChangeWatchedFiles".into(),
        register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
            watchers: [
                "**/*.py",
                "**/Procfile",
                "**/*.txt",
                "**/*.sh",
                "**/CHECKS",
                "**/.python-version",
                "**/.gitignore",
                "**/pyproject.toml",
                "**/dash-lsp.toml",
                // Deploy descriptors that give the start command.
                "**/Dockerfile",
                "**/render.{yaml,yml}",
                "**/fly.toml",
                "**/{docker-compose,compose}.{yaml,yml}",
                // Any other file: data files the rules look for (DL205), `*.in`.
                "**/*",
            ]
            .iter()
            .map(|g| FileSystemWatcher {
                glob_pattern: GlobPattern::String(g.to_string()),
                kind: None,
            })
            .collect(),
        })
        .ok(),
    };
    // A client that does not support dynamic registration answers with an error; the
    // server then works from open documents and its start-up scan.
    let client = server.client.clone();
    tokio::spawn(async move {
        if let Err(err) = client.register_capability(vec![registration]).await {
            tracing::info!("watched files not registered: {err}");
        }
    });
    let folders = server.lock().keys();
    for folder in folders {
        server.scan(folder).await;
    }
}

/// Asks the client for the `dash-lsp` section (when it can answer) and installs it.
pub(super) async fn pull_configuration(server: &Backend) {
    if !server.lock().configuration_pull {
        return;
    }
    let item = ConfigurationItem {
        scope_uri: None,
        section: Some("dash-lsp".into()),
    };
    match server.client.configuration(vec![item]).await {
        Ok(values) => {
            let value = values.into_iter().next().unwrap_or(Value::Null);
            set_client_settings(server, &value, "workspace/configuration").await;
        }
        Err(err) => tracing::info!("workspace/configuration failed: {err}"),
    }
}

pub(super) async fn set_client_settings(server: &Backend, value: &Value, from: &str) {
    let (settings, problems) = Settings::from_json(value, rules::codes());
    server.lock().client_settings = settings;
    report_settings_problems(server, from, &problems).await;
}

/// Bad editor settings are shown to the user (they have no file to underline).
async fn report_settings_problems(server: &Backend, from: &str, problems: &[String]) {
    if problems.is_empty() {
        return;
    }
    let message = format!(
        "dash-lsp: invalid settings ({from}): {}",
        problems.join("; ")
    );
    server
        .client
        .log_message(MessageType::WARNING, message.clone())
        .await;
    server
        .client
        .show_message(MessageType::WARNING, message)
        .await;
}
