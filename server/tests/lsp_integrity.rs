//! Edit integrity: thousands of random incremental edits (inserts, deletes, replacements,
//! multi-byte text, CRLF) sent as `didChange`; after every one the server's copy of the
//! document (`dash-lsp/documentText`) equals the client's.

mod common;

use common::*;
use serde_json::json;

/// xorshift64*: reproducible randomness without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "a",
    "xyz",
    "é",
    "😀",
    "日本語",
    "\r\n",
    "\n",
    "x\ny",
    "\t",
    "𝔘",
    "app = Dash(",
    ")",
    "'",
    "\"",
    "# noqa\n",
    "  ",
];

/// Offsets an LSP position can name: char boundaries, not between `\r` and `\n`.
fn addressable(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .filter(|&i| {
            !(i > 0 && text.as_bytes()[i - 1] == b'\r' && text.as_bytes().get(i) == Some(&b'\n'))
        })
        .collect()
}

/// The LSP position of a byte offset, in UTF-16 or UTF-8 code units.
fn position(text: &str, offset: usize, utf8: bool) -> serde_json::Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let part = &text[line_start..offset];
    let character = if utf8 {
        part.len()
    } else {
        part.encode_utf16().count()
    };
    json!({"line": line, "character": character})
}

fn run(steps: usize, utf8: bool, seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let path = root.join("app.py");
    let mut text =
        String::from("import dash\r\napp = dash.Dash(__name__)  # 😀 日本\nserver = app.server\n");
    std::fs::write(&path, &text).unwrap();
    let mut client = LspClient::spawn();
    client.initialize(&root, utf8);
    let uri = client.open(&path, "python");
    let mut rng = Rng(seed);
    for version in 2..steps as i64 + 2 {
        let offsets = addressable(&text);
        let a = offsets[rng.below(offsets.len())];
        let b = offsets[rng.below(offsets.len())];
        let (start, end) = (a.min(b), a.max(b));
        // Mostly small edits, as typing makes them.
        let end = if end - start > 40 && rng.below(4) > 0 {
            start
        } else {
            end
        };
        let end = if offsets.contains(&end) { end } else { start };
        let insert = match rng.below(3) {
            0 => String::new(),
            _ => PIECES[rng.below(PIECES.len())].repeat(1 + rng.below(2)),
        };
        let range =
            json!({"start": position(&text, start, utf8), "end": position(&text, end, utf8)});
        text.replace_range(start..end, &insert);
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": range, "text": insert}]}),
        );
        let server = client.request("dash-lsp/documentText", json!({"uri": uri}));
        assert_eq!(
            server["result"]["text"].as_str(),
            Some(text.as_str()),
            "step {version} (seed {seed}, utf8 {utf8}): edit {start}..{end} -> {insert:?}"
        );
        assert_eq!(server["result"]["version"], version);
        // Keep the document from growing without bound.
        if text.len() > 4000 {
            text.truncate(
                addressable(&text)
                    .into_iter()
                    .rfind(|&i| i <= 1000)
                    .unwrap_or(0),
            );
            client.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
            );
        }
    }
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn ten_thousand_utf16_edits() {
    run(10_000, false, 0x5eed_1234);
}

#[test]
fn two_thousand_utf8_edits() {
    run(2_000, true, 0xfeed_beef);
}
