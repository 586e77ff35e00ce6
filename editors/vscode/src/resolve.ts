// Which dash-lsp binary to start: the `dashLsp.path` setting, else (importStrategy
// "fromEnvironment", the default) the one the user installed with pip into the Python
// environment of the workspace, then PATH, then the binary bundled in the extension; with
// "useBundled" the bundled one, then PATH. The way ruff-vscode's `importStrategy` does it: the
// version pinned in the project's venv is the one the team's CI runs. Pure (the file system is
// passed in) so it is unit-tested without VS Code.
import * as path from "node:path";

export type BinarySource = "setting" | "interpreter" | "venv" | "virtualenv" | "path" | "bundled";

export type ImportStrategy = "fromEnvironment" | "useBundled";

export type Resolution =
  | { ok: true; path: string; source: BinarySource }
  | { ok: false; message: string; tried: string[] };

export interface ResolveInput {
  /** The `dashLsp.path` setting (undefined, null or blank: not set). */
  configured?: string | null;
  /** The extension's install folder (the bundled binary is `bin/dash-lsp` in it). */
  extensionPath: string;
  /** `process.platform`. */
  platform: NodeJS.Platform;
  /** The `PATH` environment variable. */
  pathEnv?: string;
  /** The home folder, for `~` in the setting. */
  home?: string;
  /** The first workspace folder, for `${workspaceFolder}` and relative paths in the setting. */
  workspaceFolder?: string;
  /** The `dashLsp.importStrategy` setting (anything else than "useBundled": fromEnvironment). */
  importStrategy?: string | null;
  /** The Python extension's selected interpreter (its python executable), when known. */
  interpreter?: string;
  /** Every workspace folder, searched for `.venv` and `venv` (default: `workspaceFolder`). */
  workspaceFolders?: string[];
  /** The `VIRTUAL_ENV` environment variable (the venv activated in the shell VS Code came from). */
  virtualEnv?: string;
  /** Whether a file exists and can be executed. */
  isExecutable: (file: string) => boolean;
}

export function binaryName(platform: NodeJS.Platform): string {
  return platform === "win32" ? "dash-lsp.exe" : "dash-lsp";
}

/** The setting's value as an absolute path (`~`, `${workspaceFolder}`, `${userHome}`). */
export function expandSetting(value: string, input: ResolveInput): string {
  let p = value.trim();
  const home = input.home ?? "";
  const folder = input.workspaceFolder ?? "";
  p = p.replace(/\$\{userHome\}/g, home).replace(/\$\{workspaceFolder\}/g, folder);
  if (home && (p === "~" || p.startsWith("~/") || p.startsWith("~\\"))) {
    p = home + p.slice(1);
  }
  if (!path.isAbsolute(p) && folder) {
    p = path.join(folder, p);
  }
  return p;
}

/** The path functions of the platform the binary runs on (a Windows path on any host). */
function pathsOf(platform: NodeJS.Platform): path.PlatformPath {
  return platform === "win32" ? path.win32 : path.posix;
}

/** Where pip puts the console script in a virtual environment: `bin/`, on Windows `Scripts\`. */
export function venvBinaries(env: string, platform: NodeJS.Platform): string[] {
  const p = pathsOf(platform);
  const name = binaryName(platform);
  return platform === "win32" ? [p.join(env, "Scripts", name), p.join(env, "bin", name)] : [p.join(env, "bin", name)];
}

/** The console script next to a python executable (a venv's `bin/python`, `Scripts\python.exe`),
 * or in `Scripts\` beside a conda or system `python.exe` on Windows. */
export function interpreterBinaries(python: string, platform: NodeJS.Platform): string[] {
  const p = pathsOf(platform);
  const name = binaryName(platform);
  const dir = p.dirname(python);
  return platform === "win32" ? [p.join(dir, name), p.join(dir, "Scripts", name)] : [p.join(dir, name)];
}

/** The places of the "fromEnvironment" lookup that come before PATH, in order, each with its source. */
export function environmentCandidates(input: ResolveInput): Array<[string, BinarySource]> {
  const out: Array<[string, BinarySource]> = [];
  const p = pathsOf(input.platform);
  if (input.interpreter) {
    for (const c of interpreterBinaries(input.interpreter, input.platform)) {
      out.push([c, "interpreter"]);
    }
  }
  const folders = input.workspaceFolders ?? (input.workspaceFolder ? [input.workspaceFolder] : []);
  for (const folder of folders) {
    for (const venv of [".venv", "venv"]) {
      for (const c of venvBinaries(p.join(folder, venv), input.platform)) {
        out.push([c, "venv"]);
      }
    }
  }
  if (input.virtualEnv) {
    for (const c of venvBinaries(input.virtualEnv, input.platform)) {
      out.push([c, "virtualenv"]);
    }
  }
  return out;
}

export function resolveBinary(input: ResolveInput): Resolution {
  const configured = input.configured?.trim();
  if (configured) {
    const p = expandSetting(configured, input);
    if (input.isExecutable(p)) {
      return { ok: true, path: p, source: "setting" };
    }
    // A configured path that does not work is an error: silently starting another binary
    // would hide the mistake.
    return {
      ok: false,
      message: `dash-lsp: the binary set in "dashLsp.path" (${p}) does not exist or is not executable.`,
      tried: [p],
    };
  }
  const name = binaryName(input.platform);
  const bundled: [string, BinarySource] = [path.join(input.extensionPath, "bin", name), "bundled"];
  const delimiter = input.platform === "win32" ? ";" : ":";
  const onPath: Array<[string, BinarySource]> = (input.pathEnv ?? "")
    .split(delimiter)
    .filter((dir) => dir)
    .map((dir) => [pathsOf(input.platform).join(dir, name), "path"]);
  const candidates: Array<[string, BinarySource]> =
    input.importStrategy === "useBundled"
      ? [bundled, ...onPath]
      : [...environmentCandidates(input), ...onPath, bundled];
  const tried: string[] = [];
  for (const [candidate, source] of candidates) {
    if (tried.includes(candidate)) {
      continue;
    }
    tried.push(candidate);
    if (input.isExecutable(candidate)) {
      return { ok: true, path: candidate, source };
    }
  }
  return {
    ok: false,
    message:
      `dash-lsp: no server binary found (not in the workspace's virtualenv, not on PATH, not bundled ` +
      `for this platform). Install it (pip install dash-lsp) or set "dashLsp.path".`,
    tried,
  };
}
