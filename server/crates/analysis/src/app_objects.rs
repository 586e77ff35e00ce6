//! Which Dash app object each callback joins (RULES.md rev 2: "each Dash app object is its own
//! app"). `@<name>.callback` joins the object bound to `<name>`, followed through imports
//! (`from app import app`, `from .app import app`, `import app` + `app.app`); a factory's
//! parameter (`def register(_app): @_app.callback`) joins the object the factory is called
//! with; Dash's global `callback` / `clientside_callback`, and anything unsure, join the
//! object the entry module serves.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::callbacks::Callback;
use super::project::App;
use super::python::{BindingKind, PythonModule, ValueKind};
use super::workspace::join_relative;
use dash_lsp_syntax::text_of;

/// A Dash app object: the module that creates it and the name it is bound to there.
pub(crate) type AppObject = (PathBuf, String);

/// Import chains are short in real apps; a cycle or a deep chain stops quietly.
const MAX_DEPTH: usize = 8;

pub(crate) struct Resolver<'a, 'w> {
    app: &'a App<'w>,
    /// The modules to look for factory calls in.
    sources: Vec<(&'w Path, &'w PythonModule, &'w str)>,
    factories: RefCell<HashMap<(String, usize), Option<AppObject>>>,
}

impl<'a, 'w> Resolver<'a, 'w> {
    pub(crate) fn new(app: &'a App<'w>) -> Self {
        let sources = app
            .sources()
            .into_iter()
            .map(|(path, source, py)| (path, py, source.text()))
            .collect();
        Resolver {
            app,
            sources,
            factories: RefCell::new(HashMap::new()),
        }
    }

    fn python(&self, file: &Path) -> Option<&'w PythonModule> {
        self.app.python(file).map(|p| p.as_ref())
    }

    /// The file of a module imported from `from` (`level` leading dots): relative imports
    /// from the importing file's package; absolute ones from the app root, gunicorn's working
    /// folder, or the importing file's folder (a script run from there).
    fn module_file(&self, from: &Path, module: &str, level: usize) -> Option<PathBuf> {
        let rel = module.replace('.', "/");
        let mut bases = Vec::new();
        if level > 0 {
            let mut base = from.parent().map(Path::to_path_buf).unwrap_or_default();
            for _ in 1..level {
                base = base.parent().map(Path::to_path_buf).unwrap_or_default();
            }
            bases.push(base);
        } else {
            bases.push(self.app.root.clone());
            bases.push(self.app.working_dir());
            bases.push(from.parent().map(Path::to_path_buf).unwrap_or_default());
        }
        for base in bases {
            let candidates = if rel.is_empty() {
                vec!["__init__.py".to_string()]
            } else {
                vec![format!("{rel}.py"), format!("{rel}/__init__.py")]
            };
            for candidate in candidates {
                if let Some(path) = join_relative(&base, &candidate) {
                    if self.app.ws.source(&path).is_some() {
                        return Some(path);
                    }
                }
            }
        }
        None
    }

    /// Where an imported name comes from: (module file, name there). `from m import x` gives
    /// `m`'s file and `x`; `from . import m` or `import m` give `m`'s file and an empty name.
    fn import_source(
        &self,
        file: &Path,
        py: &PythonModule,
        name: &str,
    ) -> Option<(PathBuf, String)> {
        let binding = py.binding(name)?;
        let BindingKind::Imported { target } = &binding.kind else {
            return None;
        };
        let import = py.imports.iter().find(|i| i.stmt == binding.stmt)?;
        if import.names.is_empty() {
            // `import pkg.app as m`: the module itself.
            return Some((self.module_file(file, target, 0)?, String::new()));
        }
        let original = import
            .names
            .iter()
            .filter(|n| target.ends_with(n.as_str()))
            .max_by_key(|n| n.len())?;
        let submodule = if import.module.is_empty() {
            original.clone()
        } else {
            format!("{}.{original}", import.module)
        };
        // `from . import app` / `from pkg import app`: a module, when one exists.
        if let Some(path) = self.module_file(file, &submodule, import.level) {
            return Some((path, String::new()));
        }
        Some((
            self.module_file(file, &import.module, import.level)?,
            original.clone(),
        ))
    }

    /// The Dash app object that `name` (`app`, `app.app`) refers to in `file`.
    pub(crate) fn resolve(&self, file: &Path, name: &str) -> Option<AppObject> {
        self.resolve_at(file, name, 0)
    }

