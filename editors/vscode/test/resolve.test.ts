import assert from "node:assert/strict";
import { test } from "node:test";

import { environmentCandidates, expandSetting, resolveBinary, type ResolveInput } from "../src/resolve";

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

test("a blank setting means not set: PATH in order, then the bundled binary", () => {
  assert.deepEqual(resolveBinary(input(["/ext/bin/dash-lsp", "/usr/bin/dash-lsp"], { configured: "  " })), {
    ok: true,
    path: "/usr/bin/dash-lsp",
    source: "path",
  });
  assert.deepEqual(resolveBinary(input(["/usr/bin/dash-lsp", "/usr/local/bin/dash-lsp"], { configured: null })), {
    ok: true,
    path: "/usr/local/bin/dash-lsp",
    source: "path",
  });
  assert.deepEqual(resolveBinary(input(["/ext/bin/dash-lsp"], { configured: null })), {
    ok: true,
    path: "/ext/bin/dash-lsp",
    source: "bundled",
  });
});

test("fromEnvironment (the default): the workspace's .venv wins over PATH and the bundled binary", () => {
  const all = ["/work/app/.venv/bin/dash-lsp", "/work/app/venv/bin/dash-lsp", "/usr/bin/dash-lsp", "/ext/bin/dash-lsp"];
  assert.deepEqual(resolveBinary(input(all)), { ok: true, path: "/work/app/.venv/bin/dash-lsp", source: "venv" });
  assert.deepEqual(resolveBinary(input(all.slice(1), { importStrategy: "fromEnvironment" })), {
    ok: true,
    path: "/work/app/venv/bin/dash-lsp",
    source: "venv",
  });
  // An unknown strategy is the default.
  assert.deepEqual(resolveBinary(input(all, { importStrategy: "whatever" })), {
    ok: true,
    path: "/work/app/.venv/bin/dash-lsp",
    source: "venv",
  });
});

test("fromEnvironment: the selected interpreter first, then every folder's venv, then $VIRTUAL_ENV", () => {
  const i = input([], {
    interpreter: "/envs/py312/bin/python3",
    workspaceFolders: ["/work/a", "/work/b"],
    virtualEnv: "/home/ana/.virtualenvs/x",
  });
  assert.deepEqual(environmentCandidates(i), [
    ["/envs/py312/bin/dash-lsp", "interpreter"],
    ["/work/a/.venv/bin/dash-lsp", "venv"],
    ["/work/a/venv/bin/dash-lsp", "venv"],
    ["/work/b/.venv/bin/dash-lsp", "venv"],
    ["/work/b/venv/bin/dash-lsp", "venv"],
    ["/home/ana/.virtualenvs/x/bin/dash-lsp", "virtualenv"],
  ]);
  const found = resolveBinary({ ...i, isExecutable: (f) => f === "/home/ana/.virtualenvs/x/bin/dash-lsp" || f === "/usr/bin/dash-lsp" });
  assert.deepEqual(found, { ok: true, path: "/home/ana/.virtualenvs/x/bin/dash-lsp", source: "virtualenv" });
  const interp = resolveBinary({ ...i, isExecutable: (f) => f === "/envs/py312/bin/dash-lsp" || f === "/work/a/.venv/bin/dash-lsp" });
  assert.deepEqual(interp, { ok: true, path: "/envs/py312/bin/dash-lsp", source: "interpreter" });
});

test("useBundled: the bundled binary, then PATH; a venv is not looked at", () => {
  const all = ["/work/app/.venv/bin/dash-lsp", "/usr/bin/dash-lsp", "/ext/bin/dash-lsp"];
  assert.deepEqual(resolveBinary(input(all, { importStrategy: "useBundled" })), {
    ok: true,
    path: "/ext/bin/dash-lsp",
    source: "bundled",
  });
  const r = resolveBinary(input(["/work/app/.venv/bin/dash-lsp"], { importStrategy: "useBundled" }));
  assert.equal(r.ok, false);
  assert.deepEqual(!r.ok && r.tried, ["/ext/bin/dash-lsp", "/usr/local/bin/dash-lsp", "/usr/bin/dash-lsp"]);
});

test("the setting wins over a venv too", () => {
  const r = resolveBinary(input(["/opt/dash-lsp", "/work/app/.venv/bin/dash-lsp"], { configured: "/opt/dash-lsp" }));
  assert.deepEqual(r, { ok: true, path: "/opt/dash-lsp", source: "setting" });
});

test("nothing found: a clear message and every place tried", () => {
  const r = resolveBinary(input([], { pathEnv: "/a::/b" }));
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.message.includes("no server binary found"));
  assert.ok(!r.ok && r.message.includes("pip install dash-lsp"));
  assert.deepEqual(!r.ok && r.tried, [
    "/work/app/.venv/bin/dash-lsp",
    "/work/app/venv/bin/dash-lsp",
    "/a/dash-lsp",
    "/b/dash-lsp",
    "/ext/bin/dash-lsp",
  ]);
  const none = resolveBinary(input([], { pathEnv: undefined, workspaceFolder: undefined }));
  assert.deepEqual(!none.ok && none.tried, ["/ext/bin/dash-lsp"]);
});

test("windows: .exe, Scripts\\ in venvs, ; separated PATH", () => {
  const r = resolveBinary(input(["C:\\tools\\dash-lsp.exe"], { platform: "win32", pathEnv: "C:\\tools;D:\\x", extensionPath: "/ext" }));
  assert.deepEqual(r, { ok: true, path: "C:\\tools\\dash-lsp.exe", source: "path" });
  const w = input([], {
    platform: "win32",
    workspaceFolder: "C:\\work\\app",
    interpreter: "C:\\Users\\ana\\miniconda3\\python.exe",
    virtualEnv: "D:\\venvs\\dash",
  });
  assert.deepEqual(
    environmentCandidates(w).map(([c]) => c),
    [
      "C:\\Users\\ana\\miniconda3\\dash-lsp.exe",
      "C:\\Users\\ana\\miniconda3\\Scripts\\dash-lsp.exe",
      "C:\\work\\app\\.venv\\Scripts\\dash-lsp.exe",
      "C:\\work\\app\\.venv\\bin\\dash-lsp.exe",
      "C:\\work\\app\\venv\\Scripts\\dash-lsp.exe",
      "C:\\work\\app\\venv\\bin\\dash-lsp.exe",
      "D:\\venvs\\dash\\Scripts\\dash-lsp.exe",
      "D:\\venvs\\dash\\bin\\dash-lsp.exe",
    ],
  );
  const venv = resolveBinary({ ...w, isExecutable: (f) => f === "C:\\work\\app\\.venv\\Scripts\\dash-lsp.exe" });
  assert.deepEqual(venv, { ok: true, path: "C:\\work\\app\\.venv\\Scripts\\dash-lsp.exe", source: "venv" });
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
