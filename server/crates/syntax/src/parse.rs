//! The one entry to tree-sitter for Python (shape guards first: see `shape`).

use tree_sitter::{Parser, Tree};

pub(crate) fn new_parser() -> Parser {
    let mut parser = Parser::new();
    // The grammar is compiled in and its ABI is checked by the tests: this cannot fail at run time.
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .expect("tree-sitter-python ABI matches tree-sitter");
    parser
}

/// Parses `text`, reusing `old_tree` (already `edit`ed to match) when given. See
/// [`parse_shaped`].
pub fn parse_tree(text: &str, old_tree: Option<&Tree>) -> Option<Tree> {
    parse_shaped(text, old_tree).0
}

/// The one entry to tree-sitter for Python: a text of a shape that can abort the parser (see
/// `shape`) gives no tree; large literal-only brackets are parsed as empty, and then the
/// second value is `false` (the tree is a summary: `old_tree` is not reused for it, and it must
/// not be reused for the next text either).
pub fn parse_shaped(text: &str, old_tree: Option<&Tree>) -> (Option<Tree>, bool) {
    // A lone CR ends a line for Python, not for the grammar: it sees LF (same offsets).
    let text = crate::text::lone_cr_as_lf(text);
    let text = text.as_ref();
    let shape = crate::shape::scan(text);
    if shape.refused.is_some() {
        return (None, true);
    }
    if shape.literals.is_empty() {
        return (new_parser().parse(text, old_tree), true);
    }
    let summary = crate::shape::blanked(text, &shape.literals);
    (new_parser().parse(&summary, None), false)
}
