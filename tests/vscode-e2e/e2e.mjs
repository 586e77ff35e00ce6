// End-to-end: the packaged .vsix in a real VS Code (code-server), driven through its UI by
// Chromium. Installs the extension into a fresh extensions dir, opens a copy of the example
// app, waits for DL101 in the Problems panel, applies the quick fix from the editor's Quick Fix
// menu, saves, and checks the file on disk; also checks the status bar item and draws the
// callback graph. Screenshots go to target/vscode-e2e/ (the README's comes from here).
//
// With `--venv <dash-lsp binary>` (a .vsix without a bundled binary): the scenario of a user who
// ran `pip install dash-lsp` in the project's venv: the binary is copied to the app's
// `.venv/bin/dash-lsp`, and the extension must start that one and show DL101.
//
// Usage: node e2e.mjs <path to .vsix> [--venv <binary>]   (run.sh prepares Node 24, code-server
// and the .vsix)
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const vsix = resolve(process.argv[2] ?? "");
const venvFlag = process.argv.indexOf("--venv");
const venvBinary = venvFlag > 0 ? resolve(process.argv[venvFlag + 1] ?? "") : undefined;
const artifacts = join(repo, "target/vscode-e2e");
const codeServer = join(here, "node_modules/.bin/code-server");
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";

function fail(message) {
  console.error(`vscode-e2e: FAIL: ${message}`);
  process.exitCode = 1;
  throw new Error(message);
}

if (!existsSync(vsix) || !vsix.endsWith(".vsix")) {
  fail(`usage: node e2e.mjs <path to .vsix> (got ${vsix})`);
}
mkdirSync(artifacts, { recursive: true });

const scratch = mkdtempSync(join(tmpdir(), "dash-lsp-vscode-e2e-"));
const userData = join(scratch, "user-data");
const extensions = join(scratch, "extensions");
const app = join(scratch, "sales-dashboard");
cpSync(join(repo, "examples/sales-dashboard"), app, { recursive: true });
if (venvBinary) {
  if (!existsSync(venvBinary)) fail(`--venv: no binary at ${venvBinary}`);
  // What `pip install dash-lsp` leaves in a venv: the console script in .venv/bin.
  mkdirSync(join(app, ".venv/bin"), { recursive: true });
  cpSync(venvBinary, join(app, ".venv/bin/dash-lsp"));
  chmodSync(join(app, ".venv/bin/dash-lsp"), 0o755);
}
mkdirSync(join(userData, "User"), { recursive: true });
// A quiet, deterministic VS Code: no welcome page, no trust prompt, no update or gallery checks.
writeFileSync(
  join(userData, "User/settings.json"),
  JSON.stringify(
    {
      "workbench.startupEditor": "none",
      "workbench.tips.enabled": false,
      "workbench.enableExperiments": false,
      "security.workspace.trust.enabled": false,
      "telemetry.telemetryLevel": "off",
      "update.mode": "none",
      "extensions.autoCheckUpdates": false,
      "extensions.autoUpdate": false,
      "extensions.ignoreRecommendations": true,
      "editor.minimap.enabled": false,
      "window.restoreWindows": "none",
      "files.autoSave": "off",
      "chat.disableAIFeatures": true,
      "workbench.secondarySideBar.defaultVisibility": "hidden",
      "dashLsp.trace.server": "messages",
    },
    null,
    2,
  ),
);
// code-server writes its own config under XDG_CONFIG_HOME: keep it out of the user's home.
const env = {
  ...process.env,
  XDG_CONFIG_HOME: join(scratch, "config"),
  XDG_DATA_HOME: join(scratch, "data"),
  // The extension must find its bundled binary (or the venv's), not one on PATH.
  PATH: process.env.PATH.split(":").filter((d) => !existsSync(join(d, "dash-lsp"))).join(":"),
};
// Nor one of a venv activated in the shell that runs the test.
delete env.VIRTUAL_ENV;
const common = ["--user-data-dir", userData, "--extensions-dir", extensions];

console.log(`vscode-e2e: installing ${vsix}`);
const install = spawnSync(codeServer, [...common, "--install-extension", vsix], { env, encoding: "utf8", timeout: 120_000 });
if (install.status !== 0) {
  fail(`code-server --install-extension failed (${install.status}):\n${install.stdout}\n${install.stderr}`);
}
console.log(install.stdout.trim());
if (venvBinary) {
  // The scenario is "no binary bundled": the installed extension must have none.
  const installed = readdirSync(extensions).filter((d) => d.startsWith("dash-lsp.dash-lsp-"));
  if (installed.length !== 1) fail(`expected one installed dash-lsp extension, got ${installed.join(", ")}`);
  if (existsSync(join(extensions, installed[0], "bin"))) {
    fail(`${vsix} bundles a binary (${installed[0]}/bin): the venv scenario needs one without`);
  }
}

const port = await new Promise((ok, err) => {
  const s = createServer();
  s.once("error", err);
  s.listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => ok(port));
  });
});

