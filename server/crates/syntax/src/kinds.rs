//! Python node kinds as tree-sitter symbol ids. `Node::kind()` looks the name up and
//! validates it as UTF-8 on every call; the walkers compare ids instead (the hot loop of the
//! analysis visits every node of a module several times).

use std::collections::HashMap;
use std::sync::OnceLock;

use tree_sitter::{Language, Node};

/// Most symbol ids one Python node name has (an alias can give a name several; the grammar
/// has at most two, checked by a test).
const MAX_IDS: usize = 4;

/// A node kind: every symbol id with that name. Copied, not allocated: rules ask for kinds in
/// their inner loops.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Kind {
    ids: [u16; MAX_IDS],
    len: u8,
}

impl Kind {
    pub fn matches(&self, node: Node) -> bool {
        self.matches_id(node.kind_id())
    }

    #[inline]
    pub fn matches_id(&self, id: u16) -> bool {
        self.ids[..usize::from(self.len)].contains(&id)
    }

    /// How many symbol ids have this name.
    #[cfg(test)]
    pub(crate) fn ids(&self) -> usize {
        usize::from(self.len)
    }

    fn push(&mut self, id: u16) -> bool {
        let Some(slot) = self.ids.get_mut(usize::from(self.len)) else {
            return false;
        };
        *slot = id;
        self.len += 1;
        true
    }
}

fn table() -> &'static HashMap<&'static str, Kind> {
    static TABLE: OnceLock<HashMap<&'static str, Kind>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let language: Language = tree_sitter_python::LANGUAGE.into();
        let mut table: HashMap<&'static str, Kind> = HashMap::new();
        for id in 0..language.node_kind_count() {
            let Ok(id) = u16::try_from(id) else { break };
            if !language.node_kind_is_named(id) {
                continue;
            }
            if let Some(name) = language.node_kind_for_id(id) {
                let fits = table.entry(name).or_default().push(id);
                debug_assert!(fits, "{name} has more than {MAX_IDS} ids");
            }
        }
        table
    })
}

/// The named kind `name` (an unknown name matches nothing).
pub fn kind(name: &str) -> Kind {
    table().get(name).copied().unwrap_or_default()
}

/// Python field names the analysis asks for. `Node::child_by_field_name` finds a name's id by
/// comparing it with every field name of the language on each call (a tenth of the time per
/// keystroke); `PyNode::field` maps the literal to its index at compile time and looks the
/// id up once.
const FIELDS: &[&str] = &[
    "alias",
    "arguments",
    "attribute",
    "body",
    "condition",
    "consequence",
    "definition",
    "function",
    "left",
    "module_name",
    "name",
    "object",
    "operator",
    "parameters",
    "right",
    "subscript",
    "value",
];

#[inline(always)]
const fn field_index(name: &str) -> usize {
    let mut i = 0;
    while i < FIELDS.len() {
        if const_eq(FIELDS[i], name) {
            return i;
        }
        i += 1;
    }
    usize::MAX
}

const fn const_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

fn field_ids() -> &'static [Option<std::num::NonZeroU16>] {
    static IDS: OnceLock<Vec<Option<std::num::NonZeroU16>>> = OnceLock::new();
    IDS.get_or_init(|| {
        let language: Language = tree_sitter_python::LANGUAGE.into();
        FIELDS
            .iter()
            .map(|name| language.field_id_for_name(name))
            .collect()
    })
}

/// The Python grammar's id of a field name of [`FIELDS`].
pub fn field_id(name: &'static str) -> Option<std::num::NonZeroU16> {
    field_ids().get(field_index(name)).copied().flatten()
}

/// Field access on nodes of a Python tree (never a Procfile or CHECKS tree: ids are the
/// Python grammar's).
pub trait PyNode<'t> {
    fn field(&self, name: &'static str) -> Option<Node<'t>>;
}

impl<'t> PyNode<'t> for Node<'t> {
    #[inline]
    fn field(&self, name: &'static str) -> Option<Node<'t>> {
        let id = field_id(name);
        let found = id.and_then(|id| self.child_by_field_id(id.get()));
        debug_assert_eq!(found, self.child_by_field_name(name), "field {name}");
        found
    }
}

/// The kinds the scope walker itself tests on every node.
pub struct WalkKinds {
    pub identifier: Kind,
    pub attribute: Kind,
    pub function_definition: Kind,
    pub class_definition: Kind,
    pub lambda: Kind,
    pub if_statement: Kind,
}

impl WalkKinds {
    /// Whether a node of kind `id` opens a scope (function, class, lambda): its body runs
    /// only when called.
    pub fn is_scope(&self, id: u16) -> bool {
        self.function_definition.matches_id(id)
            || self.class_definition.matches_id(id)
            || self.lambda.matches_id(id)
    }
}

pub fn walk_kinds() -> &'static WalkKinds {
    static KINDS: OnceLock<WalkKinds> = OnceLock::new();
    KINDS.get_or_init(|| WalkKinds {
        identifier: kind("identifier"),
        attribute: kind("attribute"),
        function_definition: kind("function_definition"),
        class_definition: kind("class_definition"),
        lambda: kind("lambda"),
        if_statement: kind("if_statement"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_tree;

    /// The named nodes under `node`, pre-order (what the analysis walks visit).
    fn walk_all<'t>(node: Node<'t>, f: &mut impl FnMut(Node<'t>)) {
        if node.is_named() {
            f(node);
        }
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            walk_all(child, f);
        }
    }

    #[test]
    fn every_field_name_exists_in_python() {
        let language: Language = tree_sitter_python::LANGUAGE.into();
        for name in FIELDS {
            assert!(language.field_id_for_name(name).is_some(), "{name}");
            assert_ne!(field_index(name), usize::MAX);
        }
        assert_eq!(field_index("no_such_field"), usize::MAX);
        let tree = parse_tree("f(x)\n", None).expect("parses");
        let call = tree.root_node().child(0).and_then(|s| s.child(0));
        let call = call.expect("a call");
        assert_eq!(call.field("function").map(|f| f.kind()), Some("identifier"));
        assert_eq!(
            call.field("arguments").map(|f| f.kind()),
            Some("argument_list")
        );
        assert_eq!(call.field("body"), None);
    }

    #[test]
    fn every_kind_fits() {
        let language: Language = tree_sitter_python::LANGUAGE.into();
        let mut count: HashMap<&str, usize> = HashMap::new();
        for id in 0..language.node_kind_count() {
            let id = u16::try_from(id).expect("ids fit u16");
            if language.node_kind_is_named(id) {
                *count
                    .entry(language.node_kind_for_id(id).unwrap_or(""))
                    .or_default() += 1;
            }
        }
        for (name, n) in count {
            assert!(n <= MAX_IDS, "{name}: {n} ids");
            assert_eq!(kind(name).ids(), n, "{name}");
        }
        assert_eq!(kind("lambda").ids(), 2);
    }

    #[test]
    fn ids_match_names() {
        let src = "def f(x):\n    return lambda: x\nclass K: pass\nif a: b()\n";
        let tree = parse_tree(src, None).expect("parses");
        let mut seen = 0;
        walk_all(tree.root_node(), &mut |node| {
            for name in [
                "function_definition",
                "lambda",
                "class_definition",
                "if_statement",
                "call",
                "identifier",
            ] {
                assert_eq!(
                    kind(name).matches(node),
                    node.kind() == name,
                    "{name} vs {}",
                    node.kind()
                );
            }
            seen += 1;
        });
        assert!(seen > 10);
        assert!(!kind("no_such_kind").matches(tree.root_node()));
    }
}
