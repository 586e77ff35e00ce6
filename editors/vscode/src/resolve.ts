// Which dash-lsp binary to start: the `dashLsp.path` setting, else the binary bundled in the
// extension, else `dash-lsp` on PATH. Pure (the file system is passed in) so it is unit-tested
// without VS Code.
import * as path from "node:path";

export type BinarySource = "setting" | "bundled" | "path";

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

export function resolveBinary(input: ResolveInput): Resolution {
  const tried: string[] = [];
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
  const bundled = path.join(input.extensionPath, "bin", name);
  tried.push(bundled);
  if (input.isExecutable(bundled)) {
    return { ok: true, path: bundled, source: "bundled" };
  }
  const delimiter = input.platform === "win32" ? ";" : ":";
  for (const dir of (input.pathEnv ?? "").split(delimiter)) {
    if (!dir) {
      continue;
    }
    const candidate = path.join(dir, name);
    tried.push(candidate);
    if (input.isExecutable(candidate)) {
      return { ok: true, path: candidate, source: "path" };
    }
  }
  return {
    ok: false,
    message:
      `dash-lsp: no server binary found (not bundled for this platform, not on PATH). ` +
      `Install it (cargo install dash-lsp) or set "dashLsp.path".`,
    tried,
  };
}
