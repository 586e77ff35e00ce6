//! Reading and writing Python literals and node texts: what a string literal's value is, and
//! the literal that reads back as a given value.

use tree_sitter::Node;

pub fn text_of<'a>(node: Node, src: &'a str) -> &'a str {
    src.get(node.byte_range()).unwrap_or("")
}

/// The value of a string literal as Python computes it (escapes decoded, raw strings kept,
/// implicit concatenation joined, an f-string only without fields); `None` for anything else,
/// bytes included.
pub fn string_value(node: Node, src: &str) -> Option<String> {
    if node.kind() == "concatenated_string" {
        let mut out = String::new();
        let mut cursor = node.walk();
        for part in node.named_children(&mut cursor) {
            out.push_str(&string_value(part, src)?);
        }
        return Some(out);
    }
    if node.kind() != "string" {
        return None;
    }
    let mut start = None;
    let mut end = None;
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        match child.kind() {
            "string_start" => start = Some(child),
            "string_end" => end = Some(child),
            "interpolation" => return None,
            _ => {}
        }
    }
    let (start, end) = (start?, end?);
    let opening = text_of(start, src);
    let prefix = opening.trim_end_matches(['\'', '"']).to_ascii_lowercase();
    let body = src.get(start.end_byte()..end.start_byte())?;
    decode_literal_body(body, &prefix)
}

/// The value of a string literal's text between its quotes, as Python computes it: source
/// line ends read as `\n`; unless raw, escapes decoded (`\'`, `\n`, `\x..`, `\u....`,
/// `\U........`, octal, a backslash-newline continuation; unknown escapes kept as written); in
/// an f-string `{{`/`}}` are braces. `None` for bytes (`b"..."`: no `str` value), `\N{...}`
/// (the name table is not built in) and code points Rust cannot hold (lone surrogates).
pub(crate) fn decode_literal_body(body: &str, prefix: &str) -> Option<String> {
    if prefix.contains('b') {
        return None;
    }
    let raw = prefix.contains('r');
    let fstring = prefix.contains('f') || prefix.contains('t');
    let body = body.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if fstring && (c == '{' || c == '}') {
            // `{{` is one brace (a lone one would have been an interpolation).
            if chars.peek() == Some(&c) {
                chars.next();
            }
            out.push(c);
            continue;
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(next) = chars.next() else {
            out.push('\\');
            break;
        };
        if raw {
            // A raw string keeps the backslash; it only stops the next character from closing
            // the string.
            out.push('\\');
            out.push(next);
            continue;
        }
        match next {
            '\n' => {}
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            '0'..='7' => {
                let mut code = next.to_digit(8)?;
                for _ in 0..2 {
                    match chars.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            code = code * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(code)?);
            }
            'x' | 'u' | 'U' => {
                let digits = match next {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut code = 0u32;
                for _ in 0..digits {
                    // Too few hex digits is a SyntaxError in Python: no value.
                    let d = chars.next()?.to_digit(16)?;
                    code = code.checked_mul(16)?.checked_add(d)?;
                }
                out.push(char::from_u32(code)?);
            }
            'N' => return None,
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    Some(out)
}

/// Rewrites a string literal node's text to hold `value`, keeping its quote character.
pub fn string_literal_like(original: &str, value: &str) -> String {
    let quote = original
        .trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .chars()
        .next()
        .filter(|c| *c == '\'' || *c == '"')
        .unwrap_or('"');
    // Escaped so that Python reads back exactly `value` (a line break would end the literal).
    let escaped = value
        .replace('\\', "\\\\")
        .replace(quote, &format!("\\{quote}"))
        .replace('\n', "\\n")
        .replace('\r', "\\r");
    format!("{quote}{escaped}{quote}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn string_values_decode_like_python() {
        let value = |lit: &str| {
            let src = format!("x = {lit}\n");
            let tree = crate::parse::parse_tree(&src, None)?;
            let right = tree.root_node().named_child(0)?.named_child(0)?;
            super::string_value(right.child_by_field_name("right")?, &src)
        };
        let cases: &[(&str, Option<&str>)] = &[
            (r#""it's""#, Some("it's")),
            (r"'it\'s'", Some("it's")),
            (r#""caf\u00e9""#, Some("café")),
            (r#""\U0001F600\x41\101\n""#, Some("😀AA\n")),
            (r#"r"raw\d""#, Some(r"raw\d")),
            (r#"R'a\'b'"#, Some(r"a\'b")),
            (r#""raw\\d""#, Some(r"raw\d")),
            (r#""keep\q""#, Some(r"keep\q")),
            (r#"'a' "b" 'c'"#, Some("abc")),
            (r#"f"{{x}}""#, Some("{x}")),
            (r#"f"{x}""#, None),
            (r#"b"bytes""#, None),
            (r#""\N{BULLET}""#, None),
            (r#""\ud800""#, None),
            ("'''a\r\nb\rc'''", Some("a\nb\nc")),
            ("'a\\\nb'", Some("ab")),
        ];
        for (lit, want) in cases {
            assert_eq!(value(lit).as_deref(), *want, "{lit}");
        }
        // What fixes and the LSP rename write reads back as the value they meant.
        for v in [
            "it's",
            "say \"hi\"",
            r"back\slash",
            "tab\tand\u{1}",
            "café",
            "two\r\nlines",
        ] {
            for original in ["'x'", "\"x\"", "r'x'", "f\"x\""] {
                let lit = super::string_literal_like(original, v);
                assert_eq!(value(&lit).as_deref(), Some(v), "{original} -> {lit}");
            }
        }
    }
}
