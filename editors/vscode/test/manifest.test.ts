// The manifest agrees with the server and the code: every server setting has a VS Code setting,
// every language the client serves is contributed, every command is implemented.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { serverSettings } from "../src/settings";

const root = join(__dirname, "..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const props: Record<string, { default?: unknown }> = manifest.contributes.configuration.properties;

test("every server setting is mirrored by a dashLsp.* setting that maps to it", () => {
  // The server's keys, read from its source (the list the server validates against).
  const source = readFileSync(join(root, "../../server/crates/analysis/src/settings.rs"), "utf8");
  const start = source.indexOf("const KEYS");
  assert.ok(start >= 0, "settings.rs declares KEYS");
  const block = source.slice(start, source.indexOf("];", start));
  const keys = [...block.matchAll(/"([a-z-]+)"/g)].map((m) => m[1]);
  assert.ok(keys.length >= 8, block);
  const sample: Record<string, unknown> = {
    select: ["DL1"], extendSelect: ["DL3"], ignore: ["DL114"], exclude: ["x/**"],
    severity: { DL301: "error" }, largeFileMb: 1, parquetHintMb: 2, entry: "a.py",
  };
  const mapped = serverSettings((k) => sample[k]);
  assert.deepEqual(Object.keys(mapped).sort(), [...keys].sort());
  for (const camel of Object.keys(sample)) {
    assert.ok(`dashLsp.${camel}` in props, `dashLsp.${camel} is contributed`);
  }
  // Defaults map to nothing (the app's own config applies).
  const defaults = serverSettings((k) => props[`dashLsp.${k}`]?.default);
  assert.deepEqual(defaults, {});
});

test("languages, grammars, activation and commands are consistent", () => {
  const ids = manifest.contributes.languages.map((l: { id: string }) => l.id);
  assert.deepEqual(ids.sort(), ["dash-runtime", "dokku-checks", "pip-requirements", "procfile"]);
  const byId = Object.fromEntries(manifest.contributes.languages.map((l: { id: string }) => [l.id, l]));
  assert.deepEqual(byId.procfile.filenames, ["Procfile"]);
  assert.deepEqual(byId["dokku-checks"].filenames, ["CHECKS"]);
  assert.ok(byId["dash-runtime"].filenames.includes("runtime.txt"));
  for (const g of manifest.contributes.grammars) {
    JSON.parse(readFileSync(join(root, g.path), "utf8"));
  }
  for (const event of ["workspaceContains:**/Procfile", "workspaceContains:**/app.py", "workspaceContains:**/requirements.txt"]) {
    assert.ok(manifest.activationEvents.includes(event), event);
  }
  const extension = readFileSync(join(root, "src/extension.ts"), "utf8");
  for (const c of manifest.contributes.commands) {
    assert.ok(extension.includes(`registerCommand("${c.command}"`), `${c.command} is registered`);
  }
  for (const id of ids) {
    assert.ok(extension.includes(`language: "${id}"`), `the client serves ${id}`);
  }
  assert.ok("dashLsp.trace.server" in props && "dashLsp.path" in props);
});

test("dashLsp.importStrategy: fromEnvironment by default, useBundled, and a change restarts the server", () => {
  const strategy = props["dashLsp.importStrategy"] as { default?: unknown; enum?: unknown };
  assert.equal(strategy.default, "fromEnvironment");
  assert.deepEqual(strategy.enum, ["fromEnvironment", "useBundled"]);
  const extension = readFileSync(join(root, "src/extension.ts"), "utf8");
  assert.ok(extension.includes("affectsConfiguration(`${SECTION}.importStrategy`)"));
});
