//! What the rules produce: diagnostics with their fixes, in byte ranges of workspace files.

use std::ops::Range;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One edit of a fix. Paths are relative to the workspace root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileEdit {
    /// Replace a byte range of an existing file.
    Replace {
        file: PathBuf,
        range: Range<usize>,
        new_text: String,
    },
    /// Create a file that does not exist yet, with this content.
    Create { file: PathBuf, text: String },
}

impl FileEdit {
    pub(crate) fn file(&self) -> &PathBuf {
        match self {
            FileEdit::Replace { file, .. } | FileEdit::Create { file, .. } => file,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub message: String,
    pub edits: Vec<FileEdit>,
    /// The fix `--fix` and "fix all" apply. A diagnostic offers at most one preferred fix;
    /// alternatives (several candidate targets) are offered but never applied blindly.
    pub preferred: bool,
    pub applicability: Applicability,
    /// Set when the fix adds a requirement for something the app needs: another fix of the
    /// same round may already add a distribution that brings it (issue 16).
    pub adds_requirement: Option<AddedRequirement>,
}

/// A requirement line a fix appends, and what it is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddedRequirement {
    /// The normalised distribution the fix adds.
    pub dist: String,
    /// What the finding needs installed: an import's top-level name or a distribution.
    pub needs: String,
    /// The files pip installs for the app (the edited file and its `-r` chain): an addition
    /// to any of them serves this app too.
    pub installs_from: Vec<PathBuf>,
}

/// Whether applying a fix keeps what the app does (RULES.md rev 2, as ruff has it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the app's behaviour: `--fix` and the editor's fix-all apply it.
    Safe,
    /// Changes what runs (reads a setting from the environment, another start command):
    /// offered as a quick fix, applied only with `--fix --unsafe-fixes`.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

impl Fix {
    pub fn preferred(message: impl Into<String>, edits: Vec<FileEdit>) -> Self {
        Fix {
            message: message.into(),
            edits,
            preferred: true,
            applicability: Applicability::Safe,
            adds_requirement: None,
        }
    }

    pub fn alternative(message: impl Into<String>, edits: Vec<FileEdit>) -> Self {
        Fix {
            message: message.into(),
            edits,
            preferred: false,
            applicability: Applicability::Safe,
            adds_requirement: None,
        }
    }

    /// The same fix, marked as changing what the app does.
    pub fn unsafe_(mut self) -> Self {
        self.applicability = Applicability::Unsafe;
        self
    }

    /// The same fix, known to append `dist` for `needs` to a file of `installs_from`.
    pub fn adding_requirement(
        mut self,
        dist: &str,
        needs: &str,
        installs_from: &[PathBuf],
    ) -> Self {
        self.adds_requirement = Some(AddedRequirement {
            dist: crate::requirements::normalize(dist),
            needs: needs.to_string(),
            installs_from: installs_from.to_vec(),
        });
        self
    }

    pub fn is_safe(&self) -> bool {
        self.applicability == Applicability::Safe
    }
}

/// Another place that explains a diagnostic ("Procfile targets `app:server` here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub file: PathBuf,
    pub range: Range<usize>,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub file: PathBuf,
    pub range: Range<usize>,
    pub message: String,
    pub fixes: Vec<Fix>,
    pub related: Vec<Related>,
}

impl Diagnostic {
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }

    pub fn with_related(mut self, related: Related) -> Self {
        self.related.push(related);
        self
    }

    pub fn preferred_fix(&self) -> Option<&Fix> {
        self.fixes.iter().find(|f| f.preferred)
    }

    /// The fix a fix-all applies: the preferred one, when it is safe or unsafe ones are
    /// allowed (`--unsafe-fixes`).
    pub fn fix_to_apply(&self, unsafe_fixes: bool) -> Option<&Fix> {
        self.preferred_fix().filter(|f| unsafe_fixes || f.is_safe())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EditError {
    #[error("edit range {0:?} is outside the text or not on a character boundary")]
    OutOfRange(Range<usize>),
    #[error("edits overlap at {0:?}")]
    Overlap(Range<usize>),
}

/// Applies byte-range replacements to a text. Edits must not overlap; two insertions at the
/// same offset are applied in the order given.
pub fn apply_edits(text: &str, edits: &[(Range<usize>, &str)]) -> Result<String, EditError> {
    let mut sorted: Vec<(usize, &(Range<usize>, &str))> = edits.iter().enumerate().collect();
    sorted.sort_by_key(|(i, (r, _))| (r.start, r.end, *i));
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (_, (range, new_text)) in sorted {
        let valid = range.start <= range.end
            && range.end <= text.len()
            && text.is_char_boundary(range.start)
            && text.is_char_boundary(range.end);
        if !valid {
            return Err(EditError::OutOfRange(range.clone()));
        }
        if range.start < last {
            return Err(EditError::Overlap(range.clone()));
        }
        out.push_str(&text[last..range.start]);
        out.push_str(new_text);
        last = range.end;
    }
    out.push_str(&text[last..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_in_offset_order_and_rejects_overlap() {
        assert_eq!(
            apply_edits("abcdef", &[(4..5, "X"), (0..1, "")]).unwrap(),
            "bcdXf"
        );
        assert_eq!(
            apply_edits("ab", &[(1..1, "1"), (1..1, "2")]).unwrap(),
            "a12b"
        );
        assert!(matches!(
            apply_edits("abc", &[(0..2, ""), (1..3, "")]),
            Err(EditError::Overlap(_))
        ));
        assert!(matches!(
            apply_edits("é", &[(1..1, "")]),
            Err(EditError::OutOfRange(_))
        ));
        assert!(matches!(
            apply_edits("a", &[(0..5, "")]),
            Err(EditError::OutOfRange(_))
        ));
    }
}
