//! The callback graph as a self-contained SVG picture: a layered left-to-right layout (inputs,
//! callbacks, outputs) with no scripts and no external resources, so it renders offline in a
//! browser, an editor webview or a README. Colours come from CSS variables with fallbacks, so
//! a VS Code webview shows it in the editor's theme.

use std::collections::HashMap;
use std::fmt::Write as _;

/// A node to draw: `callback` nodes are drawn as hexagons, components as rounded boxes.
pub(crate) struct SvgNode<'a> {
    pub key: &'a str,
    pub label: &'a str,
    pub callback: bool,
}

pub(crate) struct SvgEdge<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub label: &'a str,
    /// `State` dependencies are drawn dashed.
    pub state: bool,
}

pub(crate) struct SvgApp<'a> {
    pub title: &'a str,
    pub nodes: Vec<SvgNode<'a>>,
    pub edges: Vec<SvgEdge<'a>>,
}

const CHAR_W: f64 = 7.2;
const NODE_H: f64 = 30.0;
const ROW_GAP: f64 = 18.0;
const COL_GAP: f64 = 110.0;
const PAD: f64 = 20.0;
const TITLE_H: f64 = 34.0;
const MAX_LABEL: usize = 40;

const STYLE: &str = "text{font-family:var(--vscode-editor-font-family,ui-monospace,monospace);font-size:12px;fill:var(--vscode-editor-foreground,#1f2328)}\
.title{font-size:14px;font-weight:bold}\
.comp{fill:var(--vscode-editor-background,#fff);stroke:var(--vscode-charts-blue,#0969da);stroke-width:1.5}\
.cb{fill:var(--vscode-editor-background,#fff);stroke:var(--vscode-charts-orange,#bc4c00);stroke-width:1.5}\
.edge{fill:none;stroke:var(--vscode-descriptionForeground,#57606a);stroke-width:1.2}\
.state{stroke-dasharray:5 4}\
.prop{font-size:10px;fill:var(--vscode-descriptionForeground,#57606a)}\
.empty{fill:var(--vscode-descriptionForeground,#57606a)}";

fn shorten(label: &str) -> String {
    if label.chars().count() <= MAX_LABEL {
        return label.to_string();
    }
    let mut s: String = label.chars().take(MAX_LABEL - 1).collect();
    s.push('…');
    s
}

fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' && c != '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Layer assignment: the longest path from a source along the edges that are not part of a
/// cycle (edges found closing a cycle by a depth-first search are ignored for layering).
fn layers(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut out_edges = vec![Vec::new(); n];
    for &(a, b) in edges {
        if a != b {
            out_edges[a].push(b);
        }
    }
    // Iterative DFS colouring: 0 = new, 1 = on stack, 2 = done; back edges are dropped.
    let mut state = vec![0u8; n];
    let mut forward = vec![Vec::new(); n];
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        state[start] = 1;
        while let Some(&mut (v, ref mut i)) = stack.last_mut() {
            if let Some(&w) = out_edges[v].get(*i) {
                *i += 1;
                match state[w] {
                    0 => {
                        forward[v].push(w);
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    2 => forward[v].push(w),
                    _ => {} // back edge
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    // Kahn's order over the forward (acyclic) edges, longest path.
    let mut indegree = vec![0usize; n];
    for targets in &forward {
        for &w in targets {
            indegree[w] += 1;
        }
    }
    let mut rank = vec![0usize; n];
    let mut queue: Vec<usize> = (0..n).filter(|&v| indegree[v] == 0).collect();
    let mut head = 0;
    while head < queue.len() {
        let v = queue[head];
        head += 1;
        for &w in &forward[v] {
            rank[w] = rank[w].max(rank[v] + 1);
            indegree[w] -= 1;
            if indegree[w] == 0 {
                queue.push(w);
            }
        }
    }
    rank
}

/// Orders each layer by the barycentre of its neighbours, sweeping down and up a few times
/// (fewer crossings; exact minimisation is NP-hard and not worth it for a picture).
fn order(rank: &[usize], edges: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let depth = rank.iter().copied().max().map_or(0, |m| m + 1);
    let mut columns: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for (v, &r) in rank.iter().enumerate() {
        columns[r].push(v);
    }
    let mut neighbours = vec![Vec::new(); rank.len()];
    for &(a, b) in edges {
        if a != b {
            neighbours[a].push(b);
            neighbours[b].push(a);
        }
    }
    let mut pos = vec![0f64; rank.len()];
    let place = |columns: &Vec<Vec<usize>>, pos: &mut Vec<f64>| {
        for col in columns {
            for (i, &v) in col.iter().enumerate() {
                pos[v] = i as f64;
            }
        }
    };
    place(&columns, &mut pos);
    for sweep in 0..4 {
        let indices: Vec<usize> = if sweep % 2 == 0 {
            (1..depth).collect()
        } else {
            (0..depth.saturating_sub(1)).rev().collect()
        };
        for c in indices {
            let toward = if sweep % 2 == 0 { c - 1 } else { c + 1 };
            let mut keyed: Vec<(f64, usize)> = columns[c]
                .iter()
                .map(|&v| {
                    let adj: Vec<f64> = neighbours[v]
                        .iter()
                        .filter(|&&w| rank[w] == toward)
                        .map(|&w| pos[w])
                        .collect();
                    let key = if adj.is_empty() {
                        pos[v]
                    } else {
                        adj.iter().sum::<f64>() / adj.len() as f64
                    };
                    (key, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            columns[c] = keyed.into_iter().map(|(_, v)| v).collect();
            for (i, &v) in columns[c].iter().enumerate() {
                pos[v] = i as f64;
            }
        }
    }
    columns
}

struct Placed {
    x: f64,
    y: f64,
    w: f64,
}

fn node_width(label: &str, callback: bool) -> f64 {
    let text = shorten(label).chars().count() as f64 * CHAR_W;
    text + if callback { 40.0 } else { 24.0 }
}

/// The point at `t` of a cubic Bézier curve.
fn bezier(t: f64, p: [(f64, f64); 4]) -> (f64, f64) {
    let u = 1.0 - t;
    let w = [u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t];
    (
        (0..4).map(|i| w[i] * p[i].0).sum(),
        (0..4).map(|i| w[i] * p[i].1).sum(),
    )
}

/// Draws one app at vertical offset `top`; returns the height and width used.
fn draw_app(out: &mut String, app: &SvgApp, top: f64) -> (f64, f64) {
    let _ = writeln!(
        out,
        "<text class=\"title\" x=\"{PAD}\" y=\"{:.1}\">{}</text>",
        top + 20.0,
        xml(app.title)
    );
    let top = top + TITLE_H;
    if app.nodes.is_empty() {
        let _ = writeln!(
            out,
            "<text class=\"empty\" x=\"{PAD}\" y=\"{:.1}\">no callbacks</text>",
            top + 14.0
        );
        return (TITLE_H + 30.0, 200.0);
    }
    let index: HashMap<&str, usize> = app
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.key, i))
        .collect();
    let edges: Vec<(usize, usize, &SvgEdge)> = app
        .edges
        .iter()
        .filter_map(|e| Some((*index.get(e.from)?, *index.get(e.to)?, e)))
        .collect();
    let pairs: Vec<(usize, usize)> = edges.iter().map(|&(a, b, _)| (a, b)).collect();
    let rank = layers(app.nodes.len(), &pairs);
    let columns = order(&rank, &pairs);
    let widths: Vec<f64> = app
        .nodes
        .iter()
        .map(|n| node_width(n.label, n.callback))
        .collect();
    let tallest = columns.iter().map(Vec::len).max().unwrap_or(0) as f64;
    let height = tallest * (NODE_H + ROW_GAP) - ROW_GAP;
    let mut placed: Vec<Placed> = app
        .nodes
        .iter()
        .map(|_| Placed {
            x: 0.0,
            y: 0.0,
            w: 0.0,
        })
        .collect();
    let mut x = PAD;
    for col in &columns {
        let col_w = col.iter().map(|&v| widths[v]).fold(0.0, f64::max);
        let col_h = col.len() as f64 * (NODE_H + ROW_GAP) - ROW_GAP;
        let mut y = top + (height - col_h) / 2.0;
        for &v in col {
            placed[v] = Placed {
                x: x + (col_w - widths[v]) / 2.0,
                y,
                w: widths[v],
            };
            y += NODE_H + ROW_GAP;
        }
        x += col_w + COL_GAP;
    }
    let width = x - COL_GAP + PAD;
    for (a, b, e) in &edges {
        let (p, q) = (&placed[*a], &placed[*b]);
        let (x1, y1) = (p.x + p.w, p.y + NODE_H / 2.0);
        let (x2, y2) = (q.x, q.y + NODE_H / 2.0);
        // Forward edges bend horizontally; edges that go back (cycles) loop outside.
        let bend = ((x2 - x1).abs() / 2.0).max(40.0);
        let class = if e.state { "edge state" } else { "edge" };
        let _ = writeln!(
            out,
            "<path class=\"{class}\" d=\"M{x1:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}\" marker-end=\"url(#arrow)\"/>",
            x1 + bend,
            x2 - bend
        );
        if !e.label.is_empty() {
            // The property belongs to the component: label the edge near the component's end.
            let t = if app.nodes[*a].callback { 0.78 } else { 0.22 };
            let (lx, ly) = bezier(t, [(x1, y1), (x1 + bend, y1), (x2 - bend, y2), (x2, y2)]);
            let _ = writeln!(
                out,
                "<text class=\"prop\" x=\"{lx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                ly - 4.0,
                xml(&shorten(e.label))
            );
        }
    }
    for (node, p) in app.nodes.iter().zip(&placed) {
        let _ = writeln!(out, "<g><title>{}</title>", xml(node.label));
        if node.callback {
            let (l, r, m, b) = (p.x, p.x + p.w, p.y + NODE_H / 2.0, p.y + NODE_H);
            let _ = writeln!(
                out,
                "<polygon class=\"cb\" points=\"{l:.1},{m:.1} {:.1},{:.1} {:.1},{:.1} {r:.1},{m:.1} {:.1},{b:.1} {:.1},{b:.1}\"/>",
                l + 12.0,
                p.y,
                r - 12.0,
                p.y,
                r - 12.0,
                l + 12.0
            );
        } else {
            let _ = writeln!(
                out,
                "<rect class=\"comp\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{NODE_H}\" rx=\"6\"/>",
                p.x, p.y, p.w
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text></g>",
            p.x + p.w / 2.0,
            p.y + NODE_H / 2.0 + 4.0,
            xml(&shorten(node.label))
        );
    }
    (TITLE_H + height + PAD, width)
}

/// The whole picture: every app stacked vertically, with a legend-free, readable layout.
pub(crate) fn render(apps: &[SvgApp]) -> String {
    let mut body = String::new();
    let mut top = PAD / 2.0;
    let mut width: f64 = 240.0;
    for app in apps {
        let (h, w) = draw_app(&mut body, app, top);
        top += h + PAD;
        width = width.max(w);
    }
    if apps.is_empty() {
        let _ = writeln!(
            body,
            "<text class=\"empty\" x=\"{PAD}\" y=\"30\">no Dash app found</text>"
        );
        top = 50.0;
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{top:.0}\" viewBox=\"0 0 {width:.0} {top:.0}\" role=\"img\" aria-label=\"Dash callback graph\">"
    );
    let _ = writeln!(out, "<style>{STYLE}</style>");
    out.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" style=\"fill:var(--vscode-descriptionForeground,#57606a)\"/></marker></defs>\n");
    out.push_str(&body);
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_follow_edges_and_survive_cycles() {
        // a -> cb -> b -> cb2 -> a (a cycle through callbacks, as chained callbacks make).
        let rank = layers(4, &[(0, 1), (1, 2), (2, 3), (3, 0)]);
        assert_eq!(rank, vec![0, 1, 2, 3]);
        let rank = layers(3, &[(0, 2), (1, 2)]);
        assert_eq!(rank, vec![0, 0, 1]);
        // A self loop and an isolated node do not break anything.
        assert_eq!(layers(2, &[(0, 0)]), vec![0, 0]);
    }

    #[test]
    fn svg_is_well_formed_and_escaped() {
        let long = "g".repeat(80);
        let app = SvgApp {
            title: "apps/<demo>",
            nodes: vec![
                SvgNode {
                    key: "c:in",
                    label: "in & out",
                    callback: false,
                },
                SvgNode {
                    key: "cb:0",
                    label: "update",
                    callback: true,
                },
                SvgNode {
                    key: "c:graph",
                    label: &long,
                    callback: false,
                },
            ],
            edges: vec![
                SvgEdge {
                    from: "c:in",
                    to: "cb:0",
                    label: "value",
                    state: false,
                },
                SvgEdge {
                    from: "cb:0",
                    to: "c:graph",
                    label: "figure",
                    state: false,
                },
                SvgEdge {
                    from: "c:missing",
                    to: "cb:0",
                    label: "x",
                    state: true,
                },
            ],
        };
        let svg = render(&[app]);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("apps/&lt;demo&gt;") && svg.contains("in &amp; out"));
        assert!(!svg.contains("<demo>"));
        assert_eq!(svg.matches("<path class=\"edge\"").count(), 2);
        assert_eq!(svg.matches("<polygon class=\"cb\"").count(), 1);
        assert_eq!(svg.matches("<rect class=\"comp\"").count(), 2);
        // Long ids are shortened in the box, kept whole in the tooltip.
        assert!(svg.contains(&format!("{}…", "g".repeat(39))));
        assert!(svg.contains(&format!("<title>{}</title>", "g".repeat(80))));
        // Input left of the callback, output right of it.
        let x_of = |label: &str| -> f64 {
            let at = svg.find(&format!(">{label}</text>")).unwrap();
            let tag = &svg[svg[..at].rfind("<text").unwrap()..at];
            let x = tag.split("x=\"").nth(1).unwrap().split('"').next().unwrap();
            x.parse().unwrap()
        };
        assert!(x_of("in &amp; out") < x_of("update"));
        assert!(x_of("update") < x_of(&format!("{}…", "g".repeat(39))));
        assert!(render(&[]).contains("no Dash app found"));
    }
}