const serverLog = [];
const server = spawn(
  codeServer,
  [
    ...common,
    "--auth", "none",
    "--bind-addr", `127.0.0.1:${port}`,
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-workspace-trust",
    "--disable-getting-started-override",
    app,
  ],
  { env, stdio: ["ignore", "pipe", "pipe"], detached: true },
);
server.stdout.on("data", (d) => serverLog.push(String(d)));
server.stderr.on("data", (d) => serverLog.push(String(d)));

let browser;
let page;
const started = Date.now();
const step = (what) => console.log(`vscode-e2e: [${((Date.now() - started) / 1000).toFixed(1)} s] ${what}`);

async function waitForHttp(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  fail(`code-server did not answer on ${url} within ${ms} ms\n${serverLog.join("")}`);
}

/** The text of the "Dash LSP" output channel (shown first), once `done(text)` holds or after 30 s. */
async function dashLspLog(done) {
  await runCommand("Dash: Show server log");
  const output = page.locator(".panel .monaco-editor .view-lines").first();
  let logText = "";
  const logEnd = Date.now() + 30_000;
  while (Date.now() < logEnd) {
    // Monaco renders spaces as no-break spaces (and may add zero-width characters).
    logText = (await output.innerText().catch(() => ""))
      .replace(/[\u200b-\u200d\ufeff]/g, "")
      .replace(/[^\S\n]/g, " ");
    if (done(logText)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return logText;
}

/** Runs a command from the command palette by its title. */
async function runCommand(title) {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible" });
  await input.fill(`>${title}`);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first().waitFor();
  await page.keyboard.press("Enter");
}

try {
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000);
  step("code-server is up");
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(app)}`);
  await page.locator(".monaco-workbench").waitFor();
  step("workbench loaded");

  // Open app.py with Quick Open.
  await page.locator(".monaco-workbench").click({ position: { x: 700, y: 400 } });
  await page.keyboard.press("Control+P");
  await page.locator(".quick-input-widget input").waitFor({ state: "visible" });
  await page.keyboard.type("app.py");
  await page.locator(".quick-input-list .monaco-list-row", { hasText: "app.py" }).first().waitFor();
  await page.keyboard.press("Enter");
  await page.locator(".monaco-editor .view-lines", { hasText: "dash.Dash" }).waitFor();
  step("app.py open");

  // The status bar item: running, with the deploy blockers counted (DL101 and DL108 are errors).
  const status = page.locator(".statusbar-item", { hasText: "Dash" });
  await page.locator(".statusbar-item", { hasText: /Dash: [0-9]+/ }).waitFor({ timeout: 90_000 });
  step(`status bar: ${(await status.first().innerText()).trim()}`);

  // The Problems panel lists DL101.
  await runCommand("View: Focus Problems");
  const problems = page.locator(".markers-panel");
  await problems.locator(".monaco-list-row", { hasText: "DL101" }).first().waitFor({ timeout: 90_000 });
  const rows = await problems.locator(".monaco-list-row").allInnerTexts();
  step(`problems: ${rows.map((r) => r.replace(/\s+/g, " ")).join(" | ")}`);
  for (const code of ["DL101", "DL108", "DL114"]) {
    if (!rows.some((r) => r.includes(code))) fail(`${code} missing from the Problems panel: ${rows.join(" | ")}`);
  }
  await page.locator(".monaco-editor .squiggly-error").first().waitFor();
  if (venvBinary) {
    // The server that produced them is the venv's (the .vsix has none), found by the default
    // importStrategy.
    // The output view wraps long lines: the source may be on the next line.
    const venvStart = /dash-lsp: starting \S*\/\.venv\/bin\/dash-lsp\s+\(venv\)/;
    const logText = await dashLspLog((text) => venvStart.test(text));
    if (!venvStart.test(logText)) fail(`the server log does not show the .venv binary started:\n${logText}`);
    if (/WARN|\[error\]/.test(logText)) fail(`the server log has warnings or errors:\n${logText}`);
    await page.screenshot({ path: join(artifacts, "venv-diagnostics.png") });
    step("the .venv/bin/dash-lsp server runs (screenshot target/vscode-e2e/venv-diagnostics.png)");
    console.log("vscode-e2e: PASS (venv)");
  } else {
    await page.screenshot({ path: join(artifacts, "editor-diagnostics.png") });
    step("screenshot target/vscode-e2e/editor-diagnostics.png");

    // Back in the editor: go to the problem, open the Quick Fix menu, pick the fix.
    await page.locator(".monaco-editor .view-lines", { hasText: "dash.Dash" }).click();
    await page.keyboard.press("Control+Home");
    await runCommand("Go to Next Problem in Files (Error, Warning, Info)");
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+.");
    const fix = page.locator(".action-widget .monaco-list-row", { hasText: "Add `server = app.server`" });
    await fix.first().waitFor();
    const offered = await page.locator(".action-widget .monaco-list-row").allInnerTexts();
    step(`quick fixes: ${offered.map((r) => r.trim()).join(" | ")}`);
    await fix.first().click();
    await page.locator(".monaco-editor .view-lines", { hasText: "server = app.server" }).waitFor();
    await page.keyboard.press("Control+S");
    const file = join(app, "app.py");
    const end = Date.now() + 30_000;
    while (!readFileSync(file, "utf8").includes("server = app.server") && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const saved = readFileSync(file, "utf8");
    const lines = saved.split("\n");
    const at = lines.findIndex((l) => l.startsWith("app = dash.Dash("));
    if (lines[at + 1] !== "server = app.server") {
      fail(`app.py on disk does not have \`server = app.server\` after the app:\n${saved}`);
    }
    step("app.py saved with `server = app.server`");
    // The fixed problem leaves the Problems panel.
    await problems.locator(".monaco-list-row", { hasText: "DL101" }).waitFor({ state: "detached", timeout: 30_000 });
    step("DL101 gone from the Problems panel");

    // Dash: Show callback graph renders the server's SVG in a webview.
    await page.keyboard.press("Escape");
    await runCommand("Dash: Show callback graph");
    const webview = page.frameLocator("iframe.webview").frameLocator("#active-frame");
    await webview.locator("svg text", { hasText: "update_revenue" }).waitFor({ timeout: 30_000 });
    await webview.locator("svg text.title", { hasText: "sales-dashboard" }).waitFor();
    for (const id of ["region", "revenue"]) {
      await webview.locator("svg text", { hasText: new RegExp(`^${id}$`) }).first().waitFor();
    }
    await page.screenshot({ path: join(artifacts, "callback-graph.png") });
    step("callback graph drawn (screenshot target/vscode-e2e/callback-graph.png)");
    // Dash: Restart server, seen in the server log (the "Dash LSP" channel): a second start of
    // the bundled binary, no server warnings (such as a notification it does not handle); then
    // the status bar counts again (DL108 is left).
    await runCommand("Dash: Restart server");
    const logText = await dashLspLog((text) => (text.match(/dash-lsp: starting/g) ?? []).length >= 2);
    // Both from the extension's own folder: the bundled binary (PATH has no dash-lsp here).
    const bundledStarts = logText.match(/dash-lsp: starting \S*\/extensions\/dash-lsp\.dash-lsp-/g) ?? [];
    if (bundledStarts.length !== 2) {
      fail(`expected two starts of the bundled server in the log:\n${logText}`);
    }
    if (/WARN|\[error\]/.test(logText)) fail(`the server log has warnings or errors:\n${logText}`);
    await page.locator(".statusbar-item", { hasText: /Dash: 1$/ }).waitFor({ timeout: 60_000 });
    step(`restarted (two starts in the log, no warnings); status bar: ${(await status.first().innerText()).trim()}`);

    // A setting changed in settings.json reaches the running server: ignoring DL108 leaves no
    // deploy blocker (the status bar shows the check mark) and clears it from the panel.
    // Edited in VS Code's own settings editor (JSON), as a user would.
    const settingsFile = join(userData, "User/settings.json");
    const settings = JSON.parse(readFileSync(settingsFile, "utf8"));
    settings["dashLsp.ignore"] = ["DL108"];
    await runCommand("Preferences: Open User Settings (JSON)");
    await page.locator(".monaco-editor .view-lines", { hasText: "workbench.startupEditor" }).first().click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText(JSON.stringify(settings));
    await page.keyboard.press("Control+S");
    await page.locator(".statusbar-item", { hasText: /^\s*Dash\s*$/ }).waitFor({ timeout: 60_000 });
    // The settings editor opens as a modal: close it before going on.
    await page.keyboard.press("Control+W");
    await page.locator(".monaco-editor .view-lines", { hasText: "dashLsp.ignore" }).waitFor({ state: "detached" });
    await runCommand("View: Focus Problems");
    await problems.locator(".monaco-list-row", { hasText: "DL108" }).waitFor({ state: "detached", timeout: 30_000 });
    step("dashLsp.ignore = [DL108] applied: no deploy blocker left");

    if (process.env.UPDATE_SCREENSHOTS) {
      // The extension's README and the repository README show these.
      cpSync(join(artifacts, "editor-diagnostics.png"), join(repo, "editors/vscode/media/screenshot.png"));
      cpSync(join(artifacts, "callback-graph.png"), join(repo, "editors/vscode/media/callback-graph.png"));
      step("screenshots copied to editors/vscode/media/");
    }
    console.log("vscode-e2e: PASS");
  }
} catch (err) {
  process.exitCode = 1;
  console.error(`vscode-e2e: ${err?.stack ?? err}`);
  if (page) {
    await page.screenshot({ path: join(artifacts, "failure.png") }).catch(() => {});
    console.error("vscode-e2e: screenshot of the failure: target/vscode-e2e/failure.png");
  }
  console.error(`--- code-server log\n${serverLog.join("").slice(-8000)}`);
} finally {
  await browser?.close().catch(() => {});
  try {
    process.kill(-server.pid, "SIGTERM");
  } catch {
    // already gone
  }
  rmSync(scratch, { recursive: true, force: true });
}
