//! DL106 procfile-target-unresolved.

use std::path::Path;

use crate::helpers::line_one;
use crate::{Fixes, Rule};
use dash_lsp_analysis::gunicorn::{Target, TargetVariable};
use dash_lsp_analysis::project::{App, FileRef, TargetStatus};
use dash_lsp_analysis::python::{BindingKind, PythonModule, ValueKind};
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Related, Severity};

pub(crate) const RULE: Rule = Rule {
    code: "DL106",
    name: "procfile-target-unresolved",
    severity: Severity::Error,
    doc: r#"The Procfile's gunicorn target does not resolve:
- the module file is missing under the app root (`--chdir` and `--pythonpath` respected);
- the variable is not defined at module level (assigned, imported, or a factory `def`) in a
  module that has no Dash app object (with one, that is DL101);
- an attribute target like `app:app.server`: gunicorn accepts only a name or a call `name(...)`;
- no target at all (gunicorn then looks for `application`);
- the target is the Dash object itself while requirements pin `dash` below 3.1 (only from 3.1 is a
  Dash object a WSGI app).

The target is read from the start command wherever it is written (Procfile, `render.yaml`,
`fly.toml`, compose file, Dockerfile), and resolved from the folder that command runs in.

**Fix.** Point the target at a module and variable that exist: each candidate of the app is
offered, none preferred (a candidate changes what runs). A module found only in the parent
folder is named in the message (the descriptor is in the wrong folder, or needs `--chdir`).
"#,
    check,
    fixes: Fixes::Sometimes("the candidate targets are unsafe (a guess at what to serve)"),
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let Some((file, cmd)) = app.web.as_ref().and_then(|w| w.gunicorn.as_ref()) else {
        return;
    };
    let Some(target) = &cmd.target else {
        let word_end = cmd.span.start
            + file.text()[cmd.span.clone()]
                .find(char::is_whitespace)
                .unwrap_or(cmd.span.len());
        let suggestion = format!("{}:server", app.entry_module_name());
        out.push(
            RULE.diagnostic(&file.path, cmd.span.clone(), "gunicorn has no app target (`module:variable`): it exits with \"No application module specified\"")
                .with_fix(Fix::preferred(
                    format!("Serve `{suggestion}`"),
                    vec![FileEdit::Replace { file: file.path.clone(), range: word_end..word_end, new_text: format!(" {suggestion}") }],
                )),
        );
        return;
    };
    match &app.target {
        TargetStatus::InvalidModule => {
            let diag = RULE.diagnostic(
                &file.path,
                target.span.clone(),
                format!("`{}` is not a Python module name: gunicorn imports a dotted module (`pkg.app`), not a path", target.module),
            );
            out.push(with_candidates(
                app,
                diag,
                file,
                target,
                target.variable_name().unwrap_or("server"),
            ));
        }
        TargetStatus::ModuleNotFound => {
            let rel = target.module.replace('.', "/");
            let base = app.web.as_ref().map_or(&app.root, |w| &w.base);
            let above = dash_lsp_analysis::project::parent(base);
            let hint = if base.parent().is_some()
                && base.as_os_str() != ""
                && [format!("{rel}.py"), format!("{rel}/__init__.py")]
                    .iter()
                    .any(|c| app.ws.exists(&above.join(c)))
            {
                format!(" ({rel}.py is in the parent folder: gunicorn runs in {}, where the descriptor is)", base.display())
            } else {
                String::new()
            };
            let diag = RULE.diagnostic(
                &file.path,
                target.span.clone(),
                format!("Module `{}` not found in the app: neither {rel}.py nor {rel}/__init__.py exists{hint}", target.module),
            );
            out.push(with_candidates(
                app,
                diag,
                file,
                target,
                target.variable_name().unwrap_or("server"),
            ));
        }
        TargetStatus::Resolved { file: module_file } => {
            check_variable(app, out, file, target, module_file)
        }
        // DL003 reports the unreadable module; whether it defines the name is not known.
        TargetStatus::NotApplicable | TargetStatus::Missing | TargetStatus::Unreadable { .. } => {}
    }
}

