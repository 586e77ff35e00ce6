// Bundles the extension (one CommonJS file, vscode-languageclient inlined) with esbuild; with
// --tests, compiles the unit tests (which import only the pure modules) for node's test runner.
import { build } from "esbuild";
import { readdirSync } from "node:fs";

const tests = process.argv.includes("--tests");

if (tests) {
  const entries = readdirSync("test")
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => `test/${f}`);
  await build({
    entryPoints: entries,
    outdir: "dist-test",
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode", "vscode-textmate", "vscode-oniguruma"],
    logLevel: "warning",
  });
} else {
  await build({
    entryPoints: ["src/extension.ts"],
    outfile: "dist/extension.js",
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode"],
    minify: process.env.NODE_ENV === "production",
    sourcemap: process.env.NODE_ENV !== "production",
    logLevel: "warning",
  });
}
