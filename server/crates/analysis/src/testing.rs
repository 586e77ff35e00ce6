//! Test helpers shared with the rules' tests (feature `testing`): a workspace from literal
//! files, made an app root the way RULES.md rev 2 defines one.

use std::path::Path;

use crate::python::PythonModule;
use crate::Workspace;

/// A workspace of literal files, made an app root as RULES.md rev 2 defines one (a folder with
/// a Procfile or a Dash app object): when the files hold no Python module, a minimal served
/// `app.py` is added beside the first file; when their modules hold no Dash app object and
/// there is no Procfile, a `Procfile` serving `app:server` is added, so rule tests written
/// around plain modules still check an app.
pub fn workspace(files: &[(&str, &str)]) -> Workspace {
    let mut ws = Workspace::from_texts(files);
    let Some((first, _)) = files.first() else {
        return ws;
    };
    let dir = Path::new(first).parent().unwrap_or(Path::new(""));
    let python: Vec<&str> = files
        .iter()
        .filter(|(p, _)| p.ends_with(".py"))
        .map(|(_, t)| *t)
        .collect();
    let has_procfile = files.iter().any(|(p, _)| {
        let name = Path::new(p)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("");
        name == "Procfile" || crate::descriptors::is_descriptor_name(name)
    });
    let r_app = files.iter().any(|(p, _)| p.ends_with(".R"));
    if python.is_empty() && !r_app {
        ws.insert_text(dir.join("app.py"), DEFAULT_APP);
    } else if !has_procfile
        && python
            .iter()
            .all(|t| PythonModule::parse(t).dash_apps.is_empty())
    {
        ws.insert_text(
            dir.join("Procfile"),
            "web: gunicorn app:server --workers 2\n",
        );
    }
    ws
}

/// The app a test without Python modules checks: a Dash app with its server exported.
pub const DEFAULT_APP: &str = "import dash\n\napp = dash.Dash(__name__)\nserver = app.server\n";