fn check_variable(
    app: &App,
    out: &mut Vec<Diagnostic>,
    file: &FileRef,
    target: &Target,
    module_file: &Path,
) {
    let Some(py) = app.python(module_file) else {
        return;
    };
    let module_name = &target.module;
    let related = Related {
        file: module_file.to_path_buf(),
        range: app.ws.text(module_file).map_or(0..0, line_one),
        message: format!("module `{module_name}`"),
    };
    match &target.variable {
        TargetVariable::Attribute(attr) => {
            let diag = RULE
                .diagnostic(
                    &file.path,
                    target.span.clone(),
                    format!("gunicorn accepts only a name or a call `name(...)` after the colon, not the attribute `{attr}`"),
                )
                .with_related(related);
            let (object, last) = attr.rsplit_once('.').unwrap_or((attr, ""));
            let diag = if last == "server"
                && !py.defines("server")
                && py.dash_apps.iter().any(|d| d.name == object)
            {
                // `app:app.server`: define `server` and target it, in one fix.
                let dash_app = py
                    .dash_apps
                    .iter()
                    .find(|d| d.name == object)
                    .expect("checked above");
                let text = app.ws.text(module_file).unwrap_or("");
                let mut fix =
                    crate::helpers::insert_server_fix(module_file, text, dash_app, "server");
                fix.message = format!(
                    "Add `server = {object}.server` to {} and target `{module_name}:server`",
                    module_file.display()
                );
                fix.edits.push(retarget_edit(
                    file,
                    target,
                    &format!("{module_name}:server"),
                ));
                diag.with_fix(fix)
            } else {
                with_candidates(app, diag, file, target, "server")
            };
            out.push(diag);
        }
        TargetVariable::Invalid(var) => {
            let diag = RULE.diagnostic(
                &file.path,
                target.span.clone(),
                format!(
                    "`{var}` is not a variable name or a call `name(...)`: gunicorn cannot load it"
                ),
            );
            out.push(with_candidates(app, diag, file, target, "server"));
        }
        TargetVariable::Default => {
            if py.defines("application") {
                return;
            }
            let diag = RULE
                .diagnostic(
                    &file.path,
                    target.span.clone(),
                    format!("No variable after `{module_name}`: gunicorn looks for `application`, which {} does not define", module_file.display()),
                )
                .with_related(related);
            out.push(with_candidates(app, diag, file, target, "server"));
        }
        TargetVariable::Name(name) | TargetVariable::Call(name) => {
            if !py.defines(name) {
                // A module with a Dash app object but without the name: DL101 reports it.
                if py.dash_apps.is_empty() {
                    let diag = RULE
                        .diagnostic(
                            &file.path,
                            target.span.clone(),
                            format!(
                                "`{name}` is not defined at module level in {}",
                                module_file.display()
                            ),
                        )
                        .with_related(related);
                    out.push(with_candidates(app, diag, file, target, name));
                }
                return;
            }
            let is_dash_object = matches!(
                py.binding(name).map(|b| &b.kind),
                Some(BindingKind::Assigned(ValueKind::DashApp))
            );
            if is_dash_object
                && matches!(target.variable, TargetVariable::Name(_))
                && app.dash_pinned_below("3.1")
            {
                let diag = RULE
                    .diagnostic(
                        &file.path,
                        target.span.clone(),
                        format!("`{name}` is the Dash object, which is a WSGI app only from Dash 3.1, and requirements pin dash below 3.1: target its `.server`"),
                    )
                    .with_related(related);
                let fix = if let Some(server) = wsgi_names(py).into_iter().next() {
                    Fix::preferred(
                        format!("Target `{module_name}:{server}`"),
                        vec![retarget_edit(
                            file,
                            target,
                            &format!("{module_name}:{server}"),
                        )],
                    )
                } else {
                    let dash_app = py
                        .dash_apps
                        .iter()
                        .find(|d| &d.name == name)
                        .expect("name binds a Dash app");
                    let text = app.ws.text(module_file).unwrap_or("");
                    let mut fix =
                        crate::helpers::insert_server_fix(module_file, text, dash_app, "server");
                    fix.message =
                        format!("Add `server = {name}.server` and target `{module_name}:server`");
                    fix.edits.push(retarget_edit(
                        file,
                        target,
                        &format!("{module_name}:server"),
                    ));
                    fix
                };
                out.push(diag.with_fix(fix));
            }
        }
    }
}

