// The VS Code side of dash-lsp: starts the server, shows its state and the count of deploy
// blockers, renders the callback graph, restarts on demand. All analysis is in the server.
import * as fs from "node:fs";
import * as os from "node:os";
import * as vscode from "vscode";
import {
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
} from "vscode-languageclient/node";

import { resolveBinary } from "./resolve";
import { logLevel, serverSettings } from "./settings";
import { countDiagnostics, graphHtml, type ServerState, statusText } from "./view";

const SECTION = "dashLsp";

/** The part of the Python extension's API (ms-python.python) used here. */
interface PythonApi {
  environments?: {
    getActiveEnvironmentPath?: (resource?: vscode.Uri) => { id?: string; path: string } | undefined;
    resolveEnvironment?: (
      env: { id?: string; path: string },
    ) => Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
}
const GRAPH_COMMAND = "dash-lsp.callbackGraph";

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let status: vscode.StatusBarItem;
let state: ServerState = "stopped";
let graphPanel: vscode.WebviewPanel | undefined;
let graphUri: vscode.Uri | undefined;

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function settingsFor(scope?: vscode.Uri): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  return serverSettings((key) => config.get(key));
}

function updateStatus(): void {
  const all = vscode.languages.getDiagnostics().flatMap(([, diagnostics]) => diagnostics);
  const { text, tooltip } = statusText(state, countDiagnostics(all));
  status.text = text;
  status.tooltip = tooltip;
  status.show();
}

function setState(next: ServerState): void {
  state = next;
  void vscode.commands.executeCommand("setContext", "dashLsp.running", next === "running");
  updateStatus();
}

/** The error shown when no server runs, with the two ways out: the binary setting, the log. */
async function reportStartFailure(message: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, "Open setting", "Show log");
  if (choice === "Open setting") {
    await vscode.commands.executeCommand("workbench.action.openSettings", `${SECTION}.path`);
  } else if (choice === "Show log") {
    output.show();
  }
}

/** The Python extension's API when it is installed; `undefined` otherwise or on any failure
 * (it is optional: the venv folders and PATH are looked at without it). */
async function pythonApi(): Promise<PythonApi | undefined> {
  const ext = vscode.extensions.getExtension<PythonApi>("ms-python.python");
  if (!ext) {
    return undefined;
  }
  try {
    // Its activation can take long (environment discovery): the server does not wait for it.
    const activated = ext.isActive ? Promise.resolve(ext.exports) : ext.activate();
    const timeout = new Promise<undefined>((ok) => setTimeout(() => ok(undefined), 5000));
    return (await Promise.race([activated, timeout])) ?? undefined;
  } catch (err) {
    output.appendLine(`dash-lsp: the Python extension's API is not available: ${String(err)}`);
    return undefined;
  }
}

/** The python executable of the interpreter selected in the Python extension, if any. */
async function selectedInterpreter(api: PythonApi | undefined): Promise<string | undefined> {
  try {
    const environments = api?.environments;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const active = environments?.getActiveEnvironmentPath?.(folder);
    if (!active?.path) {
      return undefined;
    }
    const resolved = await environments?.resolveEnvironment?.(active);
    return resolved?.executable?.uri?.fsPath ?? active.path;
  } catch (err) {
    output.appendLine(`dash-lsp: cannot read the selected Python interpreter: ${String(err)}`);
    return undefined;
  }
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  // A binary inside the workspace is run only in a trusted workspace (without a manifest
  // capability VS Code does not activate the extension in others; this keeps it so if one is added).
  const importStrategy = vscode.workspace.isTrusted ? config.get<string>("importStrategy") : "useBundled";
  const interpreter = importStrategy === "useBundled" ? undefined : await selectedInterpreter(await pythonApi());
  const resolution = resolveBinary({
    configured: config.get<string | null>("path"),
    extensionPath: context.extensionPath,
    platform: process.platform,
    pathEnv: process.env.PATH,
    home: os.homedir(),
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    workspaceFolders: vscode.workspace.workspaceFolders?.map((f) => f.uri.fsPath),
    importStrategy,
    interpreter,
    virtualEnv: process.env.VIRTUAL_ENV,
    isExecutable,
  });
  if (!resolution.ok) {
    setState("failed");
    output.appendLine(`${resolution.message}\nTried:\n  ${resolution.tried.join("\n  ")}`);
    await reportStartFailure(resolution.message);
    return;
  }
  output.appendLine(`dash-lsp: starting ${resolution.path} (${resolution.source})`);
  const serverOptions: ServerOptions = {
    command: resolution.path,
    args: ["server"],
    options: { env: { ...process.env, DASH_LSP_LOG: logLevel(config.get("log")) } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "python" },
      { scheme: "file", language: "procfile" },
      { scheme: "file", language: "dokku-checks" },
      { scheme: "file", language: "dash-runtime" },
      { scheme: "file", language: "pip-requirements" },
      { scheme: "file", language: "shellscript" },
      { scheme: "file", pattern: "**/{pyproject,dash-lsp}.toml" },
    ],
    initializationOptions: settingsFor(),
    outputChannel: output,
    traceOutputChannel: output,
    // The server pulls its settings (section `dash-lsp`) and re-pulls on every change.
    synchronize: { configurationSection: SECTION },
    middleware: {
      workspace: {
        configuration: (params) =>
          params.items.map((item) =>
            item.section === "dash-lsp" || item.section === undefined
              ? settingsFor(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)
              : null,
          ),
      },
    },
  };
  const next = new LanguageClient(SECTION, "Dash LSP", serverOptions, clientOptions);
  client = next;
  next.onDidChangeState((e) => {
    if (e.newState === State.Running) {
      setState("running");
    } else if (e.newState === State.Starting) {
      setState("starting");
    } else if (state !== "failed") {
      setState("stopped");
    }
  });
  setState("starting");
  try {
    await next.start();
  } catch (err) {
    setState("failed");
    output.appendLine(`dash-lsp: the server failed to start: ${String(err)}`);
    await reportStartFailure(`dash-lsp: the server failed to start (${resolution.path}).`);
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (err) {
      output.appendLine(`dash-lsp: stopping the server: ${String(err)}`);
    }
    await running.dispose();
  }
  setState("stopped");
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await stop();
  await start(context);
}

