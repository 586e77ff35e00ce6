//! Walking the code that runs at a given time: module-level code (runs at import, in every
//! gunicorn worker) and a function's own body (nested functions and lambdas run only when
//! called, so they are not part of it).

use dash_lsp_syntax::kinds::PyNode;
use tree_sitter::Node;

use dash_lsp_syntax::{string_value, text_of};

pub(crate) const MAX_NODES: usize = 1_000_000;

/// `__name__ == "__main__"` (either order, any quotes).
pub(crate) fn is_main_guard(cond: Node, src: &str) -> bool {
    if cond.kind() != "comparison_operator" || !text_of(cond, src).contains("==") {
        return false;
    }
    let mut cursor = cond.walk();
    let operands: Vec<Node> = cond.named_children(&mut cursor).collect();
    if operands.len() != 2 {
        return false;
    }
    let is_name = |n: Node| n.kind() == "identifier" && text_of(n, src) == "__name__";
    let is_main = |n: Node| string_value(n, src).as_deref() == Some("__main__");
    (is_name(operands[0]) && is_main(operands[1])) || (is_main(operands[0]) && is_name(operands[1]))
}

/// Nodes of `kind` in the code under `root` that runs when `root` runs: not inside nested
/// functions, classes or lambdas, and (at module level) not under `if __name__ == "__main__":`.
/// Decorators of a nested function do run, so they are included.
pub fn nodes_of_kind<'t>(root: Node<'t>, kind: &str, src: &str) -> Vec<Node<'t>> {
    let kind = dash_lsp_syntax::kinds::kind(kind);
    let mut out = Vec::new();
    walk(root, src, true, |node| {
        if kind.matches(node) {
            out.push(node);
        }
    });
    out
}

/// Every named node of `kind` under `root` (nested scopes included).
pub fn all_of_kind<'t>(root: Node<'t>, kind: &str) -> Vec<Node<'t>> {
    let kind = dash_lsp_syntax::kinds::kind(kind);
    let mut out = Vec::new();
    walk(root, "", false, |node| {
        if kind.matches(node) {
            out.push(node);
        }
    });
    out
}

/// Visits every named node under `root`, nested scopes included.
pub fn walk_all<'t>(root: Node<'t>, visit: impl FnMut(Node<'t>)) {
    walk(root, "", false, visit);
}

/// Pre-order walk over the named nodes under `root` with tree cursors (no allocation per
/// node, no recursion). With `runs_only`, nested scopes are not entered and of a main guard
/// only the `elif` / `else` branches are.
fn walk<'t>(root: Node<'t>, src: &str, runs_only: bool, mut visit: impl FnMut(Node<'t>)) {
    let kinds = dash_lsp_syntax::kinds::walk_kinds();
    let mut stack: Vec<tree_sitter::TreeCursor<'t>> = vec![root.walk()];
    let mut visited = 0;
    while let Some(cursor) = stack.last_mut() {
        let node = cursor.node();
        visited += 1;
        if node.is_named() {
            visit(node);
        }
        let mut alternatives = Vec::new();
        let descend = visited < MAX_NODES
            && !(runs_only && node.id() != root.id() && kinds.is_scope(node.kind_id()))
            && !(runs_only
                && kinds.if_statement.matches(node)
                && node
                    .field("condition")
                    .is_some_and(|c| is_main_guard(c, src))
                && {
                    let mut c = node.walk();
                    alternatives.extend(node.children_by_field_name("alternative", &mut c));
                    true
                });
        if descend && cursor.goto_first_child() {
            continue;
        }
        // Next: the next sibling, else the next sibling of an ancestor, else this cursor is done.
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                stack.pop();
                break;
            }
        }
        // The main guard's `elif` / `else` branches come before what follows it.
        stack.extend(alternatives.into_iter().rev().map(|a| a.walk()));
    }
}

/// Names an assignment target binds: identifiers, also inside tuple/list patterns, but not
/// the base of `x[k] = ...` or `x.a = ...` (those mutate `x`).
pub fn bound_names<'a>(target: Node, src: &'a str) -> Vec<&'a str> {
    match target.kind() {
        "identifier" => vec![text_of(target, src)],
        "pattern_list"
        | "tuple_pattern"
        | "list_pattern"
        | "tuple"
        | "list"
        | "list_splat_pattern"
        | "parenthesized_expression" => {
            let mut cursor = target.walk();
            let children: Vec<Node> = target.named_children(&mut cursor).collect();
            children
                .into_iter()
                .flat_map(|c| bound_names(c, src))
                .collect()
        }
        _ => Vec::new(),
    }
}

/// Whether `node` lies under an `if __name__ == "__main__":` body.
pub fn under_main_guard(node: Node, src: &str) -> bool {
    let mut child = node;
    while let Some(parent) = child.parent() {
        if parent.kind() == "if_statement"
            && parent
                .field("consequence")
                .is_some_and(|c| c.id() == child.id())
            && parent
                .field("condition")
                .is_some_and(|c| is_main_guard(c, src))
        {
            return true;
        }
        child = parent;
    }
    false
}

/// Whether `node` is at module level (not inside any function, class or lambda).
pub fn at_module_level(node: Node) -> bool {
    let mut current = node.parent();
    while let Some(n) = current {
        if dash_lsp_syntax::kinds::walk_kinds().is_scope(n.kind_id()) {
            return false;
        }
        current = n.parent();
    }
    true
}

/// Identifiers used in an expression.
pub fn identifiers<'a>(node: Node, src: &'a str) -> Vec<&'a str> {
    nodes_of_kind(node, "identifier", src)
        .into_iter()
        .map(|n| text_of(n, src))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::PythonModule;

    #[test]
    fn module_level_calls_skip_functions_and_main_guard() {
        let src = "a()\ndef f():\n    b()\nif __name__ == '__main__':\n    c()\nelse:\n    d()\nx = lambda: e()\nclass K:\n    g()\n";
        let m = PythonModule::parse(src);
        let calls: Vec<_> = nodes_of_kind(m.tree.root_node(), "call", src)
            .iter()
            .map(|n| text_of(*n, src))
            .collect();
        assert_eq!(calls, ["a()", "d()"]);
    }
}
