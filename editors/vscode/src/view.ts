// Pure helpers for what the extension shows: the status bar text and the callback graph page.

export type ServerState = "starting" | "running" | "stopped" | "failed";

export interface DiagnosticCount {
  errors: number;
  warnings: number;
}

/** Counts dash-lsp's diagnostics: errors are deploy blockers. `severity` as in VS Code (0 = error). */
export function countDiagnostics(
  diagnostics: Iterable<{ source?: string; severity: number }>,
): DiagnosticCount {
  let errors = 0;
  let warnings = 0;
  for (const d of diagnostics) {
    if (d.source !== "dash-lsp") {
      continue;
    }
    if (d.severity === 0) {
      errors += 1;
    } else if (d.severity === 1) {
      warnings += 1;
    }
  }
  return { errors, warnings };
}

export function statusText(state: ServerState, count: DiagnosticCount): { text: string; tooltip: string } {
  switch (state) {
    case "starting":
      return { text: "$(loading~spin) Dash", tooltip: "dash-lsp: starting" };
    case "stopped":
      return { text: "$(circle-slash) Dash", tooltip: "dash-lsp: stopped (Dash: Restart server)" };
    case "failed":
      return { text: "$(error) Dash", tooltip: "dash-lsp: the server could not start (see the Dash LSP output)" };
    case "running": {
      const blockers = count.errors === 1 ? "1 deploy blocker" : `${count.errors} deploy blockers`;
      const warnings = count.warnings === 1 ? "1 warning" : `${count.warnings} warnings`;
      const text = count.errors > 0 ? `$(error) Dash: ${count.errors}` : "$(check) Dash";
      return { text, tooltip: `dash-lsp: ${blockers}, ${warnings}. Click for the Problems panel.` };
    }
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;",
  );
}

/**
 * The webview page for the callback graph: the server's SVG inline, no scripts, nothing
 * loaded from the network (the Content-Security-Policy forbids it).
 */
export function graphHtml(svg: string, title: string): string {
  // Only an <svg> document from the server is shown; anything else is shown as text.
  const body = /^\s*<svg[\s>]/.test(svg) && !/<script/i.test(svg)
    ? svg
    : `<pre>${escapeHtml(svg)}</pre>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:;">
<title>${escapeHtml(title)}</title>
<style>body{padding:12px;background:var(--vscode-editor-background)}svg{max-width:none}</style>
</head>
<body>
<h3 style="font-family:var(--vscode-font-family);color:var(--vscode-foreground)">${escapeHtml(title)}</h3>
${body}
</body>
</html>
`;
}