/// Module-level names of a module that are WSGI apps gunicorn can serve.
fn wsgi_names(py: &PythonModule) -> Vec<String> {
    py.names
        .values()
        .filter(|b| match &b.kind {
            BindingKind::Assigned(ValueKind::ServerOf(_) | ValueKind::Flask) => true,
            BindingKind::Imported { target } => b.name == "server" || target.ends_with(".server"),
            _ => b.name == "application" || b.name == "server",
        })
        .map(|b| b.name.clone())
        .collect()
}

fn retarget_edit(file: &FileRef, target: &Target, new_target: &str) -> FileEdit {
    FileEdit::Replace {
        file: file.path.clone(),
        range: target.inner.clone(),
        new_text: new_target.to_string(),
    }
}

/// Offers every `module:variable` of the app that gunicorn could serve: modules defining
/// `wanted` first, then each module's WSGI names. None is preferred: each changes what runs.
fn with_candidates(
    app: &App,
    mut diag: Diagnostic,
    file: &FileRef,
    target: &Target,
    wanted: &str,
) -> Diagnostic {
    let mut candidates: Vec<String> = Vec::new();
    // gunicorn imports from the folder it runs in (`--chdir`, Render's `rootDir`, ...).
    let cwd = app.working_dir();
    for module in &app.modules {
        let Some(py) = app.python(module) else {
            continue;
        };
        let Ok(rel) = module.strip_prefix(&cwd) else {
            continue;
        };
        let name = app.module_name(&app.root.join(rel));
        if name.is_empty()
            || name
                .split('.')
                .any(|p| !dash_lsp_analysis::gunicorn::is_identifier(p))
        {
            continue;
        }
        let mut names = wsgi_names(py);
        if py.names.contains_key(wanted) && !names.iter().any(|n| n == wanted) {
            names.insert(0, wanted.to_string());
        }
        candidates.extend(names.into_iter().map(|n| format!("{name}:{n}")));
    }
    candidates.dedup();
    for candidate in candidates {
        let edit = retarget_edit(file, target, &candidate);
        // A candidate is a guess at what the app meant to serve (RULES.md rev 2: unsafe).
        diag =
            diag.with_fix(Fix::alternative(format!("Target `{candidate}`"), vec![edit]).unsafe_());
    }
    diag
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    const APP: &str = "import dash\napp = dash.Dash()\nserver = app.server\n";

    #[test]
    fn missing_module_offers_the_candidate() {
        let files = [
            ("Procfile", "web: gunicorn application:server -w 4\n"),
            ("app.py", APP),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL106");
        assert_eq!(covered(&ws, &d[0]), "application:server");
        assert_eq!(d[0].message, "Module `application` not found in the app: neither application.py nor application/__init__.py exists");
        assert!(!d[0].fixes[0].preferred);
        let fixed = fix_round_trip(&files, "DL106", 0);
        assert_eq!(text(&fixed, "Procfile"), "web: gunicorn app:server -w 4\n");
    }

    #[test]
    fn module_in_the_parent_folder_is_named() {
        let files = [
            ("apps/Procfile", "web: gunicorn index:server\n"),
            ("apps/page1.py", "x = 1\n"),
            ("index.py", "from app import app, server\n"),
            ("app.py", APP),
        ];
        let d = check_files(&files, "DL106");
        assert_eq!(d[0].file.to_str(), Some("apps/Procfile"));
        assert_eq!(d[0].message, "Module `index` not found in the app: neither index.py nor index/__init__.py exists (index.py is in the parent folder: gunicorn runs in apps, where the descriptor is)");
    }

    #[test]
    fn targets_in_other_descriptors() {
        let files = [
            (
                "render.yaml",
                "services:\n  - type: web\n    startCommand: gunicorn --chdir src main:server\n",
            ),
            ("requirements.txt", "dash\ngunicorn\n"),
            ("src/app.py", APP),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL106");
        assert_eq!(d[0].file.to_str(), Some("render.yaml"));
        assert_eq!(covered(&ws, &d[0]), "main:server");
        let fixed = fix_round_trip(&files, "DL106", 0);
        assert_eq!(
            text(&fixed, "render.yaml"),
            "services:\n  - type: web\n    startCommand: gunicorn --chdir src app:server\n"
        );
        let docker = [
            (
                "Dockerfile",
                "FROM python\nCMD [\"gunicorn\", \"app:create_app()\"]\n",
            ),
            (
                "app.py",
                "import dash\ndef create_app():\n    app = dash.Dash()\n    return app.server\n",
            ),
        ];
        assert!(check_files(&docker, "DL106").is_empty());
    }

    #[test]
    fn attribute_target_defines_server_and_retargets() {
        let files = [
            ("Procfile", "web: gunicorn app:app.server -w 4\n"),
            ("app.py", "import dash\napp = dash.Dash()\n"),
        ];
        let d = check_files(&files, "DL106");
        assert_eq!(d[0].message, "gunicorn accepts only a name or a call `name(...)` after the colon, not the attribute `app.server`");
        let fixed = fix_round_trip(&files, "DL106", 0);
        assert_eq!(text(&fixed, "Procfile"), "web: gunicorn app:server -w 4\n");
        assert_eq!(
            text(&fixed, "app.py"),
            "import dash\napp = dash.Dash()\nserver = app.server\n"
        );
    }

    #[test]
    fn variable_missing_in_module_without_dash_app() {
        let files = [
            ("Procfile", "web: gunicorn index:srv -w 4\n"),
            ("index.py", "from app import app, server\n"),
            ("app.py", APP),
        ];
        let d = check_files(&files, "DL106");
        assert_eq!(
            d[0].message,
            "`srv` is not defined at module level in index.py"
        );
        // Two modules export `server`: both offered, neither preferred.
        assert_eq!(
            d[0].fixes
                .iter()
                .map(|f| f.message.as_str())
                .collect::<Vec<_>>(),
            ["Target `app:server`", "Target `index:server`"]
        );
        assert!(d[0].fixes.iter().all(|f| !f.preferred));
    }

    #[test]
    fn factory_and_imported_targets_resolve() {
        let factory =
            "import dash\ndef create_server():\n    app = dash.Dash()\n    return app.server\n";
        assert!(check_files(
            &[
                ("Procfile", "web: gunicorn \"app:create_server()\" -w 4\n"),
                ("app.py", factory)
            ],
            "DL106"
        )
        .is_empty());
        assert!(check_files(
            &[
                ("Procfile", "web: gunicorn index:server -w 4\n"),
                ("index.py", "from app import app, server\n"),
                ("app.py", APP)
            ],
            "DL106"
        )
        .is_empty());
    }

    #[test]
    fn no_target_and_default_application() {
        let files = [("Procfile", "web: gunicorn --workers 4\n"), ("app.py", APP)];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL106");
        assert_eq!(covered(&ws, &d[0]), "gunicorn --workers 4");
        let fixed = fix_round_trip(&files, "DL106", 0);
        assert_eq!(
            text(&fixed, "Procfile"),
            "web: gunicorn app:server --workers 4\n"
        );
        let d = check_files(
            &[("Procfile", "web: gunicorn app -w 4\n"), ("app.py", APP)],
            "DL106",
        );
        assert_eq!(d[0].message, "No variable after `app`: gunicorn looks for `application`, which app.py does not define");
        assert!(check_files(
            &[
                ("Procfile", "web: gunicorn app -w 4\n"),
                ("app.py", "application = 1\n")
            ],
            "DL106"
        )
        .is_empty());
    }

    #[test]
    fn dash_object_target_depends_on_dash_version() {
        let app = "import dash\napp = dash.Dash()\n";
        let old = [
            ("Procfile", "web: gunicorn app:app -w 4\n"),
            ("app.py", app),
            ("requirements.txt", "dash==2.18.2\ngunicorn\n"),
        ];
        let fixed = fix_round_trip(&old, "DL106", 0);
        assert_eq!(text(&fixed, "Procfile"), "web: gunicorn app:server -w 4\n");
        assert_eq!(
            text(&fixed, "app.py"),
            "import dash\napp = dash.Dash()\nserver = app.server\n"
        );
        let new = [
            ("Procfile", "web: gunicorn app:app -w 4\n"),
            ("app.py", app),
            ("requirements.txt", "dash>=3.1\ngunicorn\n"),
        ];
        assert!(check_files(&new, "DL106").is_empty());
    }

    #[test]
    fn path_traversal_is_not_a_module() {
        let d = check_files(
            &[
                ("Procfile", "web: gunicorn ../../etc/passwd:server\n"),
                ("app.py", APP),
            ],
            "DL106",
        );
        assert_eq!(d[0].message, "`../../etc/passwd` is not a Python module name: gunicorn imports a dotted module (`pkg.app`), not a path");
    }
}
