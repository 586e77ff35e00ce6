// The TextMate grammars tokenised by the same engine VS Code uses (vscode-textmate + oniguruma).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import * as oniguruma from "vscode-oniguruma";
import * as textmate from "vscode-textmate";

const root = join(__dirname, "..");

async function registry(): Promise<textmate.Registry> {
  const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const files: Record<string, string> = {
    "source.procfile": "syntaxes/procfile.tmLanguage.json",
    "source.dokku-checks": "syntaxes/checks.tmLanguage.json",
  };
  return new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) => {
      const file = files[scope];
      return file ? textmate.parseRawGrammar(readFileSync(join(root, file), "utf8"), join(root, file)) : null;
    },
  });
}

/** Each token's text with its innermost scope, for the given lines. */
async function tokens(scope: string, lines: string[]): Promise<Array<[string, string]>> {
  const grammar = await (await registry()).loadGrammar(scope);
  assert.ok(grammar, `grammar ${scope} loads`);
  const out: Array<[string, string]> = [];
  let stack = textmate.INITIAL;
  for (const line of lines) {
    const result = grammar.tokenizeLine(line, stack);
    for (const t of result.tokens) {
      const text = line.slice(t.startIndex, t.endIndex);
      if (text.trim() !== "") {
        out.push([text.trim(), t.scopes[t.scopes.length - 1]]);
      }
    }
    stack = result.ruleStack;
  }
  return out;
}

/** The scope of the first token whose text is `text`. */
function scopeIn(tokens: Array<[string, string]>, text: string): string | undefined {
  return tokens.find(([s]) => s === text)?.[1];
}

test("Procfile: process type, command, gunicorn target, options, variables, comments", async () => {
  const t = await tokens("source.procfile", ["# deploy", "web: gunicorn app:server --workers 4 --bind 0.0.0.0:$PORT"]);
  const scopeOf = (text: string) => scopeIn(t, text);
  assert.equal(scopeOf("# deploy"), "comment.line.number-sign.procfile");
  assert.equal(scopeOf("web"), "entity.name.type.process.procfile");
  assert.equal(scopeOf("gunicorn"), "support.function.command.procfile");
  assert.equal(scopeOf("app"), "entity.name.namespace.module.procfile");
  assert.equal(scopeOf("server"), "entity.name.function.app.procfile");
  assert.equal(scopeOf("--workers"), "variable.parameter.option.procfile");
  assert.equal(scopeOf("$PORT"), "variable.other.environment.procfile");
});

test("Procfile: a factory call target and a quoted argument", async () => {
  const t = await tokens("source.procfile", ['web: gunicorn "pkg.app:create()" -b :$PORT', "worker: python worker.py"]);
  assert.ok(t.some(([s, scope]) => s === "pkg.app:create()" && scope === "string.quoted.double.procfile"), JSON.stringify(t));
  assert.ok(t.some(([s, scope]) => s === "worker" && scope === "entity.name.type.process.procfile"));
  assert.ok(t.some(([s, scope]) => s === "python" && scope === "support.function.command.procfile"));
});

test("CHECKS: settings, paths and expected content", async () => {
  const t = await tokens("source.dokku-checks", ["WAIT=5", "/  Sales Dashboard", "# comment", "https://example.com/health ok"]);
  const scopeOf = (text: string) => scopeIn(t, text);
  assert.equal(scopeOf("WAIT"), "keyword.other.setting.dokku-checks");
  assert.equal(scopeOf("5"), "constant.numeric.dokku-checks");
  assert.equal(scopeOf("/"), "markup.underline.link.path.dokku-checks");
  assert.equal(scopeOf("Sales Dashboard"), "string.unquoted.content.dokku-checks");
  assert.equal(scopeOf("# comment"), "comment.line.number-sign.dokku-checks");
  assert.equal(scopeOf("https://example.com/health"), "markup.underline.link.path.dokku-checks");
});
