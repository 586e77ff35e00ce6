// VS Code settings (`dashLsp.*`, camelCase) -> the server's settings (kebab-case keys, the same
// as `[tool.dash-lsp]` in pyproject.toml). Unset values are left out so that the app's own
// configuration file still applies; pure, so it is unit-tested without VS Code.

/** Reads one `dashLsp.*` key (`WorkspaceConfiguration.get`). */
export type Getter = (key: string) => unknown;

export type ServerSettings = Record<string, unknown>;

const LISTS: Array<[string, string]> = [
  ["select", "select"],
  ["extendSelect", "extend-select"],
  ["ignore", "ignore"],
  ["exclude", "exclude"],
];

const NUMBERS: Array<[string, string]> = [
  ["largeFileMb", "large-file-mb"],
  ["parquetHintMb", "parquet-hint-mb"],
];

const SEVERITIES = new Set(["error", "warning", "info", "hint"]);

export function serverSettings(get: Getter): ServerSettings {
  const out: ServerSettings = {};
  for (const [key, server] of LISTS) {
    const value = get(key);
    if (Array.isArray(value)) {
      const items = value
        .filter((v): v is string => typeof v === "string")
        .map((v) => v.trim())
        .filter((v) => v.length > 0);
      // An empty list means "not set" (an empty `select` would switch every rule off).
      if (items.length > 0) {
        out[server] = items;
      }
    }
  }
  for (const [key, server] of NUMBERS) {
    const value = get(key);
    if (typeof value === "number" && Number.isFinite(value)) {
      out[server] = value;
    }
  }
  const entry = get("entry");
  if (typeof entry === "string" && entry.trim() !== "") {
    out.entry = entry.trim();
  }
  const severity = get("severity");
  if (severity && typeof severity === "object" && !Array.isArray(severity)) {
    const table: Record<string, string> = {};
    for (const [code, level] of Object.entries(severity as Record<string, unknown>)) {
      // Bad values are passed on as they are: the server reports them with a clear message.
      if (typeof level === "string") {
        table[code.trim().toUpperCase()] = SEVERITIES.has(level.toLowerCase())
          ? level.toLowerCase()
          : level;
      }
    }
    if (Object.keys(table).length > 0) {
      out.severity = table;
    }
  }
  return out;
}

/** The server's log filter for the `dashLsp.log` setting. */
export function logLevel(value: unknown): string {
  return typeof value === "string" && ["error", "warn", "info", "debug"].includes(value)
    ? value
    : "warn";
}
