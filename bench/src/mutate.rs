//! Input mutations: what a user does to files while typing (half lines, pasted junk, deleted
//! blocks, odd characters), applied at random char boundaries.

use crate::Rng;

/// Fragments that stress the parsers and rules: Python, Dash, Procfile, requirements and
/// CHECKS syntax, quotes and brackets, line endings, and characters outside ASCII.
const SNIPPETS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    ",",
    "\"",
    "'",
    "'''",
    "\"\"\"",
    "\\",
    "#",
    " # noqa",
    "  # noqa: DL301, DL999",
    "# dash-lsp: ignore DL108\n",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "    ",
    "\u{0}",
    "\u{feff}",
    "é",
    "😀",
    "\u{200b}",
    "ß",
    "𝔘",
    "import ",
    "from dash import ",
    "import pandas as pd\n",
    "import sklearn\n",
    "from . import x\n",
    "app = dash.Dash(__name__)\n",
    "app = Dash(",
    "server = app.server\n",
    "app.run_server(debug=True)\n",
    "app.run()\n",
    "if __name__ == \"__main__\":\n",
    "@app.callback(Output('a', 'children'), Input('b', 'value'))\n",
    "@callback(",
    "Output(",
    "Input(\"",
    "State('x', 'value')",
    "allow_duplicate=True",
    "def f(x):\n    return x\n",
    "    global df\n",
    "pd.read_csv('data/x.csv')",
    "open('/Users/me/x.csv')",
    "os.environ['X']",
    "password = 'hunter2'\n",
    "redis.Redis(host='localhost')",
    "id='graph'",
    "dcc.Graph(id=\"chart\")",
    "html.Div(",
    "lambda: ",
    "async ",
    "await ",
    "yield ",
    "try:\n",
    "except ImportError:\n",
    "web: gunicorn app:server\n",
    "web: ",
    "gunicorn ",
    " --workers 4",
    " -b :8050",
    " --chdir src",
    "app:create_app()",
    "app:app.server",
    "../../etc/passwd:server",
    "worker: celery\n",
    "release: python migrate.py\n",
    "dash==2.17.1\n",
    "dash[diskcache]>=3",
    "gunicorn\n",
    "-r base.txt\n",
    "-e .\n",
    "--hash=sha256:abc \\\n",
    "; python_version<'3.9'",
    "==",
    ">=",
    "~=",
    "pandas\n",
    "WAIT=5\n",
    "TIMEOUT=x\n",
    "/  Title\n",
    "/_dash_layout\n",
    "python-3.12\n",
    "python-3.8\n",
    "3.12\n",
];

/// One random edit of `text` (always at char boundaries).
pub fn mutate(text: &str, rng: &mut Rng) -> String {
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let at = |rng: &mut Rng| *rng.pick(&boundaries);
    let span = |rng: &mut Rng| {
        let (a, b) = (at(rng), at(rng));
        (a.min(b), a.max(b))
    };
    let mut out = String::with_capacity(text.len() + 32);
    match rng.below(8) {
        // Insert a snippet.
        0..=2 => {
            let i = at(rng);
            out.push_str(&text[..i]);
            out.push_str(snippet(rng));
            out.push_str(&text[i..]);
        }
        // Delete a short range (a few characters: half-typed code).
        3 => {
            let i = rng.below(boundaries.len());
            let j = (i + 1 + rng.below(8)).min(boundaries.len() - 1);
            out.push_str(&text[..boundaries[i]]);
            out.push_str(&text[boundaries[j]..]);
        }
        // Delete or replace an arbitrary range.
        4 => {
            let (a, b) = span(rng);
            out.push_str(&text[..a]);
            if rng.chance(2) {
                out.push_str(snippet(rng));
            }
            out.push_str(&text[b..]);
        }
        // Duplicate a range (pasted twice).
        5 => {
            let (a, b) = span(rng);
            let b = if b - a > 400 { a } else { b };
            out.push_str(&text[..b]);
            out.push_str(&text[a..b]);
            out.push_str(&text[b..]);
        }
        // Truncate (a file saved half-way).
        6 => out.push_str(&text[..at(rng)]),
        // Random characters.
        _ => {
            let i = at(rng);
            out.push_str(&text[..i]);
            for _ in 0..1 + rng.below(6) {
                let c = char::from_u32(rng.below(0x2_0000) as u32).unwrap_or('\u{fffd}');
                out.push(c);
            }
            out.push_str(&text[i..]);
        }
    }
    out
}

fn snippet(rng: &mut Rng) -> &'static str {
    SNIPPETS[rng.below(SNIPPETS.len())]
}