/** The document or folder whose app the graph shows. */
function graphTarget(): vscode.Uri | undefined {
  const doc = vscode.window.activeTextEditor?.document.uri;
  if (doc && doc.scheme === "file") {
    return doc;
  }
  return graphUri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
}

async function showCallbackGraph(reveal: boolean): Promise<void> {
  if (!client || state !== "running") {
    void vscode.window.showWarningMessage("dash-lsp: the server is not running (Dash: Restart server).");
    return;
  }
  const target = reveal ? graphTarget() : graphUri;
  graphUri = target;
  let content: string;
  try {
    const answer = (await client.sendRequest(ExecuteCommandRequest.type, {
      command: GRAPH_COMMAND,
      arguments: target ? [{ uri: client.code2ProtocolConverter.asUri(target), format: "svg" }] : [],
    })) as { content?: string } | null;
    content = answer?.content ?? "";
  } catch (err) {
    void vscode.window.showErrorMessage(`dash-lsp: cannot draw the callback graph: ${String(err)}`);
    return;
  }
  const title = `Callback graph${target ? ` — ${vscode.workspace.asRelativePath(target)}` : ""}`;
  if (!graphPanel) {
    graphPanel = vscode.window.createWebviewPanel(
      "dashLsp.callbackGraph",
      "Dash callback graph",
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: false, localResourceRoots: [] },
    );
    graphPanel.onDidDispose(() => {
      graphPanel = undefined;
    });
  } else if (reveal) {
    graphPanel.reveal(vscode.ViewColumn.Beside, true);
  }
  graphPanel.webview.html = graphHtml(content, title);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("Dash LSP", { log: true });
  status = vscode.window.createStatusBarItem("dashLsp.status", vscode.StatusBarAlignment.Left, 10);
  status.name = "Dash deploy checks";
  status.command = "workbench.actions.view.problems";
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand("dashLsp.restartServer", () => restart(context)),
    vscode.commands.registerCommand("dashLsp.showOutput", () => output.show()),
    vscode.commands.registerCommand("dashLsp.showCallbackGraph", () => showCallbackGraph(true)),
    vscode.languages.onDidChangeDiagnostics(() => updateStatus()),
    vscode.workspace.onDidSaveTextDocument(() => {
      if (graphPanel) {
        void showCallbackGraph(false);
      }
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // The binary and its log level are fixed for a process: restart. Rule settings are
      // re-pulled by the running server.
      if (
        e.affectsConfiguration(`${SECTION}.path`) ||
        e.affectsConfiguration(`${SECTION}.importStrategy`) ||
        e.affectsConfiguration(`${SECTION}.log`)
      ) {
        void restart(context);
      }
    }),
  );
  await start(context);
  // Another interpreter selected: its environment may hold another dash-lsp.
  const changed = (await pythonApi())?.environments?.onDidChangeActiveEnvironmentPath;
  if (changed) {
    try {
      context.subscriptions.push(
        changed(() => {
          if (vscode.workspace.getConfiguration(SECTION).get("importStrategy") !== "useBundled") {
            void restart(context);
          }
        }),
      );
    } catch (err) {
      output.appendLine(`dash-lsp: not following the Python interpreter: ${String(err)}`);
    }
  }
}

export async function deactivate(): Promise<void> {
  await stop();
}
