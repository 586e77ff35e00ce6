//! The Procfile, parsed with the project's own tree-sitter grammar into lines.

use std::ops::Range;

use dash_lsp_syntax::text::LineIndex;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineKind {
    Blank,
    Comment,
    Process {
        kind: Range<usize>,
        command: Option<Range<usize>>,
    },
    /// Not `<type>: <command>` (a parse error).
    Invalid,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcfileLine {
    /// The line without its line ending.
    pub content: Range<usize>,
    /// The line with its line ending (what deleting the line removes).
    pub full: Range<usize>,
    pub kind: LineKind,
}

#[derive(Clone, Debug, Default)]
pub struct Procfile {
    pub lines: Vec<ProcfileLine>,
}

impl Procfile {
    pub(crate) fn parse(text: &str) -> Procfile {
        let mut parser = tree_sitter::Parser::new();
        // Compiled-in grammar; its ABI is checked by the grammar crate's tests.
        parser
            .set_language(&tree_sitter_procfile::LANGUAGE.into())
            .expect("tree-sitter-procfile ABI matches tree-sitter");
        let index = LineIndex::new(text);
        let mut kinds: Vec<Option<LineKind>> = vec![None; index.line_count()];
        let mut errors = vec![false; index.line_count()];
        if let Some(tree) = parser.parse(dash_lsp_syntax::text::lone_cr_as_lf(text).as_ref(), None)
        {
            let root = tree.root_node();
            let mut cursor = root.walk();
            for node in root.children(&mut cursor) {
                let line = node.start_position().row;
                if line >= kinds.len() {
                    continue;
                }
                if node.is_error() || node.is_missing() || node.has_error() {
                    let last = node.end_position().row.min(kinds.len() - 1);
                    errors[line..=last].iter_mut().for_each(|e| *e = true);
                    continue;
                }
                match node.kind() {
                    "comment" => kinds[line] = Some(LineKind::Comment),
                    "process" => {
                        let kind = node.child_by_field_name("type").map(|t| t.byte_range());
                        let command = node
                            .child_by_field_name("command")
                            .map(|c| trim_end(text, c.byte_range()));
                        if let Some(kind) = kind {
                            kinds[line] = Some(LineKind::Process { kind, command });
                        }
                    }
                    _ => {}
                }
            }
        }
        let lines = (0..index.line_count())
            .map(|line| {
                let content = index.line_content(text, line);
                let kind = if errors[line] {
                    LineKind::Invalid
                } else if let Some(kind) = kinds[line].take() {
                    kind
                } else if text[content.clone()].trim().is_empty() {
                    LineKind::Blank
                } else {
                    LineKind::Invalid
                };
                ProcfileLine {
                    content,
                    full: index.line_full(line),
                    kind,
                }
            })
            .filter(|l| !(l.content.is_empty() && l.full.is_empty()))
            .collect();
        Procfile { lines }
    }

    /// Process lines as (type range, command range), in file order.
    pub fn processes(
        &self,
    ) -> impl Iterator<Item = (&ProcfileLine, Range<usize>, Option<Range<usize>>)> {
        self.lines.iter().filter_map(|l| match &l.kind {
            LineKind::Process { kind, command } => Some((l, kind.clone(), command.clone())),
            _ => None,
        })
    }

    /// The first `web` process: its line and command.
    pub fn web<'a>(&'a self, text: &str) -> Option<(&'a ProcfileLine, Option<Range<usize>>)> {
        self.processes()
            .find(|(_, kind, _)| &text[kind.clone()] == "web")
            .map(|(l, _, c)| (l, c))
    }
}

fn trim_end(text: &str, range: Range<usize>) -> Range<usize> {
    let trimmed = text[range.clone()].trim_end();
    range.start..range.start + trimmed.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_kinds() {
        let text = "# comment\r\nweb: gunicorn app:server  \r\n\r\nnot a process\r\nworker:";
        let p = Procfile::parse(text);
        let kinds: Vec<_> = p
            .lines
            .iter()
            .map(|l| std::mem::discriminant(&l.kind))
            .collect();
        assert_eq!(kinds.len(), 5);
        assert_eq!(p.lines[0].kind, LineKind::Comment);
        let LineKind::Process { kind, command } = &p.lines[1].kind else {
            panic!("process")
        };
        assert_eq!(&text[kind.clone()], "web");
        assert_eq!(&text[command.clone().unwrap()], "gunicorn app:server");
        assert_eq!(p.lines[2].kind, LineKind::Blank);
        assert_eq!(p.lines[3].kind, LineKind::Invalid);
        assert!(matches!(
            p.lines[4].kind,
            LineKind::Process { command: None, .. }
        ));
        assert!(p.web(text).is_some());
    }

    #[test]
    fn binary_garbage_does_not_panic() {
        let p = Procfile::parse("\u{0}\u{1}web:\u{fffd}\n::::\n");
        assert!(p
            .lines
            .iter()
            .all(|l| l.kind == LineKind::Invalid || matches!(l.kind, LineKind::Process { .. })));
    }
}
