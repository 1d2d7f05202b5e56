#!/usr/bin/env bash
# The real MCP clients tests/mcp.rs runs kiro-poll mcp under, from the registries, pinned:
#   DIR/venv  a Python venv with the `mcp` SDK (PyPI)
#   DIR/node  node_modules/@modelcontextprotocol/sdk (npm)
# Usage: ci/mcp-clients.sh DIR   (idempotent: a second run with the same pins does nothing)
set -euo pipefail
dir=${1:?usage: ci/mcp-clients.sh DIR}
PY_MCP=2.3.0
TS_SDK=1.32.2
mkdir -p "$dir"

if ! "$dir/venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('mcp') != '$PY_MCP')" 2>/dev/null; then
  python3 -m venv "$dir/venv"
  "$dir/venv/bin/pip" install --quiet --disable-pip-version-check "mcp==$PY_MCP"
fi
"$dir/venv/bin/python" -c "import mcp.client.stdio, importlib.metadata as m; print('python mcp', m.version('mcp'))"

pkg=$dir/node/node_modules/@modelcontextprotocol/sdk/package.json
if ! [ -f "$pkg" ] || ! grep -q "\"version\": \"$TS_SDK\"" "$pkg"; then
  mkdir -p "$dir/node"
  (cd "$dir/node" && { [ -f package.json ] || echo '{"private":true}' > package.json; } \
    && npm install --silent --no-audit --no-fund "@modelcontextprotocol/sdk@$TS_SDK")
fi
echo "node $(node --version), @modelcontextprotocol/sdk $(node -p "require('$pkg').version")"
