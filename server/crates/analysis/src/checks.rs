//! Dokku `CHECKS` files, parsed with the project's own tree-sitter grammar into settings,
//! checks and invalid lines.

use std::ops::Range;

use dash_lsp_syntax::text::LineIndex;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    pub name: Range<usize>,
    /// The value after `=` (empty range right after `=` when there is none).
    pub value: Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub path: Range<usize>,
    pub content: Option<Range<usize>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    Setting(Setting),
    Check(Check),
    /// A line the grammar could not read.
    Invalid(Range<usize>),
}

#[derive(Clone, Debug, Default)]
pub struct ChecksFile {
    pub entries: Vec<Entry>,
}

impl ChecksFile {
    pub fn parse(text: &str) -> ChecksFile {
        let mut parser = tree_sitter::Parser::new();
        // Compiled-in grammar; its ABI is checked by the grammar crate's tests.
        parser
            .set_language(&tree_sitter_checks::LANGUAGE.into())
            .expect("tree-sitter-checks ABI matches tree-sitter");
        let mut file = ChecksFile::default();
        let Some(tree) = parser.parse(dash_lsp_syntax::text::lone_cr_as_lf(text).as_ref(), None)
        else {
            return file;
        };
        let index = LineIndex::new(text);
        let mut invalid_lines = std::collections::BTreeSet::new();
        let root = tree.root_node();
        let mut cursor = root.walk();
        for node in root.children(&mut cursor) {
            if node.is_error() || node.is_missing() || node.has_error() {
                let last = node
                    .end_position()
                    .row
                    .min(index.line_count().saturating_sub(1));
                invalid_lines.extend(node.start_position().row..=last);
                continue;
            }
            let field = |name: &str| node.child_by_field_name(name).map(|n| n.byte_range());
            match node.kind() {
                "setting" => {
                    // The name token ends with its `=`.
                    if let Some(with_eq) = field("name") {
                        let after_eq = with_eq.end;
                        file.entries.push(Entry::Setting(Setting {
                            name: with_eq.start..after_eq - 1,
                            value: field("value").map_or(after_eq..after_eq, |v| trim_end(text, v)),
                        }));
                    }
                }
                "check" => {
                    if let Some(path) = field("path") {
                        file.entries.push(Entry::Check(Check {
                            path,
                            content: field("content").map(|c| trim_end(text, c)),
                        }));
                    }
                }
                _ => {}
            }
        }
        for line in invalid_lines {
            let content = index.line_content(text, line);
            if !text[content.clone()].trim().is_empty() {
                file.entries.push(Entry::Invalid(content));
            }
        }
        file.entries.sort_by_key(|e| match e {
            Entry::Setting(s) => s.name.start,
            Entry::Check(c) => c.path.start,
            Entry::Invalid(r) => r.start,
        });
        file
    }
}

/// A range without its trailing blanks.
fn trim_end(text: &str, r: Range<usize>) -> Range<usize> {
    r.start..r.start + text[r.clone()].trim_end().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries() {
        let text = "WAIT=5 \n# c\n/  Sales Dashboard  \nWAIT 5\n//localhost/x\nTIMEOUT=\n";
        let f = ChecksFile::parse(text);
        let shown: Vec<String> = f
            .entries
            .iter()
            .map(|e| match e {
                Entry::Setting(s) => {
                    format!("set {}={}", &text[s.name.clone()], &text[s.value.clone()])
                }
                Entry::Check(c) => format!(
                    "check {} {:?}",
                    &text[c.path.clone()],
                    c.content.clone().map(|r| &text[r])
                ),
                Entry::Invalid(r) => format!("invalid {}", &text[r.clone()]),
            })
            .collect();
        assert_eq!(
            shown,
            [
                "set WAIT=5",
                "check / Some(\"Sales Dashboard\")",
                "check WAIT Some(\"5\")",
                "check //localhost/x None",
                "set TIMEOUT="
            ]
        );
    }
}
