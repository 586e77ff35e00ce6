//! Tree-sitter grammar for Procfiles, generated from `grammar.js`.

use tree_sitter_language::LanguageFn;

extern "C" {
    fn tree_sitter_procfile() -> *const ();
}

/// The tree-sitter [`LanguageFn`] for this grammar.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_procfile) };

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
    fn parses_processes_and_comments() {
        assert_eq!(
            parse("# hi\nweb: gunicorn app:server\n\nworker: celery -A tasks worker"),
            "(source_file (comment) (process type: (process_type) command: (command)) \
             (process type: (process_type) command: (command)))"
        );
    }

    #[test]
    fn bad_process_type_is_an_error() {
        assert!(parse("web server: gunicorn app:server\n").contains("ERROR"));
    }

    #[test]
    fn highlights_query_is_valid() {
        let lang: tree_sitter::Language = super::LANGUAGE.into();
        tree_sitter::Query::new(&lang, super::HIGHLIGHTS_QUERY).expect("valid query");
    }
}
