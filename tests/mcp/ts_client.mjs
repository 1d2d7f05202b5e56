// kiro-poll mcp through the TypeScript MCP SDK's own stdio client (@modelcontextprotocol/sdk,
// npm). Run by tests/mcp.rs: node ts_client.mjs SDK_DIR KIRO_POLL BRIDGE_URL DOWN_URL, where
// SDK_DIR holds node_modules/@modelcontextprotocol/sdk. It lists the tools (so the client
// checks every structured result against its output schema), calls every tool against
// mock-bridge, subscribes to kiro://status the 2025 way (resources/subscribe) and sees
// notifications/resources/updated when the simulator's state changes, cancels a wait with an
// AbortSignal, and sees a bridge that is down as an isError result within --request-timeout.
// It checks that each result's text carries its JSON, waits for a list of goals, and runs the
// server --read-only and with --allow.
// Each check prints `ok: NAME`; a failed one throws (exit 1).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [sdkDir, KIRO, URL, DOWN] = process.argv.slice(2);
const sdk = (p) => import(pathToFileURL(join(sdkDir, 'node_modules/@modelcontextprotocol/sdk/dist/esm', p)).href);
const { Client } = await sdk('client/index.js');
const { StdioClientTransport } = await sdk('client/stdio.js');
const { ResourceUpdatedNotificationSchema } = await sdk('types.js');

const ok = (name) => console.log(`ok: ${name}`);
const text = (r) => r.content.filter((c) => c.type === 'text').map((c) => c.text).join('');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const carried = (r) => JSON.parse(text(r).split('\n').pop());