    fn resolve_at(&self, file: &Path, name: &str, depth: usize) -> Option<AppObject> {
        if depth > MAX_DEPTH || name.is_empty() {
            return None;
        }
        let py = self.python(file)?;
        if py.dash_apps.iter().any(|d| d.name == name) {
            return Some((file.to_path_buf(), name.to_string()));
        }
        let (first, rest) = match name.split_once('.') {
            Some((first, rest)) => (first, Some(rest)),
            None => (name, None),
        };
        let (module, inner) = self.import_source(file, py, first)?;
        match (inner.is_empty(), rest) {
            // `import app` + `app.app`, `from . import app` + `app.app`.
            (true, Some(rest)) => self.resolve_at(&module, rest, depth + 1),
            (false, None) => self.resolve_at(&module, &inner, depth + 1),
            _ => None,
        }
    }

    /// The object that gunicorn's target (`server` by default) serves, when the files say.
    fn resolve_server(&self, file: &Path, name: &str, depth: usize) -> Option<AppObject> {
        if depth > MAX_DEPTH {
            return None;
        }
        if let Some(object) = self.resolve(file, name) {
            return Some(object);
        }
        let py = self.python(file)?;
        match &py.binding(name)?.kind {
            BindingKind::Assigned(ValueKind::ServerOf(object)) => self.resolve(file, object),
            BindingKind::Imported { .. } => {
                let (module, inner) = self.import_source(file, py, name)?;
                self.resolve_server(&module, &inner, depth + 1)
            }
            _ => None,
        }
    }

    /// The object the app serves: the one behind the Procfile target's name in the entry
    /// module, else the entry module's own (or imported) object, else the only one there is.
    pub(crate) fn served(&self) -> Option<AppObject> {
        if let Some(entry) = &self.app.entry {
            let name = self
                .app
                .gunicorn_target()
                .and_then(|(_, _, target)| target.variable_name())
                .unwrap_or("server");
            if let Some(object) = self.resolve_server(entry, name, 0) {
                return Some(object);
            }
            if let Some(py) = self.python(entry) {
                if let Some(app) = py.dash_apps.first() {
                    return Some((entry.clone(), app.name.clone()));
                }
                let imported = py.names.keys().find_map(|name| self.resolve(entry, name));
                if imported.is_some() {
                    return imported;
                }
            }
        }
        let mut all = self.sources.iter().flat_map(|(path, py, _)| {
            py.dash_apps
                .iter()
                .map(|d| (path.to_path_buf(), d.name.clone()))
        });
        let first = all.next();
        match all.next() {
            None => first,
            Some(_) => None,
        }
    }

    /// The object a factory is called with (`register(app)` for `def register(_app)`): known
    /// when every call of a function of that name passes the same object.
    fn factory_argument(&self, factory: &str, index: usize) -> Option<AppObject> {
        let key = (factory.to_string(), index);
        if let Some(known) = self.factories.borrow().get(&key) {
            return known.clone();
        }
        let mut found: Option<AppObject> = None;
        let mut consistent = true;
        'modules: for (path, py, text) in &self.sources {
            for call in py.all("call") {
                let Some(function) = call.child_by_field_name("function") else {
                    continue;
                };
                let name = match function.kind() {
                    "identifier" => Some(function),
                    "attribute" => function.child_by_field_name("attribute"),
                    _ => None,
                };
                if name.is_none_or(|n| text_of(n, text) != factory) {
                    continue;
                }
                let Some(args) = call.child_by_field_name("arguments") else {
                    continue;
                };
                let mut cursor = args.walk();
                let arg = args
                    .named_children(&mut cursor)
                    .filter(|a| a.kind() != "keyword_argument")
                    .nth(index);
                let object = arg
                    .filter(|a| matches!(a.kind(), "identifier" | "attribute"))
                    .and_then(|a| self.resolve(path, text_of(a, text)));
                match (&found, object) {
                    (_, None) => {
                        consistent = false;
                        break 'modules;
                    }
                    (None, Some(o)) => found = Some(o),
                    (Some(f), Some(o)) if *f != o => {
                        consistent = false;
                        break 'modules;
                    }
                    _ => {}
                }
            }
        }
        let result = found.filter(|_| consistent);
        self.factories.borrow_mut().insert(key, result.clone());
        result
    }

    /// The object a callback of `file` joins; `served` when the files do not say.
    pub(crate) fn owner(
        &self,
        file: &Path,
        callback: &Callback,
        served: &Option<AppObject>,
    ) -> Option<AppObject> {
        let Some(receiver) = &callback.receiver else {
            return served.clone();
        };
        let resolved = match &callback.receiver_param {
            Some((factory, index)) => self.factory_argument(factory, *index),
            None => self.resolve(file, receiver),
        };
        resolved.or_else(|| served.clone())
    }
}
