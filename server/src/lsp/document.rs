//! An open document: its text in a rope (cheap incremental edits) and, for Python, the
//! tree-sitter tree kept in step with each edit (`InputEdit`) so re-parsing is incremental.
//!
//! Ropey is built with only `\n` as a line break, matching the analysis' `LineIndex`; a `\r`
//! before it is treated as part of the line ending when converting positions.

use ropey::Rope;
use tree_sitter::{InputEdit, Point, Tree};

use dash_lsp_analysis::python::PythonModule;
use dash_lsp_analysis::workspace::SourceFile;
use dash_lsp_syntax::parse::parse_shaped;
use dash_lsp_syntax::text::{column_span, Encoding};

#[derive(Debug)]
pub struct Document {
    rope: Rope,
    pub version: i32,
    /// Counts the edits applied: an analysis scheduled for an edit runs only if no later
    /// edit has arrived.
    pub(crate) edits: u64,
    python: bool,
    tree: Option<Tree>,
    /// `tree` is the text's full tree (not a summary that parsed large literals as empty):
    /// only then is it reused for the next parse.
    exact: bool,
}

/// A zero-based LSP position as sent by the client, in its negotiated encoding.
#[derive(Clone, Copy, Debug)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

impl Document {
    pub fn new(text: &str, version: i32, python: bool) -> Document {
        let mut doc = Document::unparsed(text, version, python);
        // Over the size limit the text is kept (edits may shrink it) but never parsed.
        if python && !too_large(text.len()) {
            (doc.tree, doc.exact) = parse_shaped(text, None);
        }
        doc
    }

    /// A document not parsed yet (the server parses it off the lock: `parse_input`).
    pub(crate) fn unparsed(text: &str, version: i32, python: bool) -> Document {
        Document {
            rope: Rope::from_str(text),
            version,
            edits: 0,
            python,
            tree: None,
            exact: true,
        }
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    /// Over the limit of files read from disk: not analysed (DL003 says why), like such a
    /// file on disk.
    pub(crate) fn is_too_large(&self) -> bool {
        too_large(self.len())
    }

    /// The text's length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.rope.len_bytes()
    }

    /// Replaces the whole text.
    pub fn replace_all(&mut self, text: &str) {
        self.rope = Rope::from_str(text);
        self.tree = None;
    }

    /// Applies one incremental change. Positions past the end of a line clamp to the line's
    /// end, lines past the end clamp to the end of the document, a position inside a
    /// multi-byte character (or between the halves of a UTF-16 surrogate pair) rounds down to
    /// its start, and a reversed range is read in order: the edit is never dropped.
    pub fn apply_change(&mut self, start: Position, end: Position, new_text: &str, enc: Encoding) {
        let mut start_char = self.char_index(start, enc);
        let mut end_char = self.char_index(end, enc);
        if start_char > end_char {
            std::mem::swap(&mut start_char, &mut end_char);
        }
        let start_byte = self.rope.char_to_byte(start_char);
        let old_end_byte = self.rope.char_to_byte(end_char);
        let start_point = self.point(start_byte);
        let old_end_point = self.point(old_end_byte);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, new_text);
        let new_end_byte = start_byte + new_text.len();
        let new_end_point = self.point(new_end_byte);
        if let Some(tree) = &mut self.tree {
            tree.edit(&InputEdit {
                start_byte,
                old_end_byte,
                new_end_byte,
                start_position: start_point,
                old_end_position: old_end_point,
                new_end_position: new_end_point,
            });
        }
    }

    fn point(&self, byte: usize) -> Point {
        let row = self.rope.byte_to_line(byte);
        Point {
            row,
            column: byte - self.rope.line_to_byte(row),
        }
    }

    /// The char index of an LSP position.
    fn char_index(&self, pos: Position, enc: Encoding) -> usize {
        let line = pos.line as usize;
        if line >= self.rope.len_lines() {
            return self.rope.len_chars();
        }
        let line_start = self.rope.line_to_char(line);
        // The line ending is not addressable (the rope's `cr_lines` counts `\n`, `\r\n` and a
        // lone `\r`, as LSP and Python do): `column_span` stops before it.
        let (chars, _) = column_span(self.rope.line(line).chars(), pos.character as usize, enc);
        line_start + chars
    }

    /// A snapshot of the document for the analysis: the text and, for Python, the module built
    /// from an incremental re-parse.
    pub fn snapshot(&mut self) -> SourceFile {
        let parsed = self.parse_input().parse();
        self.install(parsed.edits, parsed.tree, parsed.exact);
        parsed.source
    }

    /// What parsing the current text needs: the text and the tree to re-parse from (a
    /// reference-counted copy). Cheap, taken under the server's lock; the parse runs off it.
    pub(crate) fn parse_input(&self) -> ParseInput {
        ParseInput {
            text: self.text(),
            old: self.tree.clone().filter(|_| self.exact),
            python: self.python,
            edits: self.edits,
        }
    }

    /// Keeps the tree of a parse for the next incremental one, unless the document was edited
    /// after `edits` (then its own tree, edited in step, is the one to re-parse from).
    pub(crate) fn install(&mut self, edits: u64, tree: Option<Tree>, exact: bool) -> bool {
        if edits != self.edits {
            return false;
        }
        if self.python {
            self.tree = tree;
            self.exact = exact;
        }
        true
    }
}