async function connect(url, extra = [], mcp = ['--offer-input']) {
  const transport = new StdioClientTransport({
    command: KIRO,
    args: ['--url', url, ...extra, 'mcp', ...mcp, '--interval-ready', '200ms', '--interval-busy', '100ms'],
    stderr: 'inherit',
    // The SDK passes on only a few variables; the test's job store is one more.
    env: process.env.KIRO_POLL_STORE ? { KIRO_POLL_STORE: process.env.KIRO_POLL_STORE } : {},
  });
  const client = new Client({ name: 'kiro-poll-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

async function againstTheSimulator() {
  const c = await connect(URL);
  const { tools } = await c.listTools();
  assert.deepEqual(tools.map((t) => t.name), ['kiro_status', 'kiro_commands', 'kiro_exec', 'kiro_wait', 'kiro_input', 'kiro_job', 'kiro_jobs']);
  assert.ok(tools.every((t) => t.outputSchema && t.inputSchema.type === 'object'));
  ok('list_tools');

  let r = await c.callTool({ name: 'kiro_status', arguments: {} });
  assert.equal(r.isError, false);
  assert.equal(r.structuredContent.status, 'ready');
  assert.deepEqual(carried(r), r.structuredContent);
  ok('kiro_status, its text carrying its JSON');

  r = await c.callTool({ name: 'kiro_commands', arguments: { filter: 'kiro.' } });
  assert.equal(r.structuredContent.count, r.structuredContent.commands.length);
  assert.ok(r.structuredContent.commands.includes('kiro.slow'));
  ok('kiro_commands');

  const progress = [];
  r = await c.callTool(
    { name: 'kiro_exec', arguments: { command: 'kiro.slow', wait: true, timeout: 20 } },
    undefined,
    { onprogress: (p) => progress.push(p) },
  );
  assert.equal(r.isError, false, text(r));
  assert.equal(r.structuredContent.outcome, 'completed');
  assert.ok(['connection', 'status'].includes(r.structuredContent.observedBy), text(r));
  assert.equal(r.structuredContent.resultKnown, false);
  assert.ok(progress.length > 0 && progress.some((p) => /following the connection it answered on and its status/.test(p.message ?? '')), JSON.stringify(progress));
  ok('kiro_exec wait through a 408, with progress');

  r = await c.callTool({ name: 'kiro_exec', arguments: { command: 'kiro.fails' } });
  assert.equal(r.isError, true);
  assert.equal(r.structuredContent.outcome, 'failed');
  ok('kiro_exec outcomes');

  r = await c.callTool({ name: 'kiro_input', arguments: { executionId: 'exec-1', value: 'MyApp' } });
  assert.equal(r.isError, true);
  assert.match(text(r), /the bridge refused the input: No pending input request found with ID: exec-1/);
  r = await c.callTool({ name: 'kiro_input', arguments: { executionId: 'exec-1', value: '' } });
  assert.equal(r.isError, true);
  assert.match(text(r), /the bridge rejected the input/);
  ok('kiro_input');

  r = await c.callTool({ name: 'kiro_wait', arguments: { until: 'ready', timeout: '5s' } });
  assert.equal(r.structuredContent.reached, true);
  r = await c.callTool({ name: 'kiro_wait', arguments: { until: ['busy', 'ready'], timeout: '5s' } });
  assert.equal(r.structuredContent.reachedGoal, 'ready');
  assert.deepEqual(carried(r), r.structuredContent);
  r = await c.callTool({ name: 'kiro_wait', arguments: { until: 'unavailable,ready', timeout: '5s' } });
  assert.equal(r.structuredContent.reachedGoal, 'ready');
  r = await c.callTool({ name: 'kiro_wait', arguments: { until: 'unavailable', timeout: '1s' } });
  assert.equal(r.isError, true);
  assert.match(text(r), /^timed out after 1s: /);
  ok('kiro_wait');

  const updates = [];
  c.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => updates.push(n.params.uri));
  await c.subscribeResource({ uri: 'kiro://status' });
  await sleep(600);
  await c.callTool({ name: 'kiro_exec', arguments: { command: 'kiro.slow' } });
  for (let i = 0; i < 100 && updates.length === 0; i++) await sleep(100);
  assert.deepEqual(updates.slice(0, 1), ['kiro://status']);
  const now = JSON.parse((await c.readResource({ uri: 'kiro://status' })).contents[0].text);
  assert.equal(now.currentCommand, 'kiro.slow');
  await c.unsubscribeResource({ uri: 'kiro://status' });
  ok('subscribe to kiro://status: notifications/resources/updated when the state changes');

  await assert.rejects(c.readResource({ uri: 'kiro://nothing' }));
  ok('an unknown resource is a JSON-RPC error');

  const abort = new AbortController();
  const started = Date.now();
  setTimeout(() => abort.abort('enough'), 500);
  await assert.rejects(
    c.callTool({ name: 'kiro_wait', arguments: { until: 'unavailable', timeout: '60s' } }, undefined, { signal: abort.signal }),
  );
  assert.ok(Date.now() - started < 3000);
  const t = Date.now();
  r = await c.callTool({ name: 'kiro_status', arguments: {} });
  assert.ok(r.isError === false && Date.now() - t < 2000);
  ok('cancel a wait');
  await c.close();
}

async function againstABridgeThatIsDown() {
  const c = await connect(DOWN, ['--request-timeout', '2s']);
  for (let i = 0; i < 2; i++) {
    const t = Date.now();
    const r = await c.callTool({ name: 'kiro_status', arguments: {} });
    assert.equal(r.isError, true);
    assert.match(text(r), /^cannot reach the bridge at .*Nothing was run\. To try: /);
    assert.doesNotMatch(text(r), /kiro-poll: error|mock-bridge/);
    assert.ok(Date.now() - t < 3500, `${Date.now() - t} ms`);
  }
  ok('an unreachable bridge is an isError result');
  await c.close();
}

async function inEachMode() {
  let c = await connect(URL, [], ['--read-only']);
  assert.deepEqual((await c.listTools()).tools.map((t) => t.name), ['kiro_status', 'kiro_commands', 'kiro_wait', 'kiro_job', 'kiro_jobs']);
  let r = await c.callTool({ name: 'kiro_exec', arguments: { command: 'kiro.quick' } });
  assert.equal(r.isError, true);
  assert.match(text(r), /kiro_exec is not offered: this MCP server is read-only/);
  await c.close();
  ok('--read-only');
  c = await connect(URL, [], ['--allow', 'kiro.q*', '--allow', 'vscode.open']);
  assert.deepEqual((await c.listTools()).tools.map((t) => t.name), ['kiro_status', 'kiro_commands', 'kiro_exec', 'kiro_wait', 'kiro_job', 'kiro_jobs']);
  r = await c.callTool({ name: 'kiro_exec', arguments: { command: 'kiro.quick' } });
  assert.equal(r.structuredContent.outcome, 'succeeded', text(r));
  r = await c.callTool({ name: 'kiro_exec', arguments: { command: 'kiro.slow' } });
  assert.equal(r.isError, true);
  assert.match(text(r), /kiro\.slow is not allowed: this MCP server runs only commands matching kiro\.q\*, vscode\.open/);
  await c.close();
  ok('--allow');
}

await againstTheSimulator();
await inEachMode();
await againstABridgeThatIsDown();
