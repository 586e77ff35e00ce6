//! Deploy descriptors besides the Procfile: where a platform reads the app's start command
//! (`render.yaml`, `fly.toml`, a compose file, a `Dockerfile`). The command keeps exact byte
//! ranges in the file it is written in, so findings about it (DL105, DL106, DL114) point there.

use std::ops::Range;
use std::path::{Path, PathBuf};

use saphyr_parser::{Event, Parser, ScalarStyle};

use super::project::FileRef;
use super::shell::{self, Token};
use super::workspace::{join_relative, Workspace};

pub(crate) const RENDER: &[&str] = &["render.yaml", "render.yml"];
pub(crate) const FLY: &str = "fly.toml";
pub(crate) const COMPOSE: &[&str] = &[
    "docker-compose.yml",
    "docker-compose.yaml",
    "compose.yaml",
    "compose.yml",
];
pub(crate) const DOCKERFILE: &str = "Dockerfile";

/// Every descriptor file name besides `Procfile` (read as text by the workspace).
pub fn is_descriptor_name(name: &str) -> bool {
    RENDER.contains(&name) || COMPOSE.contains(&name) || name == FLY || name == DOCKERFILE
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DescriptorKind {
    Procfile,
    RenderYaml,
    FlyToml,
    Compose,
    Dockerfile,
}

impl DescriptorKind {
    /// How a message names the command: "the Dockerfile's `CMD`".
    pub fn command_name(self) -> &'static str {
        match self {
            DescriptorKind::Procfile => "the Procfile's `web` command",
            DescriptorKind::RenderYaml => "render.yaml's `startCommand`",
            DescriptorKind::FlyToml => "fly.toml's command",
            DescriptorKind::Compose => "the compose file's `command`",
            DescriptorKind::Dockerfile => "the Dockerfile's `CMD`",
        }
    }

    /// Whether the platform sends traffic to the port in `$PORT` and nowhere else: Heroku,
    /// Dokku and Dash Enterprise (Procfile). A container maps the port it is told
    /// (Dockerfile, compose, fly.toml `internal_port`), and Render scans for the port the
    /// service opens, so a fixed bind is normal there.
    pub fn routes_only_to_port(self) -> bool {
        self == DescriptorKind::Procfile
    }
}

/// A start command read from a descriptor.
#[derive(Clone, Debug)]
pub(crate) struct StartCommand {
    pub kind: DescriptorKind,
    pub file: FileRef,
    /// The command as written: a shell string, or an exec-form array with its brackets.
    pub range: Range<usize>,
    /// Its words; spans are offsets into `file`'s text.
    pub tokens: Vec<Token>,
    /// Exec form (an array of strings): a replacement must be an array too.
    pub exec: bool,
    /// Whether `range` can be replaced by a new command (not when an ENTRYPOINT and a CMD
    /// together make the command, or for a block sequence).
    pub replaceable: bool,
    /// The folder the command runs in (Render `rootDir`, compose `build` context, the folder
    /// a Dockerfile copies into its WORKDIR).
    pub base: PathBuf,
}

/// Whether `root` has a descriptor other than the Procfile (a Dockerfile-only app needs no
/// Procfile).
pub fn has_descriptor(ws: &Workspace, root: &Path) -> bool {
    RENDER
        .iter()
        .chain(COMPOSE)
        .chain([&FLY, &DOCKERFILE])
        .any(|name| ws.exists(&root.join(name)))
}

/// The start command of the first descriptor of `root` that has one: `render.yaml`,
/// `fly.toml`, a compose file, then the `Dockerfile` (fly.toml and compose without a command
/// run the image's own CMD).
pub(crate) fn start_command(ws: &Workspace, root: &Path) -> Option<StartCommand> {
    let file = |name: &str| {
        let path = root.join(name);
        ws.source(&path).map(|source| FileRef {
            path,
            source: source.clone(),
        })
    };
    RENDER
        .iter()
        .filter_map(|n| file(n))
        .find_map(|f| render(f, root))
        .or_else(|| file(FLY).and_then(|f| fly(f, root)))
        .or_else(|| {
            COMPOSE
                .iter()
                .filter_map(|n| file(n))
                .find_map(|f| compose(f, root))
        })
        .or_else(|| file(DOCKERFILE).and_then(|f| dockerfile(ws, f, root)))
}

