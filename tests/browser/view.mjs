// `motus view` as an installed user runs it: the binary (MOTUS_BIN, default the debug build)
// started from /tmp — no source tree in sight — serves the viewer built into it, and headless
// Chromium (playwright-core) opens a real database through that page. Also checks the page's
// origin reaches /live/info and a Range request on the snapshot. Prints `N passed, N failed`.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tools = process.env.MOTUS_TOOLS_DIR || path.join(repo, 'tools');
const { chromium } = createRequire(path.join(tools, 'package.json'))('playwright-core');
const bin = process.env.MOTUS_BIN || path.join(repo, 'target', 'debug', 'motus');
const fixtures = process.env.MOTUS_FIXTURES || path.join(repo, '..', 'shared', 'fixtures');
const populated = path.join(fixtures, 'motusos-0.3.3-populated.db');

const results = [];
async function test(name, fn) {
  try { await fn(); results.push(true); console.log(`ok   ${name}`); }
  catch (e) { results.push(false); console.log(`FAIL ${name}: ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`); }
}
function ok(cond, what) { if (!cond) throw new Error(what); }

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'motus-view-home-'));
const db = path.join(home, 'coordination.db');
execFileSync(bin, ['--db', db, 'work', 'claim', 'ADHOC-VIEW-E2E', '--intent', 'seen through motus view', '-q']);

const server = spawn(bin, ['--db', db, 'view', '--port', '0'], { cwd: '/tmp', env: { ...process.env, HOME: home }, stdio: ['ignore', 'pipe', 'inherit'] });
const origin = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d) => { out += d; const m = out.match(/http:\/\/(127\.0\.0\.1:\d+)\//); if (m) resolve(`http://${m[1]}`); });
  server.on('exit', (c) => reject(new Error(`motus view exited ${c}: ${out}`)));
  setTimeout(() => reject(new Error(`no address from motus view: ${out}`)), 30000);
});

const context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'motus-chromium-')), {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = context.pages()[0] || await context.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));

await test('the page loads from the binary, from /tmp', async () => {
  const resp = await page.goto(`${origin}/`);
  ok(resp.status() === 200, `status ${resp.status()}`);
  await page.waitForSelector('#dbfile', { state: 'attached', timeout: 30000 });
});

await test('a real database opens through it (populated 0.3.3 fixture)', async () => {
  await page.setInputFiles('#dbfile', populated);
  await page.waitForFunction(() => document.querySelector('.app')?.dataset.state !== 'opening' && (document.querySelector('#open-error') || document.querySelector('.file-info')), null, { timeout: 120000 });
  ok(!(await page.$('#open-error')), `open error: ${await page.textContent('#open-error').catch(() => '')}`);
  ok((await page.textContent('.file-info')).includes('motusos-0.3.3-populated.db'), 'file name shown');
  ok(errors.length === 0, `page errors: ${errors.join('; ')}`);
});

await test('the page reaches the live database: /live/info and a Range request on the snapshot', async () => {
  const r = await page.evaluate(async () => {
    const info = await (await fetch('/live/info')).json();
    const part = await fetch(`/live/snapshot/${info.snapshot}`, { headers: { Range: 'bytes=0-15' } });
    const bytes = new Uint8Array(await part.arrayBuffer());
    return { info, status: part.status, head: String.fromCharCode(...bytes.slice(0, 15)) };
  });
  ok(r.info.ok === true && r.info.name === 'coordination.db' && r.info.size > 0, JSON.stringify(r.info));
  ok(r.status === 206 && r.head === 'SQLite format 3', JSON.stringify(r));
});

await context.close();
server.kill('SIGTERM');
const passed = results.filter(Boolean).length;
console.log(`${passed} passed, ${results.length - passed} failed`);
process.exit(results.every(Boolean) ? 0 : 1);
