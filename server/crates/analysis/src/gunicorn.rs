//! Reading a gunicorn command line: where it starts, its target (`module:variable`) and the
//! options deployment cares about.

use std::ops::Range;

use super::shell::{self, Token};

/// gunicorn options that take no value; every other long option takes one (as gunicorn's
/// argparse does), unless written `--opt=value`.
const FLAGS: &[&str] = &[
    "--reload",
    "--spew",
    "--check-config",
    "--print-config",
    "--preload",
    "--no-sendfile",
    "--reuse-port",
    "--daemon",
    "--initgroups",
    "--capture-output",
    "--enable-stdio-inheritance",
    "--proxy-protocol",
    "--strip-header-spaces",
    "--suppress-ragged-eofs",
    "--do-handshake-on-connect",
    "--help",
    "--version",
    "--debug",
    "--no-control-socket",
    "-D",
    "-R",
    "-h",
    "-v",
];

/// Short options that take a value (`-w 4` or `-w4`).
const SHORT_WITH_VALUE: &[char] = &['b', 'w', 'k', 't', 'c', 'e', 'n', 'p', 'u', 'g', 'm'];

/// The variable part of a gunicorn target, after the colon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetVariable {
    /// No colon: gunicorn looks for `application`.
    Default,
    Name(String),
    /// `name(...)`: gunicorn calls the factory.
    Call(String),
    /// `app.server`: gunicorn rejects it ("Failed to parse ... as an attribute name or function call").
    Attribute(String),
    /// Anything else (empty, a number, an expression).
    Invalid(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The token as written, quotes included.
    pub span: Range<usize>,
    /// The span of the text inside quotes (equal to `span` when unquoted).
    pub inner: Range<usize>,
    pub module: String,
    pub variable: TargetVariable,
}

impl Target {
    /// Whether the module part is a dotted Python module name (no paths, no `..`).
    pub(crate) fn module_is_valid(&self) -> bool {
        !self.module.is_empty() && self.module.split('.').all(is_identifier)
    }

    /// The name gunicorn looks up in the module.
    pub fn variable_name(&self) -> Option<&str> {
        match &self.variable {
            TargetVariable::Default => Some("application"),
            TargetVariable::Name(n) | TargetVariable::Call(n) => Some(n),
            TargetVariable::Attribute(_) | TargetVariable::Invalid(_) => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GunicornCommand {
    /// From the `gunicorn` word to the end of its last argument.
    pub span: Range<usize>,
    pub target: Option<Target>,
    pub workers: bool,
    /// Whether a config file may set what the command line does not (`-c`, `--config`).
    pub config_file: bool,
    /// The `-b`/`--bind` options with their values: span covers option and value.
    pub binds: Vec<(Range<usize>, String)>,
    pub chdir: Option<String>,
    pub pythonpath: Vec<String>,
    /// The last option wants a value and none follows (`... --chdir`), or a quote is left open
    /// (`app:server'`): a word appended to the command would become that value or part of the
    /// quoted word.
    pub dangling: bool,
}

/// Python's keywords: not names, though they look like ones.
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// A Python name (an identifier that is not a keyword).
/// (Unicode identifiers as Python defines them: XID_Start then XID_Continue.)
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || unicode_ident::is_xid_start(c))
        && chars.all(unicode_ident::is_xid_continue)
        && !KEYWORDS.contains(&s)
}

/// The word that starts gunicorn: `gunicorn`, a path ending in `/gunicorn`, or `python -m gunicorn`.
fn gunicorn_start(tokens: &[Token]) -> Option<(usize, usize)> {
    for (i, tok) in tokens.iter().enumerate() {
        let Some(word) = tok.word() else { continue };
        let base = word.rsplit('/').next().unwrap_or(word);
        if base == "gunicorn" {
            // `python -m gunicorn` is handled below; a bare `gunicorn` argument of `-m` too.
            return Some((i, i + 1));
        }
        if word == "-m" {
            if let Some(next) = tokens.get(i + 1).and_then(Token::word) {
                if next == "gunicorn" {
                    return Some((i + 1, i + 2));
                }
            }
        }
    }
    None
}

/// Finds the gunicorn invocation in a command (`text[range]`), if any.
pub(crate) fn parse(text: &str, range: Range<usize>) -> Option<GunicornCommand> {
    let (tokens, open_quote) = shell::split_checked(text, range);
    let mut cmd = parse_tokens(text, &tokens)?;
    cmd.dangling |= open_quote;
    Some(cmd)
}

/// Finds the gunicorn invocation in a command already split into words whose spans are offsets
/// into `text` (a shell command, or the strings of an exec-form array such as a Dockerfile's
/// `CMD ["gunicorn", "app:server"]`).
pub(crate) fn parse_tokens(text: &str, tokens: &[Token]) -> Option<GunicornCommand> {
    let (start_idx, args_idx) = gunicorn_start(tokens)?;
    let start = tokens[start_idx].span().start;
    let mut end = tokens[start_idx].span().end;
    let mut cmd = GunicornCommand {
        span: start..end,
        target: None,
        workers: false,
        config_file: false,
        binds: Vec::new(),
        chdir: None,
        pythonpath: Vec::new(),
        dangling: false,
    };
    let mut i = args_idx;
    while i < tokens.len() {
        let (span, value) = match &tokens[i] {
            Token::Operator { .. } => break,
            Token::Word { span, value } => (span.clone(), value.clone()),
        };
        end = span.end;
        i += 1;
        if let Some(long) = value.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (long.to_string(), None),
            };
            let takes_value = !FLAGS.contains(&format!("--{name}").as_str());
            let (val, opt_end) = match inline {
                Some(v) => (Some(v), span.end),
                None if takes_value => match tokens.get(i) {
                    Some(Token::Word { span: vs, value: v }) => {
                        i += 1;
                        end = vs.end;
                        (Some(v.clone()), vs.end)
                    }
                    _ => {
                        cmd.dangling = true;
                        (None, span.end)
                    }
                },
                None => (None, span.end),
            };
            cmd.option(&name, val, span.start..opt_end);
        } else if value.len() > 1 && value.starts_with('-') {
            let mut chars = value[1..].chars();
            let letter = chars.next().unwrap_or('-');
            let rest: String = chars.collect();
            if SHORT_WITH_VALUE.contains(&letter) {
                let (val, opt_end) = if rest.is_empty() {
                    match tokens.get(i) {
                        Some(Token::Word { span: vs, value: v }) => {
                            i += 1;
                            end = vs.end;
                            (Some(v.clone()), vs.end)
                        }
                        _ => {
                            cmd.dangling = true;
                            (None, span.end)
                        }
                    }
                } else {
                    (Some(rest.trim_start_matches('=').to_string()), span.end)
                };
                cmd.option(&letter.to_string(), val, span.start..opt_end);
            }
        } else if cmd.target.is_none() {
            cmd.target = Some(parse_target(text, span, &value));
        }
    }
    cmd.span = start..end;
    Some(cmd)
}

