import assert from "node:assert/strict";
import { test } from "node:test";

import { logLevel, serverSettings } from "../src/settings";

const from = (values: Record<string, unknown>) => serverSettings((key) => values[key]);

test("VS Code's camelCase settings become the server's kebab-case keys", () => {
  assert.deepEqual(
    from({
      select: ["DL1", "DL301"],
      extendSelect: ["DL302"],
      ignore: ["DL114"],
      exclude: ["scratch/**"],
      largeFileMb: 50,
      parquetHintMb: 5,
      entry: " src/dashboard.py ",
      severity: { dl203: "Error", DL302: "hint" },
    }),
    {
      select: ["DL1", "DL301"],
      "extend-select": ["DL302"],
      ignore: ["DL114"],
      exclude: ["scratch/**"],
      "large-file-mb": 50,
      "parquet-hint-mb": 5,
      entry: "src/dashboard.py",
      severity: { DL203: "error", DL302: "hint" },
    },
  );
});

test("defaults and empty values are left out, so the app's config file applies", () => {
  // VS Code's defaults for these settings.
  assert.deepEqual(
    from({ select: [], extendSelect: [], ignore: [], exclude: [], severity: {}, largeFileMb: null, parquetHintMb: null, entry: null }),
    {},
  );
  assert.deepEqual(from({}), {});
  assert.deepEqual(from({ select: ["", "  "], entry: "  ", largeFileMb: Number.NaN }), {});
});

test("values of the wrong type are dropped; bad severities go to the server to report", () => {
  assert.deepEqual(from({ select: "DL1", ignore: [1, "DL3", null], largeFileMb: "10", severity: { DL301: "fatal", DL302: 3 } }), {
    ignore: ["DL3"],
    severity: { DL301: "fatal" },
  });
  assert.deepEqual(from({ severity: ["DL301"] }), {});
});

test("log level", () => {
  assert.equal(logLevel("debug"), "debug");
  assert.equal(logLevel("loud"), "warn");
  assert.equal(logLevel(undefined), "warn");
});
