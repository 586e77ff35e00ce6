//! `gen-corpus --out DIR [--apps N] [--seed S]`: writes N Dash app folders in the shapes of
//! real apps (single-page and multi-page, callbacks, data loading, Procfile, requirements) of
//! 50 to 3,000 lines each, reproducibly from the seed. The benchmarks run on them.

use std::fmt::Write as _;
use std::path::Path;

use dash_lsp_bench::Rng;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

const LIBS: &[(&str, &str)] = &[
    ("import pandas as pd", "pandas"),
    ("import numpy as np", "numpy"),
    ("import plotly.express as px", "plotly"),
    (
        "import dash_bootstrap_components as dbc",
        "dash-bootstrap-components",
    ),
    (
        "from sklearn.linear_model import LinearRegression",
        "scikit-learn",
    ),
    ("import requests", "requests"),
    ("import yaml", "PyYAML"),
    ("from flask_caching import Cache", "Flask-Caching"),
];

/// One callback reading its inputs and returning a figure or text.
fn callback(out: &mut String, i: usize, rng: &mut Rng) {
    let kind = rng.below(4);
    let _ = writeln!(out, "\n@app.callback(");
    let _ = writeln!(out, "    Output(\"out-{i}\", \"children\"),");
    let _ = writeln!(out, "    Input(\"in-{i}\", \"value\"),");
    if rng.chance(2) {
        let _ = writeln!(out, "    State(\"state-{i}\", \"value\"),");
        let _ = writeln!(out, ")\ndef update_{i}(value, state):");
    } else {
        let _ = writeln!(out, ")\ndef update_{i}(value):");
    }
    match kind {
        0 => {
            let _ = writeln!(
                out,
                "    frame = DATA[DATA[\"group\"] == value]\n    return f\"{{len(frame)}} rows\""
            );
        }
        1 => {
            let _ = writeln!(
                out,
                "    df = pd.read_csv(\"data/sales_{}.csv\")\n    return str(df.shape)",
                i % 7
            );
        }
        2 => {
            let _ = writeln!(out, "    if value is None:\n        return \"\"\n    total = sum(range(int(value)))\n    return f\"total: {{total}}\"");
        }
        _ => {
            let _ = writeln!(out, "    fig = px.bar(DATA, x=\"group\", y=\"value\", title=str(value))\n    return html.Div(dcc.Graph(figure=fig))");
        }
    }
}

fn layout(out: &mut String, callbacks: std::ops::Range<usize>) {
    let _ = writeln!(out, "\nlayout = html.Div([");
    for i in callbacks {
        let _ = writeln!(out, "    dcc.Input(id=\"in-{i}\", value=\"a\"),\n    dcc.Input(id=\"state-{i}\"),\n    html.Div(id=\"out-{i}\"),");
    }
    let _ = writeln!(out, "])");
}

fn write_app(dir: &Path, n: usize, rng: &mut Rng) -> std::io::Result<()> {
    std::fs::create_dir_all(dir.join("data"))?;
    let target_lines = 50 + rng.below(2_950);
    let pages = if rng.chance(3) { 1 + rng.below(4) } else { 0 };
    let mut requirements = vec!["dash==3.2.0".to_string()];
    let mut header = String::from("import os\nimport dash\nfrom dash import Dash, html, dcc, Input, Output, State, callback\n");
    for (line, dist) in LIBS {
        if rng.chance(2) || *dist == "pandas" || *dist == "plotly" {
            header.push_str(line);
            header.push('\n');
            if rng.below(10) > 0 {
                requirements.push(dist.to_string());
            }
        }
    }
    if rng.below(10) > 1 {
        requirements.push("gunicorn".into());
    }
    let mut app = header.clone();
    app.push_str(
        "\nDATA = pd.read_csv(os.path.join(os.path.dirname(__file__), \"data\", \"sales.csv\"))\n",
    );
    app.push_str(&format!(
        "\napp = Dash(__name__, title=\"App {n}\"{})\n",
        if pages > 0 { ", use_pages=True" } else { "" }
    ));
    if rng.below(10) > 2 {
        app.push_str("server = app.server\n");
    }
    let lines_per_callback = 9;
    let callbacks = (target_lines / (pages + 1)).saturating_sub(20) / lines_per_callback;
    let callbacks = callbacks.max(1);
    let mut next = 0;
    layout(&mut app, next..next + callbacks);
    app.push_str("app.layout = layout\n");
    for _ in 0..callbacks {
        callback(&mut app, next, rng);
        next += 1;
    }
    if rng.chance(4) {
        app.push_str("\napp.run_server(debug=True)\n");
    } else {
        app.push_str("\nif __name__ == \"__main__\":\n    app.run(debug=True)\n");
    }
    std::fs::write(dir.join("app.py"), app)?;
    if pages > 0 {
        std::fs::create_dir_all(dir.join("pages"))?;
        for p in 0..pages {
            let mut page = header.clone();
            page.push_str(&format!("\ndash.register_page(__name__, path=\"/page-{p}\")\nDATA = pd.DataFrame({{\"group\": [], \"value\": []}})\napp = dash\n"));
            layout(&mut page, next..next + callbacks);
            for _ in 0..callbacks {
                callback(&mut page, next, rng);
                next += 1;
            }
            let page = page.replace("@app.callback(", "@callback(");
            std::fs::write(dir.join(format!("pages/page_{p}.py")), page)?;
        }
    }
    let workers = if rng.chance(3) { "" } else { " --workers 4" };
    std::fs::write(
        dir.join("Procfile"),
        format!("web: gunicorn app:server{workers}\n"),
    )?;
    std::fs::write(dir.join("requirements.txt"), requirements.join("\n") + "\n")?;
    let mut csv = String::from("group,value\n");
    for i in 0..50 {
        let _ = writeln!(csv, "g{},{}", i % 5, i);
    }
    std::fs::write(dir.join("data/sales.csv"), &csv)?;
    for i in 0..7 {
        std::fs::write(dir.join(format!("data/sales_{i}.csv")), &csv)?;
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(out) = arg(&args, "--out") else {
        eprintln!("usage: gen-corpus --out DIR [--apps N] [--seed S]");
        std::process::exit(2);
    };
    let apps: usize = arg(&args, "--apps")
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let seed: u64 = arg(&args, "--seed")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let out = Path::new(&out);
    let _ = std::fs::remove_dir_all(out);
    let mut rng = Rng::new(seed);
    for n in 0..apps {
        if let Err(err) = write_app(&out.join(format!("app{n:03}")), n, &mut rng) {
            eprintln!("gen-corpus: {err}");
            std::process::exit(1);
        }
    }
    println!("gen-corpus: {apps} apps in {}", out.display());
}
