//! A small POSIX-shell word splitter for Procfile commands and start scripts: enough to find
//! `gunicorn` and its arguments with their byte spans. It never expands anything.

use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token {
    /// A word: its span as written (quotes included) and its value with quotes removed.
    Word { span: Range<usize>, value: String },
    /// `&&`, `||`, `;`, `|`, `&`, or a newline that ends a command.
    Operator { span: Range<usize> },
}

impl Token {
    pub fn span(&self) -> Range<usize> {
        match self {
            Token::Word { span, .. } | Token::Operator { span } => span.clone(),
        }
    }

    pub(crate) fn word(&self) -> Option<&str> {
        match self {
            Token::Word { value, .. } => Some(value),
            Token::Operator { .. } => None,
        }
    }
}

/// The shell script a command's words run: `bash run.sh`, `sh -e x.sh`, `./start.sh`,
/// `exec ./x` (leading `exec` and `VAR=value` assignments skipped).
pub(crate) fn script_of<'a>(words: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut words = words
        .into_iter()
        .skip_while(|w| *w == "exec" || w.contains('='));
    let first = words.next()?;
    if matches!(first, "bash" | "sh" | "zsh" | "dash") {
        return words.find(|w| !w.starts_with('-')).map(str::to_string);
    }
    (first.starts_with("./") || first.ends_with(".sh")).then(|| first.to_string())
}

/// The `cd DIR &&` (or `;`) steps a command starts with (`cd src && python app.py`): the
/// folders in order and the index of the first token after them. Only plain folder words:
/// `cd`, `cd -`, `cd ~`, a `$VAR` or an option end the steps (where they lead is not known).
pub fn leading_cd(text: &str, tokens: &[Token]) -> (Vec<String>, usize) {
    let mut dirs = Vec::new();
    let mut at = 0;
    while let [Token::Word { value: cd, .. }, Token::Word { value: dir, .. }, Token::Operator { span }, ..] =
        &tokens[at..]
    {
        let op = text.get(span.clone()).unwrap_or("");
        if cd != "cd"
            || !matches!(op, "&&" | ";")
            || dir.is_empty()
            || dir.starts_with(['-', '~', '$'])
            || dir.contains('`')
        {
            break;
        }
        dirs.push(dir.clone());
        at += 3;
    }
    (dirs, at)
}

/// Splits `text[range]` into tokens whose spans are offsets into `text`. A `#` at the start of
/// a word starts a comment; `\` + newline joins lines.
pub fn split(text: &str, range: Range<usize>) -> Vec<Token> {
    split_checked(text, range).0
}

/// As [`split`], and whether a quote is still open at the end (`gunicorn app:x'`): the shell
/// refuses such a command, and text appended to it would land inside the quote.
pub(crate) fn split_checked(text: &str, range: Range<usize>) -> (Vec<Token>, bool) {
    let mut open = false;
    let base = range.start;
    let s = &text[range];
    let bytes = s.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b' ' | b'\t' | b'\r' => i += 1,
            b'\\' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'\\' if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') => i += 3,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'\n' | b';' => {
                tokens.push(Token::Operator {
                    span: base + i..base + i + 1,
                });
                i += 1;
            }
            b'&' | b'|' => {
                let len = if bytes.get(i + 1) == Some(&c) { 2 } else { 1 };
                tokens.push(Token::Operator {
                    span: base + i..base + i + len,
                });
                i += len;
            }
            _ => {
                let start = i;
                let mut value = String::new();
                while i < bytes.len() {
                    let c = bytes[i];
                    match c {
                        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' => break,
                        b'\'' => {
                            let close = s[i + 1..].find('\'').map_or_else(
                                || {
                                    open = true;
                                    bytes.len()
                                },
                                |p| i + 1 + p,
                            );
                            value.push_str(&s[i + 1..close]);
                            i = (close + 1).min(bytes.len());
                        }
                        b'"' => {
                            i += 1;
                            while i < bytes.len() && bytes[i] != b'"' {
                                if bytes[i] == b'\\' && i + 1 < bytes.len() {
                                    i += 1;
                                }
                                let ch_len = utf8_len(bytes[i]);
                                value.push_str(&s[i..(i + ch_len).min(bytes.len())]);
                                i += ch_len;
                            }
                            open |= i >= bytes.len();
                            i = (i + 1).min(bytes.len());
                        }
                        b'\\' if i + 1 < bytes.len() => {
                            i += 1;
                            let ch_len = utf8_len(bytes[i]);
                            value.push_str(&s[i..(i + ch_len).min(bytes.len())]);
                            i += ch_len;
                        }
                        _ => {
                            let ch_len = utf8_len(c);
                            value.push_str(&s[i..(i + ch_len).min(bytes.len())]);
                            i += ch_len;
                        }
                    }
                }
                let end = i.min(bytes.len());
                tokens.push(Token::Word {
                    span: base + start..base + end,
                    value,
                });
            }
        }
    }
    (tokens, open)
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        split(s, 0..s.len())
            .iter()
            .map(|t| t.word().unwrap_or("<op>").to_string())
            .collect()
    }

    #[test]
    fn open_quotes_are_reported() {
        let open = |s: &str| split_checked(s, 0..s.len()).1;
        assert!(open("gunicorn app:x'"));
        assert!(open("gunicorn \"app:x"));
        assert!(open("gunicorn \"app:x\\\""));
        assert!(!open("gunicorn 'app:x' \"a\\\"b\""));
        assert!(!open("gunicorn app:x # it's"));
    }

    #[test]
    fn quotes_operators_and_comments() {
        assert_eq!(
            words("gunicorn \"app:create()\" -w 4"),
            ["gunicorn", "app:create()", "-w", "4"]
        );
        assert_eq!(
            words("cd x && exec gunicorn 'a b'"),
            ["cd", "x", "<op>", "exec", "gunicorn", "a b"]
        );
        assert_eq!(
            words("gunicorn a \\\n  -w 2 # c"),
            ["gunicorn", "a", "-w", "2"]
        );
        assert_eq!(words("é\"ü"), ["éü"]);
    }

    #[test]
    fn spans_include_quotes() {
        let s = "x 'a:b'";
        let toks = split(s, 0..s.len());
        assert_eq!(&s[toks[1].span()], "'a:b'");
    }

    #[test]
    fn leading_cd_steps() {
        let steps = |cmd: &str| {
            let (dirs, at) = leading_cd(cmd, &split(cmd, 0..cmd.len()));
            (
                dirs,
                split(cmd, 0..cmd.len())
                    .get(at)
                    .and_then(|t| t.word().map(str::to_string)),
            )
        };
        assert_eq!(
            steps("cd src && python app.py"),
            (vec!["src".to_string()], Some("python".to_string()))
        );
        assert_eq!(
            steps("cd a; cd 'b c' && exec gunicorn x:y"),
            (
                vec!["a".to_string(), "b c".to_string()],
                Some("exec".to_string())
            )
        );
        assert_eq!(steps("cd $HOME && python app.py").0, Vec::<String>::new());
        assert_eq!(steps("cd src || python app.py").0, Vec::<String>::new());
        assert_eq!(steps("python app.py").1, Some("python".to_string()));
    }
}
