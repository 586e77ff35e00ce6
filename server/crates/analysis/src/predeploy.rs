//! Dokku / Dash Enterprise `app.json`: the `scripts.dokku.predeploy` command runs before the
//! app starts, and the requirements files it installs (`pip install -r
//! requirements-predeploy.txt`, directly or in a shell script it runs) are part of what the
//! platform installs.

use std::path::{Path, PathBuf};

use super::shell::{self, Token};
use super::workspace::{join_relative, Workspace};

pub(crate) const APP_JSON: &str = "app.json";

/// The requirements files the app root's predeploy command installs, relative paths resolved
/// from the app root (Dokku runs the command there). A broken `app.json` gives none.
pub(crate) fn requirement_files(ws: &Workspace, root: &Path) -> Vec<PathBuf> {
    let Some(text) = ws.text(&root.join(APP_JSON)) else {
        return Vec::new();
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let Some(command) = json
        .pointer("/scripts/dokku/predeploy")
        .and_then(|c| c.as_str())
    else {
        return Vec::new();
    };
    let mut files = Vec::new();
    for words in commands(command) {
        files.extend(installed(&words));
        // `bash predeploy.sh`, `sh x.sh`, `./x.sh`: its `pip install -r` lines count too.
        if let Some(script) = super::shell::script_of(words.iter().map(String::as_str)) {
            if let Some(script_text) = join_relative(root, &script).and_then(|p| ws.text(&p)) {
                for words in commands(script_text) {
                    files.extend(installed(&words));
                }
            }
        }
    }
    let mut out = Vec::new();
    for file in files {
        if let Some(path) = join_relative(root, &file) {
            if !out.contains(&path) {
                out.push(path);
            }
        }
    }
    out
}

/// The simple commands of a shell text, each as its words.
fn commands(text: &str) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new()];
    for token in shell::split(text, 0..text.len()) {
        match token {
            Token::Word { value, .. } => {
                if let Some(c) = out.last_mut() {
                    c.push(value);
                }
            }
            Token::Operator { .. } => out.push(Vec::new()),
        }
    }
    out.retain(|c| !c.is_empty());
    out
}

/// The `-r` files of a `pip install` command (`pip`, `pip3`, `python -m pip`).
fn installed(words: &[String]) -> Vec<String> {
    let words: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .skip_while(|w| w.contains('=') && !w.starts_with('-'))
        .collect();
    let rest = match words.as_slice() {
        [pip, "install", rest @ ..] if is_pip(pip) => rest,
        [python, "-m", "pip", "install", rest @ ..] if python.starts_with("python") => rest,
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    let mut it = rest.iter();
    while let Some(w) = it.next() {
        if *w == "-r" || *w == "--requirement" {
            out.extend(it.next().map(|f| f.to_string()));
        } else if let Some(f) = w.strip_prefix("--requirement=") {
            out.push(f.to_string());
        } else if let Some(f) = w.strip_prefix("-r").filter(|f| !f.is_empty()) {
            out.push(f.to_string());
        }
    }
    out
}

fn is_pip(word: &str) -> bool {
    let name = word.rsplit('/').next().unwrap_or(word);
    name == "pip"
        || name
            .strip_prefix("pip")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_and_script() {
        let w = Workspace::from_texts(&[(
            "a/app.json",
            r#"{"scripts": {"dokku": {"predeploy": "pip install -r requirements-predeploy.txt && python predeploy.py"}}}"#,
        )]);
        assert_eq!(
            requirement_files(&w, Path::new("a")),
            [PathBuf::from("a/requirements-predeploy.txt")]
        );
        let w = Workspace::from_texts(&[
            (
                "app.json",
                r#"{"scripts": {"dokku": {"predeploy": "bash predeploy.sh"}}}"#,
            ),
            (
                "predeploy.sh",
                "pip install --upgrade pip # latest\npip3 install -r req-a.txt  # now\npython -m pip install --requirement=req-b.txt\nif [ -f x ]; then\n  python x.py\nfi",
            ),
        ]);
        assert_eq!(
            requirement_files(&w, Path::new("")),
            [PathBuf::from("req-a.txt"), PathBuf::from("req-b.txt")]
        );
    }

    #[test]
    fn broken_or_other_app_json() {
        for text in [
            "{not json",
            "[]",
            r#"{"scripts": {"dokku": {"predeploy": 3}}}"#,
            "",
        ] {
            let w = Workspace::from_texts(&[("app.json", text)]);
            assert!(requirement_files(&w, Path::new("")).is_empty(), "{text}");
        }
    }
}
