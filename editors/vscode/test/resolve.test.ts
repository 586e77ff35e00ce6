import assert from "node:assert/strict";
import { test } from "node:test";

import { expandSetting, resolveBinary, type ResolveInput } from "../src/resolve";

function input(executables: string[], extra: Partial<ResolveInput> = {}): ResolveInput {
  const set = new Set(executables);
  return {
    extensionPath: "/ext",
    platform: "linux",
    pathEnv: "/usr/local/bin:/usr/bin",
    home: "/home/ana",
    workspaceFolder: "/work/app",
    isExecutable: (f) => set.has(f),
    ...extra,
  };
}

test("the setting wins over the bundled binary and PATH", () => {
  const r = resolveBinary(input(["/opt/dash-lsp", "/ext/bin/dash-lsp", "/usr/bin/dash-lsp"], { configured: "/opt/dash-lsp" }));
  assert.deepEqual(r, { ok: true, path: "/opt/dash-lsp", source: "setting" });
});

test("a configured binary that is missing is an error naming it, not a silent fallback", () => {
  const r = resolveBinary(input(["/ext/bin/dash-lsp"], { configured: "~/bin/dash-lsp" }));
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.message.includes("/home/ana/bin/dash-lsp"), JSON.stringify(r));
  assert.ok(!r.ok && r.message.includes("dashLsp.path"));
  assert.deepEqual(!r.ok && r.tried, ["/home/ana/bin/dash-lsp"]);
});

test("a blank setting means not set: bundled first, then PATH in order", () => {
  assert.deepEqual(resolveBinary(input(["/ext/bin/dash-lsp", "/usr/bin/dash-lsp"], { configured: "  " })), {
    ok: true,
    path: "/ext/bin/dash-lsp",
    source: "bundled",
  });
  assert.deepEqual(resolveBinary(input(["/usr/bin/dash-lsp", "/usr/local/bin/dash-lsp"], { configured: null })), {
    ok: true,
    path: "/usr/local/bin/dash-lsp",
    source: "path",
  });
});

test("nothing found: a clear message and every place tried", () => {
  const r = resolveBinary(input([], { pathEnv: "/a::/b" }));
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.message.includes("no server binary found"));
  assert.deepEqual(!r.ok && r.tried, ["/ext/bin/dash-lsp", "/a/dash-lsp", "/b/dash-lsp"]);
  const none = resolveBinary(input([], { pathEnv: undefined }));
  assert.deepEqual(!none.ok && none.tried, ["/ext/bin/dash-lsp"]);
});

test("windows: .exe and ; separated PATH", () => {
  const r = resolveBinary(input(["C:\\tools/dash-lsp.exe"], { platform: "win32", pathEnv: "C:\\tools;D:\\x", extensionPath: "/ext" }));
  assert.deepEqual(r, { ok: true, path: "C:\\tools/dash-lsp.exe", source: "path" });
});

test("setting expansion: ~, ${userHome}, ${workspaceFolder}, relative paths", () => {
  const i = input([]);
  assert.equal(expandSetting("~/x/dash-lsp", i), "/home/ana/x/dash-lsp");
  assert.equal(expandSetting("${userHome}/y", i), "/home/ana/y");
  assert.equal(expandSetting("${workspaceFolder}/target/release/dash-lsp", i), "/work/app/target/release/dash-lsp");
  assert.equal(expandSetting("target/release/dash-lsp", i), "/work/app/target/release/dash-lsp");
  assert.equal(expandSetting(" /abs/dash-lsp ", i), "/abs/dash-lsp");
  // `~user` is not the home folder: left as a relative path.
  assert.equal(expandSetting("~bob/dash-lsp", i), "/work/app/~bob/dash-lsp");
});
