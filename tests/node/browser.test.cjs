'use strict';
// The --target web package in headless Chromium: the page in tests/node/browser/ loads the
// wasm, runs the quickstart cycle on SQLite inside the module, and reports back.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const repo = path.resolve(__dirname, '..', '..');
const toolsDir = process.env.MOTUS_TOOLS_DIR || path.join(repo, 'tools');
const pkgWeb = path.join(process.env.MOTUS_JS_PKG || path.join(repo, 'web', 'js-api', 'pkg'), 'web');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

function serve() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost').pathname;
    const file = url === '/' ? path.join(__dirname, 'browser', 'index.html')
      : url.startsWith('/pkg/') ? path.join(pkgWeb, path.normalize(url.slice(5)))
      : null;
    if (!file || !file.startsWith(pkgWeb) && !file.startsWith(path.join(__dirname, 'browser')) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('the web package runs the quickstart cycle in headless Chromium', async () => {
  const { chromium } = require(path.join(toolsDir, 'node_modules', 'playwright-core'));
  const server = await serve();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'motus-js-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await context.newPage();
    const consoleErrors = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => window.__motusResult !== undefined, null, { timeout: 60_000 });
    const r = await page.evaluate(() => window.__motusResult);
    assert.equal(r.failure, undefined, r.failure);
    assert.equal(r.init.schema_version, r.latest);
    assert.equal(r.claim.decision, 'GRANTED');
    assert.equal(r.context.decision, 'GRANTED');
    assert.equal(r.outcome.accepted, true);
    assert.equal(r.evidence.accepted, true);
    assert.equal(r.decision.accepted, true);
    assert.equal(r.release.lease_status, 'released');
    assert.equal(r.verify.ok, true);
    assert.equal(Buffer.from(r.image).toString('latin1'), 'SQLite format 3\0');
    assert.deepEqual(r.error, {
      name: 'MotusError',
      code: 'invalid_input',
      message: "invalid lease_id: 'not-a-lease' is not a lease id; lease ids look like lease-20261126-1a2b3c4d",
      isError: true,
    });
    assert.ok(r.codes.includes('kernel_rule'));
    assert.deepEqual(consoleErrors, []);
  } finally {
    await context.close();
    server.close();
  }
});
