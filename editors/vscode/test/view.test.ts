import assert from "node:assert/strict";
import { test } from "node:test";

import { countDiagnostics, graphHtml, statusText } from "../src/view";

test("deploy blockers are dash-lsp's errors only", () => {
  const count = countDiagnostics([
    { source: "dash-lsp", severity: 0 },
    { source: "dash-lsp", severity: 0 },
    { source: "dash-lsp", severity: 1 },
    { source: "dash-lsp", severity: 3 },
    { source: "Pylance", severity: 0 },
    { severity: 0 },
  ]);
  assert.deepEqual(count, { errors: 2, warnings: 1 });
});

test("status bar text per state", () => {
  assert.deepEqual(statusText("running", { errors: 2, warnings: 1 }), {
    text: "$(error) Dash: 2",
    tooltip: "dash-lsp: 2 deploy blockers, 1 warning. Click for the Problems panel.",
  });
  assert.equal(statusText("running", { errors: 0, warnings: 0 }).text, "$(check) Dash");
  assert.equal(statusText("running", { errors: 1, warnings: 2 }).tooltip.startsWith("dash-lsp: 1 deploy blocker, 2 warnings"), true);
  assert.equal(statusText("starting", { errors: 0, warnings: 0 }).text, "$(loading~spin) Dash");
  assert.match(statusText("failed", { errors: 0, warnings: 0 }).tooltip, /could not start/);
  assert.match(statusText("stopped", { errors: 0, warnings: 0 }).tooltip, /Restart server/);
});

test("the graph page inlines the SVG, forbids scripts and the network, escapes the title", () => {
  const html = graphHtml('<svg xmlns="http://www.w3.org/2000/svg"><text>draw</text></svg>', "Callback graph — <app>");
  assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:;"/);
  assert.ok(html.includes("<text>draw</text>"));
  assert.ok(html.includes("Callback graph — &lt;app&gt;"));
  assert.ok(!/<script/i.test(html));
});

test("anything but an SVG document is shown as text", () => {
  const html = graphHtml("<script>alert(1)</script>", "t");
  assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
  assert.ok(!html.includes("<script>"));
  const sneaky = graphHtml("<svg><script>alert(1)</script></svg>", "t");
  assert.ok(!sneaky.includes("<script>"));
});
