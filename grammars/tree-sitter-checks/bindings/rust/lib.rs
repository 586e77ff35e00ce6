//! Tree-sitter grammar for Dokku `CHECKS` files, generated from `grammar.js`.

use tree_sitter_language::LanguageFn;

extern "C" {
    fn tree_sitter_checks() -> *const ();
}

/// The tree-sitter [`LanguageFn`] for this grammar.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_checks) };

/// The syntax highlighting query for this grammar.
pub const HIGHLIGHTS_QUERY: &str = include_str!("../../queries/highlights.scm");

/// The content of `node-types.json`.
pub const NODE_TYPES: &str = include_str!("../../src/node-types.json");

#[cfg(test)]
mod tests {
    fn parse(src: &str) -> String {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&super::LANGUAGE.into())
            .expect("load grammar");
        parser
            .parse(src, None)
            .expect("parse")
            .root_node()
            .to_sexp()
    }

    #[test]
    fn parses_settings_checks_and_comments() {
        assert_eq!(
            parse("WAIT=5\r\nTIMEOUT=\n# the home page\n\n/  Sales Dashboard \n//localhost:5000/_dash-layout\nhttps://x.example/health ok"),
            "(source_file (setting name: (setting_name) value: (setting_value)) \
             (setting name: (setting_name)) (comment) \
             (check path: (path) content: (content)) (check path: (path)) \
             (check path: (path) content: (content)))"
        );
    }

    #[test]
    fn a_path_may_hold_equals_signs() {
        assert_eq!(
            parse("/search?q=1 Results\n"),
            "(source_file (check path: (path) content: (content)))"
        );
    }

    #[test]
    fn a_setting_without_equals_reads_as_a_check() {
        // As the platform reads it; dash-lsp explains the missing `=`.
        assert_eq!(
            parse("WAIT 5\n"),
            "(source_file (check path: (path) content: (content)))"
        );
    }

    #[test]
    fn highlights_query_is_valid() {
        let lang: tree_sitter::Language = super::LANGUAGE.into();
        tree_sitter::Query::new(&lang, super::HIGHLIGHTS_QUERY).expect("valid query");
    }
}
