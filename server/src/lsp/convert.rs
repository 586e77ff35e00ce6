//! Converting between the analysis (byte offsets, relative paths) and the protocol (positions
//! in the negotiated encoding, URIs). Happens once, here, at the edge.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde_json::json;
use tower_lsp_server::ls_types::{
    self as lsp, CreateFile, CreateFileOptions, DiagnosticRelatedInformation, DiagnosticSeverity,
    DocumentChangeOperation, DocumentChanges, Location, NumberOrString, OneOf,
    OptionalVersionedTextDocumentIdentifier, ResourceOp, TextDocumentEdit, TextEdit, Uri,
    WorkspaceEdit,
};

use dash_lsp_analysis::workspace::SourceFile;
use dash_lsp_analysis::{Diagnostic, FileEdit, Severity, Workspace};
use dash_lsp_syntax::text::{Encoding, LineCol};

pub fn position(source: &SourceFile, offset: usize, enc: Encoding) -> lsp::Position {
    let lc = source.line_index().to_line_col(source.text(), offset, enc);
    lsp::Position {
        line: lc.line,
        character: lc.col,
    }
}

pub fn range(source: &SourceFile, r: &Range<usize>, enc: Encoding) -> lsp::Range {
    lsp::Range {
        start: position(source, r.start, enc),
        end: position(source, r.end, enc),
    }
}

pub fn offset(source: &SourceFile, pos: lsp::Position, enc: Encoding) -> usize {
    source.line_index().to_offset(
        source.text(),
        LineCol {
            line: pos.line,
            col: pos.character,
        },
        enc,
    )
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

pub fn uri(root: &Path, rel: &Path) -> Option<Uri> {
    Uri::from_file_path(root.join(rel))
}

/// The file path of a URI, lexically normalised (`a/./b/../c` is `a/c`): one file is one
/// path however the client spells it, and `..` never climbs out of a folder unnoticed.
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| normalize(&p))
}

/// `.` and `..` resolved without touching the disk (no symlinks followed); `..` at the root
/// stays at the root.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    out
}

/// The URI a document is known by: the client's own unless its path is not normalised, then
/// the URI of the normalised path (so `ws/data/../app.py` and `ws/app.py` are one document).
pub(crate) fn document_uri(uri: &Uri) -> Uri {
    let Some(raw) = uri.to_file_path() else {
        return uri.clone();
    };
    let normal = normalize(&raw);
    if normal.as_path() == &*raw {
        return uri.clone();
    }
    Uri::from_file_path(normal).unwrap_or_else(|| uri.clone())
}

/// The protocol form of a diagnostic. `data` carries the rule name.
pub fn diagnostic(
    ws: &Workspace,
    root: &Path,
    d: &Diagnostic,
    enc: Encoding,
    related_info: bool,
) -> Option<lsp::Diagnostic> {
    // A diagnostic on a file that is not text (a large data file) sits at its start.
    let lsp_range = match ws.source(&d.file) {
        Some(source) => range(source, &d.range, enc),
        None if ws.exists(&d.file) => lsp::Range::default(),
        None => return None,
    };
    let related = related_info.then(|| {
        d.related
            .iter()
            .filter_map(|r| {
                let target = ws.source(&r.file)?;
                Some(DiagnosticRelatedInformation {
                    location: Location {
                        uri: uri(root, &r.file)?,
                        range: range(target, &r.range, enc),
                    },
                    message: r.message.clone(),
                })
            })
            .collect::<Vec<_>>()
    });
    Some(lsp::Diagnostic {
        range: lsp_range,
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.to_string())),
        source: Some("dash-lsp".to_string()),
        message: d.message.clone(),
        related_information: related.filter(|r| !r.is_empty()),
        data: Some(json!({ "rule": d.name })),
        code_description: dash_lsp_rules::rule(d.code).and_then(|rule| {
            Some(lsp::CodeDescription {
                href: dash_lsp_rules::doc_url(rule).parse().ok()?,
            })
        }),
        ..Default::default()
    })
}

/// A workspace edit for a fix's edits. Files are grouped in one `TextDocumentEdit` each,
/// versioned when open; created files use `CreateFile` + an insertion. Without
/// `documentChanges` support a fix that creates a file cannot be expressed: `None`.
pub fn workspace_edit(
    ws: &Workspace,
    root: &Path,
    edits: &[FileEdit],
    enc: Encoding,
    version_of: &dyn Fn(&Uri) -> Option<i32>,
    document_changes: bool,
) -> Option<WorkspaceEdit> {
    let mut grouped: BTreeMap<PathBuf, Vec<TextEdit>> = BTreeMap::new();
    let mut created: Vec<(PathBuf, String)> = Vec::new();
    for edit in edits {
        match edit {
            FileEdit::Replace {
                file,
                range: r,
                new_text,
            } => {
                let source = ws.source(file)?;
                grouped.entry(file.clone()).or_default().push(TextEdit {
                    range: range(source, r, enc),
                    new_text: new_text.clone(),
                });
            }
            FileEdit::Create { file, text } => created.push((file.clone(), text.clone())),
        }
    }
    if !document_changes {
        if !created.is_empty() {
            return None;
        }
        let mut changes = std::collections::HashMap::new();
        for (file, edits) in grouped {
            changes.insert(uri(root, &file)?, edits);
        }
        return Some(WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        });
    }
    let mut ops: Vec<DocumentChangeOperation> = Vec::new();
    for (file, text) in created {
        let uri = uri(root, &file)?;
        ops.push(DocumentChangeOperation::Op(ResourceOp::Create(
            CreateFile {
                uri: uri.clone(),
                options: Some(CreateFileOptions {
                    overwrite: Some(false),
                    ignore_if_exists: Some(true),
                }),
                annotation_id: None,
            },
        )));
        let zero = lsp::Position {
            line: 0,
            character: 0,
        };
        ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
            edits: vec![OneOf::Left(TextEdit {
                range: lsp::Range {
                    start: zero,
                    end: zero,
                },
                new_text: text,
            })],
        }));
    }
    for (file, edits) in grouped {
        let uri = uri(root, &file)?;
        let version = version_of(&uri);
        ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri, version },
            edits: edits.into_iter().map(OneOf::Left).collect(),
        }));
    }
    Some(WorkspaceEdit {
        document_changes: Some(DocumentChanges::Operations(ops)),
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_lexically() {
        assert_eq!(
            normalize(Path::new("/ws/data/../app.py")),
            Path::new("/ws/app.py")
        );
        assert_eq!(normalize(Path::new("/ws/./a/.././b")), Path::new("/ws/b"));
        assert_eq!(normalize(Path::new("/../../x.py")), Path::new("/x.py"));
        let uri: Uri = "file:///ws/data/%2e%2e/app.py".parse().unwrap();
        assert_eq!(path_of(&uri).unwrap(), Path::new("/ws/app.py"));
        assert_eq!(document_uri(&uri).as_str(), "file:///ws/app.py");
        let plain: Uri = "file:///ws/a%20b.py".parse().unwrap();
        assert_eq!(document_uri(&plain), plain);
    }
}