pub(crate) struct ParseInput {
    text: String,
    old: Option<Tree>,
    python: bool,
    edits: u64,
}

/// A parsed text: the analysis' file, and the tree for the document (`Document::install`).
pub(crate) struct Parsed {
    pub(crate) source: SourceFile,
    pub(crate) edits: u64,
    pub(crate) tree: Option<Tree>,
    pub(crate) exact: bool,
}

impl ParseInput {
    /// Parses (incrementally from the old tree), and builds the module.
    pub(crate) fn parse(self) -> Parsed {
        let ParseInput {
            text,
            old,
            python,
            edits,
        } = self;
        if !python {
            return Parsed {
                source: SourceFile::new(text),
                edits,
                tree: None,
                exact: true,
            };
        }
        // The shared parse entry: a text tree-sitter must not see (it can abort in C) gives no
        // tree here either.
        let (tree, exact) = parse_shaped(&text, old.as_ref());
        let mut module = PythonModule::from_tree(&text, tree.clone());
        module.summarised = !exact;
        Parsed {
            source: SourceFile::with_python(text, module),
            edits,
            tree,
            exact,
        }
    }
}

fn too_large(bytes: usize) -> bool {
    bytes as u64 > dash_lsp_analysis::workspace::MAX_TEXT_BYTES
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn incremental_edits_in_utf16() {
        let mut doc = Document::new("a = \"😀\"\r\nb = 2\n", 1, true);
        // Insert after the emoji (UTF-16 column 7: the emoji is two code units).
        doc.apply_change(pos(0, 7), pos(0, 7), "x", Encoding::Utf16);
        assert_eq!(doc.text(), "a = \"😀x\"\r\nb = 2\n");
        // Past the end of line 0 clamps before \r\n.
        doc.apply_change(pos(0, 99), pos(0, 99), "#", Encoding::Utf16);
        assert_eq!(doc.text(), "a = \"😀x\"#\r\nb = 2\n");
        // Inside the surrogate pair: rounds down to the emoji's start.
        doc.apply_change(pos(0, 5), pos(0, 6), "", Encoding::Utf16);
        assert_eq!(doc.text(), "a = \"😀x\"#\r\nb = 2\n");
        doc.apply_change(pos(1, 0), pos(9, 0), "c", Encoding::Utf16);
        assert_eq!(doc.text(), "a = \"😀x\"#\r\nc");
        // Reversed range.
        doc.apply_change(pos(1, 1), pos(1, 0), "d", Encoding::Utf16);
        assert_eq!(doc.text(), "a = \"😀x\"#\r\nd");
        let snapshot = doc.snapshot();
        let fresh = PythonModule::parse(snapshot.text());
        assert_eq!(
            snapshot.python().tree.root_node().to_sexp(),
            fresh.tree.root_node().to_sexp()
        );
    }

    #[test]
    fn deep_indentation_typed_into_a_document_is_never_parsed() {
        let mut doc = Document::new("import dash\n", 1, true);
        let deep: String = (0..511)
            .map(|i| format!("{}if x:\n", " ".repeat(i)))
            .collect();
        let text = format!("{deep}{}y = 'a'\n", " ".repeat(511));
        doc.apply_change(pos(1, 0), pos(1, 0), &text, Encoding::Utf16);
        // Reaching tree-sitter with this text aborts the process (a C assertion).
        let snapshot = doc.snapshot();
        assert!(snapshot.python().has_syntax_errors);
        assert!(snapshot.python().names.is_empty());
    }

    #[test]
    fn a_summarised_tree_is_not_reused() {
        let table = "0,".repeat(dash_lsp_syntax::shape::SUMMARISED_LITERAL_BYTES);
        let mut doc = Document::new(&format!("T = [{table}]\n"), 1, true);
        assert!(doc.snapshot().python().summarised);
        // `x` makes the list code: it must be parsed in full, not from the empty summary.
        doc.apply_change(pos(0, 5), pos(0, 5), "x,", Encoding::Utf16);
        let snapshot = doc.snapshot();
        assert!(!snapshot.python().summarised);
        let fresh = PythonModule::parse(snapshot.text());
        assert_eq!(
            snapshot.python().tree.root_node().to_sexp(),
            fresh.tree.root_node().to_sexp()
        );
    }

    #[test]
    fn utf8_columns() {
        let mut doc = Document::new("é = 1\n", 1, false);
        doc.apply_change(pos(0, 2), pos(0, 2), "x", Encoding::Utf8);
        assert_eq!(doc.text(), "éx = 1\n");
    }
}