/// A YAML node with byte spans (the parser gives character indices).
#[derive(Debug)]
enum Yaml {
    Scalar {
        value: String,
        style: ScalarStyle,
        span: Range<usize>,
    },
    Seq(Vec<Yaml>),
    Map(Vec<(Yaml, Yaml)>),
    Other,
}

impl Yaml {
    fn get(&self, key: &str) -> Option<&Yaml> {
        let Yaml::Map(entries) = self else {
            return None;
        };
        entries
            .iter()
            .find(|(k, _)| matches!(k, Yaml::Scalar { value, .. } if value == key))
            .map(|(_, v)| v)
    }

    fn str(&self) -> Option<&str> {
        match self {
            Yaml::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }
}

/// Parses the first document of a YAML file; `None` when it is not YAML.
fn parse_yaml(text: &str) -> Option<Yaml> {
    let bytes: Vec<usize> = text
        .char_indices()
        .map(|(b, _)| b)
        .chain([text.len()])
        .collect();
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_event()? {
            Ok((Event::DocumentStart(_), _)) => break,
            Ok((Event::StreamEnd, _)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
    yaml_node(&mut parser, &bytes, 0)
}

fn yaml_node(
    parser: &mut Parser<'_, impl saphyr_parser::Input>,
    bytes: &[usize],
    depth: usize,
) -> Option<Yaml> {
    // Deep nesting is not a descriptor: stop before the stack does.
    if depth > 64 {
        return None;
    }
    let (event, span) = parser.next_event()?.ok()?;
    let byte = |i: usize| bytes.get(i).copied().unwrap_or(*bytes.last().unwrap_or(&0));
    match event {
        Event::Scalar(value, style, ..) => Some(Yaml::Scalar {
            value: value.into_owned(),
            style,
            span: byte(span.start.index())..byte(span.end.index()),
        }),
        Event::SequenceStart(..) => {
            let mut items = Vec::new();
            loop {
                if matches!(parser.peek()?, Ok((Event::SequenceEnd, _))) {
                    parser.next_event();
                    return Some(Yaml::Seq(items));
                }
                items.push(yaml_node(parser, bytes, depth + 1)?);
            }
        }
        Event::MappingStart(..) => {
            let mut entries = Vec::new();
            loop {
                if matches!(parser.peek()?, Ok((Event::MappingEnd, _))) {
                    parser.next_event();
                    return Some(Yaml::Map(entries));
                }
                let key = yaml_node(parser, bytes, depth + 1)?;
                let value = yaml_node(parser, bytes, depth + 1)?;
                entries.push((key, value));
            }
        }
        Event::Alias(_) => Some(Yaml::Other),
        _ => None,
    }
}

/// The byte range of a scalar's value in `text`, when the value is written verbatim there
/// (a plain or quoted scalar without escapes on one line); block scalars and escapes are not.
fn verbatim(
    text: &str,
    value: &str,
    style: ScalarStyle,
    span: &Range<usize>,
) -> Option<Range<usize>> {
    let range = match style {
        ScalarStyle::Plain => span.clone(),
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if span.len() >= 2 => {
            span.start + 1..span.end - 1
        }
        _ => return None,
    };
    (text.get(range.clone()) == Some(value)).then_some(range)
}

/// A command given as a YAML string or sequence of strings.
fn yaml_command(
    kind: DescriptorKind,
    file: &FileRef,
    node: &Yaml,
    base: PathBuf,
) -> Option<StartCommand> {
    let text = file.text();
    match node {
        Yaml::Scalar { value, style, span } => {
            let range = verbatim(text, value, *style, span)?;
            Some(StartCommand {
                kind,
                file: file.clone(),
                tokens: unwrap_shell_c(text, shell::split(text, range.clone())),
                range,
                exec: false,
                replaceable: true,
                base,
            })
        }
        Yaml::Seq(items) => {
            let mut tokens = Vec::new();
            for item in items {
                let Yaml::Scalar { value, style, span } = item else {
                    return None;
                };
                verbatim(text, value, *style, span)?;
                tokens.push(Token::Word {
                    span: span.clone(),
                    value: value.clone(),
                });
            }
            let first = tokens.first()?.span().start;
            let last = tokens.last()?.span().end;
            let (range, flow) = bracketed(text, first..last);
            Some(StartCommand {
                kind,
                file: file.clone(),
                tokens: unwrap_shell_c(text, tokens),
                range,
                exec: true,
                replaceable: flow,
                base,
            })
        }
        _ => None,
    }
}

/// Widens the span of an array's items to its brackets when they are there (flow form).
fn bracketed(text: &str, items: Range<usize>) -> (Range<usize>, bool) {
    let before = text[..items.start].trim_end();
    let after = text[items.end..].trim_start();
    if before.ends_with('[') && after.starts_with(']') {
        let start = before.len() - 1;
        let end = text.len() - after.len() + 1;
        (start..end, true)
    } else {
        (items, false)
    }
}

/// `["sh", "-c", "gunicorn ..."]`: the string is a shell command; its words stand for the
/// array's when it is written verbatim.
fn unwrap_shell_c(text: &str, tokens: Vec<Token>) -> Vec<Token> {
    let words: Vec<&str> = tokens.iter().filter_map(Token::word).collect();
    if let [sh, "-c", ..] = words.as_slice() {
        let base = sh.rsplit('/').next().unwrap_or(sh);
        if matches!(base, "sh" | "bash" | "dash" | "zsh") {
            if let Some(Token::Word { span, value }) = tokens.get(2) {
                let inner = span.start + 1..span.end.saturating_sub(1);
                if inner.start <= inner.end && text.get(inner.clone()) == Some(value.as_str()) {
                    return shell::split(text, inner);
                }
            }
        }
    }
    tokens
}

/// `render.yaml`: the first service of type `web` with a `startCommand` (Docker services:
/// `dockerCommand`); `rootDir` is where it runs.
fn render(file: FileRef, root: &Path) -> Option<StartCommand> {
    let doc = parse_yaml(file.text())?;
    let Some(Yaml::Seq(services)) = doc.get("services") else {
        return None;
    };
    services.iter().find_map(|service| {
        if service.get("type").and_then(Yaml::str) != Some("web") {
            return None;
        }
        let command = service
            .get("startCommand")
            .or_else(|| service.get("dockerCommand"))?;
        let base = service
            .get("rootDir")
            .and_then(Yaml::str)
            .and_then(|d| join_relative(root, d))
            .unwrap_or_else(|| root.to_path_buf());
        yaml_command(DescriptorKind::RenderYaml, &file, command, base)
    })
}

/// A compose file: the `command` of the first service built from the app (`build:`); the
/// build context is where it runs.
fn compose(file: FileRef, root: &Path) -> Option<StartCommand> {
    let doc = parse_yaml(file.text())?;
    let Some(Yaml::Map(services)) = doc.get("services") else {
        return None;
    };
    services.iter().find_map(|(_, service)| {
        let build = service.get("build")?;
        let context = build
            .str()
            .or_else(|| build.get("context").and_then(Yaml::str))
            .unwrap_or(".");
        let base = join_relative(root, context).unwrap_or_else(|| root.to_path_buf());
        yaml_command(
            DescriptorKind::Compose,
            &file,
            service.get("command")?,
            base,
        )
    })
}

/// `fly.toml`: `[processes]` (the `app` process, else the first) or `[experimental] cmd`.
fn fly(file: FileRef, root: &Path) -> Option<StartCommand> {
    let doc = toml_edit::Document::parse(file.text().to_string()).ok()?;
    let table = doc.as_table();
    let processes = table.get("processes").and_then(|p| p.as_table_like());
    let value = processes
        .and_then(|p| p.get("app").or_else(|| p.iter().next().map(|(_, v)| v)))
        .or_else(|| {
            table
                .get("experimental")
                .and_then(|e| e.as_table_like())
                .and_then(|e| e.get("cmd"))
        })?
        .as_value()?;
    let text = file.text();
    let string_token = |v: &toml_edit::Value| {
        let span = v.span()?;
        let s = v.as_str()?;
        Some(Token::Word {
            span,
            value: s.to_string(),
        })
    };
    let base = root.to_path_buf();
    match value {
        toml_edit::Value::String(_) => {
            let Token::Word { span, value } = string_token(value)? else {
                return None;
            };
            let inner = span.start + 1..span.end.saturating_sub(1);
            (text.get(inner.clone()) == Some(value.as_str())).then(|| StartCommand {
                kind: DescriptorKind::FlyToml,
                file: file.clone(),
                tokens: unwrap_shell_c(text, shell::split(text, inner.clone())),
                range: inner,
                exec: false,
                replaceable: true,
                base,
            })
        }
        toml_edit::Value::Array(array) => {
            let tokens: Vec<Token> = array.iter().map(string_token).collect::<Option<_>>()?;
            let range = array.span()?;
            Some(StartCommand {
                kind: DescriptorKind::FlyToml,
                file: file.clone(),
                tokens: unwrap_shell_c(text, tokens),
                range,
                exec: true,
                replaceable: true,
                base,
            })
        }
        _ => None,
    }
}

/// One Dockerfile instruction: its keyword (upper-cased) and arguments' range.
struct Instruction {
    keyword: String,
    args: Range<usize>,
}

/// Splits a Dockerfile into instructions (`\` at the end of a line continues it; `#` lines
/// are comments).
fn instructions(text: &str) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut current: Option<(String, usize)> = None;
    for line in dash_lsp_syntax::text::lines_inclusive(text) {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();
        let continued = content.trim_end().ends_with('\\');
        if current.is_none() {
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let lead = content.len() - trimmed.len();
            let keyword_len = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
            let keyword = trimmed[..keyword_len].to_ascii_uppercase();
            let rest = &trimmed[keyword_len..];
            let args_start = start + lead + keyword_len + (rest.len() - rest.trim_start().len());
            current = Some((keyword, args_start));
        }
        if !continued {
            if let Some((keyword, args_start)) = current.take() {
                let end = start + content.trim_end().len();
                out.push(Instruction {
                    keyword,
                    args: args_start.min(end)..end,
                });
            }
        }
    }
    if let Some((keyword, args_start)) = current {
        let end = text.trim_end().len().max(args_start);
        out.push(Instruction {
            keyword,
            args: args_start..end,
        });
    }
    out
}

/// Exec form: a JSON array of strings. `None` when the text is not one (Docker then runs it
/// as a shell command).
fn json_array(text: &str, range: Range<usize>) -> Option<Vec<Token>> {
    let s = text.get(range.clone())?;
    let b = s.as_bytes();
    let mut i = 0;
    let skip = |i: &mut usize| {
        while *i < b.len() {
            match b[*i] {
                b' ' | b'\t' | b'\r' | b'\n' => *i += 1,
                b'\\' if matches!(b.get(*i + 1), Some(b'\n' | b'\r')) => *i += 1,
                _ => break,
            }
        }
    };
    skip(&mut i);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    i += 1;
    let mut tokens = Vec::new();
    loop {
        skip(&mut i);
        match b.get(i)? {
            b']' if tokens.is_empty() => return Some(tokens),
            b'"' => {}
            _ => return None,
        }
        let start = i;
        i += 1;
        let mut value = String::new();
        loop {
            let c = *b.get(i)?;
            match c {
                b'"' => break,
                b'\\' => {
                    let e = *b.get(i + 1)?;
                    match e {
                        b'"' | b'\\' | b'/' => value.push(e as char),
                        b'n' => value.push('\n'),
                        b't' => value.push('\t'),
                        _ => return None,
                    }
                    i += 2;
                }
                _ => {
                    let len = s[i..].chars().next()?.len_utf8();
                    value.push_str(&s[i..i + len]);
                    i += len;
                }
            }
        }
        i += 1;
        tokens.push(Token::Word {
            span: range.start + start..range.start + i,
            value,
        });
        skip(&mut i);
        match b.get(i)? {
            b',' => i += 1,
            b']' => {
                i += 1;
                skip(&mut i);
                return (i == b.len()).then_some(tokens);
            }
            _ => return None,
        }
    }
}

/// The Dockerfile of the final stage: its ENTRYPOINT and CMD (exec form: ENTRYPOINT's words
/// then CMD's), and the folder copied into the WORKDIR, where the command runs.
fn dockerfile(ws: &Workspace, file: FileRef, root: &Path) -> Option<StartCommand> {
    let text = file.text();
    let mut cmd: Option<Range<usize>> = None;
    let mut entrypoint: Option<Range<usize>> = None;
    let mut workdir = String::from("/");
    let mut copied: Option<String> = None;
    for ins in instructions(text) {
        let args = &text[ins.args.clone()];
        match ins.keyword.as_str() {
            "FROM" => {
                cmd = None;
                entrypoint = None;
                workdir = "/".into();
                copied = None;
            }
            "CMD" => cmd = Some(ins.args),
            "ENTRYPOINT" => entrypoint = Some(ins.args),
            "WORKDIR" => {
                let dir = args.trim().trim_matches('"');
                workdir = if dir.starts_with('/') {
                    dir.to_string()
                } else {
                    format!("{}/{dir}", workdir.trim_end_matches('/'))
                };
            }
            "COPY" | "ADD" => {
                let words: Vec<String> = shell::split(text, ins.args.clone())
                    .iter()
                    .filter_map(|t| t.word().map(str::to_string))
                    .collect();
                if words.iter().any(|w| w.starts_with("--from")) {
                    continue;
                }
                let words: Vec<&String> = words.iter().filter(|w| !w.starts_with("--")).collect();
                if let [src, dest] = words.as_slice() {
                    let norm = |p: &str| p.trim_end_matches('/').to_string();
                    let into_workdir = matches!(dest.as_str(), "." | "./")
                        || norm(dest) == norm(&workdir)
                        || (dest.starts_with('/')
                            && norm(dest).is_empty()
                            && norm(&workdir).is_empty());
                    if into_workdir {
                        let src = src.trim_end_matches('/');
                        if matches!(src, "." | "") {
                            copied = Some(".".into());
                        } else if let Some(dir) = join_relative(root, src) {
                            // A folder, not a file such as requirements.txt.
                            if ws.source(&dir).is_none() && ws.files_under(&dir).next().is_some() {
                                copied = Some(src.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let base = copied
        .and_then(|c| join_relative(root, &c))
        .unwrap_or_else(|| root.to_path_buf());
    let words = |range: &Range<usize>| match json_array(text, range.clone()) {
        Some(tokens) => (unwrap_shell_c(text, tokens), true),
        None => (shell::split(text, range.clone()), false),
    };
    let (range, tokens, exec, replaceable) = match (&entrypoint, &cmd) {
        (Some(ep), Some(c)) => {
            let (mut tokens, exec) = words(ep);
            // A shell-form ENTRYPOINT ignores CMD.
            if exec {
                tokens.extend(words(c).0);
            }
            (ep.clone(), tokens, exec, false)
        }
        (Some(only), None) | (None, Some(only)) => {
            let (tokens, exec) = words(only);
            (only.clone(), tokens, exec, true)
        }
        (None, None) => return None,
    };
    Some(StartCommand {
        kind: DescriptorKind::Dockerfile,
        file,
        range,
        tokens,
        exec,
        replaceable,
        base,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(c: &StartCommand) -> Vec<&str> {
        c.tokens.iter().filter_map(Token::word).collect()
    }

    #[test]
    fn render_yaml_start_command_and_root_dir() {
        let text = "services:\n  # web\n  - type: worker\n    startCommand: celery -A t worker\n  - type: web\n    name: x\n    rootDir: src\n    startCommand: gunicorn --chdir src app:server\n";
        let w = Workspace::from_texts(&[("render.yaml", text)]);
        let c = start_command(&w, Path::new("")).unwrap();
        assert_eq!(c.kind, DescriptorKind::RenderYaml);
        assert_eq!(&text[c.range.clone()], "gunicorn --chdir src app:server");
        assert_eq!(c.base, PathBuf::from("src"));
        assert!(!c.exec);
        let quoted = "services:\n- type: web\n  startCommand: \"gunicorn 'app:create_app()'\"\n";
        let w = Workspace::from_texts(&[("render.yaml", quoted)]);
        let c = start_command(&w, Path::new("")).unwrap();
        assert_eq!(&quoted[c.range.clone()], "gunicorn 'app:create_app()'");
        assert_eq!(words(&c), ["gunicorn", "app:create_app()"]);
        // Not YAML, no web service, a block scalar: no command (and no panic).
        for bad in [
            "services: [",
            "services:\n- type: worker\n  startCommand: x\n",
            "services:\n- type: web\n  startCommand: >\n    gunicorn app:server\n",
            "\u{0}\u{feff}:\n:",
        ] {
            assert!(
                start_command(
                    &Workspace::from_texts(&[("render.yaml", bad)]),
                    Path::new("")
                )
                .is_none(),
                "{bad}"
            );
        }
    }

    #[test]
    fn dockerfile_exec_shell_and_entrypoint() {
        let text = "FROM python:3.12 AS build\nCMD [\"python\", \"x.py\"]\nFROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nCOPY src/ /app/\nCMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8050\", \\\n     \"app:server\"]\n";
        let w = Workspace::from_texts(&[("Dockerfile", text), ("src/app.py", "")]);
        let c = start_command(&w, Path::new("")).unwrap();
        assert_eq!(c.kind, DescriptorKind::Dockerfile);
        assert!(c.exec && c.replaceable);
        assert_eq!(
            words(&c),
            ["gunicorn", "--bind", "0.0.0.0:8050", "app:server"]
        );
        assert_eq!(&text[c.tokens[3].span()], "\"app:server\"");
        assert_eq!(c.base, PathBuf::from("src"));

        let text =
            "FROM python\nCOPY . ./\nCMD gunicorn --bind 0.0.0.0:8050 \\\n  app.app:server\n";
        let c = start_command(
            &Workspace::from_texts(&[("Dockerfile", text)]),
            Path::new(""),
        )
        .unwrap();
        assert!(!c.exec);
        assert_eq!(
            words(&c),
            ["gunicorn", "--bind", "0.0.0.0:8050", "app.app:server"]
        );
        assert_eq!(c.base, PathBuf::from(""));

        let text = "FROM python\nENTRYPOINT [\"/bin/sh\", \"-c\", \"gunicorn app:server -w 2\"]\n";
        let c = start_command(
            &Workspace::from_texts(&[("Dockerfile", text)]),
            Path::new(""),
        )
        .unwrap();
        assert_eq!(words(&c), ["gunicorn", "app:server", "-w", "2"]);

        let text = "FROM python\nENTRYPOINT [\"./entry.sh\"]\nCMD [\"gunicorn\", \"app:server\"]\n";
        let c = start_command(
            &Workspace::from_texts(&[("Dockerfile", text)]),
            Path::new(""),
        )
        .unwrap();
        assert_eq!(words(&c), ["./entry.sh", "gunicorn", "app:server"]);
        assert!(!c.replaceable);

        assert!(start_command(
            &Workspace::from_texts(&[("Dockerfile", "FROM python\nRUN pip install x\n")]),
            Path::new("")
        )
        .is_none());
        // Broken JSON is a shell command, as Docker runs it.
        let text = "CMD [\"gunicorn\", app:server]";
        let c = start_command(
            &Workspace::from_texts(&[("Dockerfile", text)]),
            Path::new(""),
        )
        .unwrap();
        assert!(!c.exec);
    }

    #[test]
    fn fly_toml_processes_and_cmd() {
        let text = "app = \"x\"\n[processes]\napp = \"gunicorn app:server --bind :8080\"\n";
        let c =
            start_command(&Workspace::from_texts(&[("fly.toml", text)]), Path::new("")).unwrap();
        assert_eq!(c.kind, DescriptorKind::FlyToml);
        assert_eq!(&text[c.range.clone()], "gunicorn app:server --bind :8080");
        let text = "[experimental]\ncmd = [\"gunicorn\", \"app:server\"]\n";
        let c =
            start_command(&Workspace::from_texts(&[("fly.toml", text)]), Path::new("")).unwrap();
        assert!(c.exec);
        assert_eq!(&text[c.range.clone()], "[\"gunicorn\", \"app:server\"]");
        assert_eq!(&text[c.tokens[1].span()], "\"app:server\"");
        // No command: the image's CMD runs.
        let w = Workspace::from_texts(&[
            ("fly.toml", "app = \"x\"\n"),
            ("Dockerfile", "CMD gunicorn app:server\n"),
        ]);
        assert_eq!(
            start_command(&w, Path::new("")).unwrap().kind,
            DescriptorKind::Dockerfile
        );
        assert!(start_command(
            &Workspace::from_texts(&[("fly.toml", "[[[")]),
            Path::new("")
        )
        .is_none());
    }

    #[test]
    fn compose_command_of_the_built_service() {
        let text = "services:\n  db:\n    image: postgres\n    command: postgres -c x\n  web:\n    build: ./web\n    command: [\"gunicorn\", \"app:server\"]\n";
        let w = Workspace::from_texts(&[("docker-compose.yml", text)]);
        let c = start_command(&w, Path::new("")).unwrap();
        assert_eq!(c.kind, DescriptorKind::Compose);
        assert_eq!(c.base, PathBuf::from("web"));
        assert_eq!(&text[c.range.clone()], "[\"gunicorn\", \"app:server\"]");
        assert!(c.exec && c.replaceable);
        let text = "services:\n  web:\n    build:\n      context: .\n    command:\n      - gunicorn\n      - app:server\n";
        let c = start_command(
            &Workspace::from_texts(&[("compose.yaml", text)]),
            Path::new(""),
        )
        .unwrap();
        assert_eq!(words(&c), ["gunicorn", "app:server"]);
        assert!(!c.replaceable);
        assert!(has_descriptor(
            &Workspace::from_texts(&[("compose.yaml", "")]),
            Path::new("")
        ));
    }
}