impl GunicornCommand {
    fn option(&mut self, name: &str, value: Option<String>, span: Range<usize>) {
        match name {
            "workers" | "w" => self.workers = true,
            "config" | "c" => self.config_file = true,
            "bind" | "b" => self.binds.push((span, value.unwrap_or_default())),
            "chdir" => self.chdir = value,
            "pythonpath" => self.pythonpath.extend(
                value
                    .unwrap_or_default()
                    .split(',')
                    .map(|s| s.trim().to_string()),
            ),
            _ => {}
        }
    }
}

fn parse_target(text: &str, span: Range<usize>, value: &str) -> Target {
    let raw = &text[span.clone()];
    let inner = match raw.as_bytes().first() {
        Some(b'"') | Some(b'\'')
            if raw.len() >= 2 && raw.as_bytes()[raw.len() - 1] == raw.as_bytes()[0] =>
        {
            span.start + 1..span.end - 1
        }
        _ => span.clone(),
    };
    let (module, variable) = match value.split_once(':') {
        None => (value.to_string(), TargetVariable::Default),
        Some((module, var)) => {
            let var = var.trim();
            let variable = if is_identifier(var) {
                TargetVariable::Name(var.to_string())
            } else if let Some(open) = var.find('(') {
                let name = &var[..open];
                if is_identifier(name) && var.ends_with(')') {
                    TargetVariable::Call(name.to_string())
                } else {
                    TargetVariable::Invalid(var.to_string())
                }
            } else if var.split('.').all(is_identifier) {
                TargetVariable::Attribute(var.to_string())
            } else {
                TargetVariable::Invalid(var.to_string())
            };
            (module.to_string(), variable)
        }
    };
    Target {
        span,
        inner,
        module,
        variable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(s: &str) -> GunicornCommand {
        parse(s, 0..s.len()).expect("gunicorn found")
    }

    #[test]
    fn target_and_options() {
        let s =
            "gunicorn --workers=4 -b 0.0.0.0:8050 --chdir src --preload app:server --timeout 60";
        let c = cmd(s);
        let t = c.target.unwrap();
        assert_eq!(t.module, "app");
        assert_eq!(t.variable, TargetVariable::Name("server".into()));
        assert_eq!(&s[t.span], "app:server");
        assert!(c.workers);
        assert_eq!(c.chdir.as_deref(), Some("src"));
        assert_eq!(&s[c.binds[0].0.clone()], "-b 0.0.0.0:8050");
        assert_eq!(&s[c.span], s);
    }

    #[test]
    fn target_forms() {
        assert_eq!(
            cmd("gunicorn 'app:create_server()'")
                .target
                .unwrap()
                .variable,
            TargetVariable::Call("create_server".into())
        );
        assert_eq!(
            cmd("gunicorn app:app.server").target.unwrap().variable,
            TargetVariable::Attribute("app.server".into())
        );
        assert_eq!(
            cmd("gunicorn app").target.unwrap().variable,
            TargetVariable::Default
        );
        assert!(cmd("gunicorn -w4").target.is_none());
        assert!(cmd("gunicorn -w4").workers);
        assert!(!cmd("gunicorn ../../etc/passwd:server")
            .target
            .unwrap()
            .module_is_valid());
        let s = "python -m gunicorn pkg.app:server && echo done";
        let c = cmd(s);
        assert_eq!(&s[c.span], "gunicorn pkg.app:server");
        assert!(parse("python app.py", 0..13).is_none());
    }
}
