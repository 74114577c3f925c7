// End-to-end tests of the built browser viewer in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core). Serves web/viewer/dist on 127.0.0.1, opens real files, visits every
// page and checks what it shows. Prints `N passed, N failed` last; exits non-zero on a failure.
//
// Environment: MOTUS_TOOLS_DIR (node_modules with playwright-core and better-sqlite3; default
// <repo>/tools), MOTUS_BIN (the native motus binary; optional), MOTUS_FIXTURES (default
// <repo>/../shared/fixtures), MOTUS_WEB_DIST (default web/viewer/dist), MOTUS_ARTIFACTS (default
// <repo>/test-artifacts/browser), MOTUS_BIG_DB_MB (size of the generated large database, default 100).

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
  const child = spawn(motusBin, ['view', '--port', '0', '--dir', dist], { stdio: ['ignore', 'pipe', 'inherit'] });
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
  ok(progress.some((p) => /Reading file/.test(p)), `progress shown: ${progress.join(' / ')}`);
  ok(maxGap < 1000, `the page kept responding (longest frame gap ${Math.round(maxGap)} ms)`);
  await shot('16-big-overview');
});

await test('after load nothing leaves the browser: no other origin, no request with a body', async () => {
  const foreignReqs = afterLoad.filter((r) => !r.url.startsWith(origin + '/') && !r.url.startsWith('blob:') && !r.url.startsWith('data:'));
  const withBody = afterLoad.filter((r) => r.body || r.method !== 'GET');
  eq(foreignReqs.length, 0, `requests to another origin: ${JSON.stringify(foreignReqs.slice(0, 5))}`);
  eq(withBody.length, 0, `requests with a body: ${JSON.stringify(withBody.slice(0, 5))}`);
  const nonStatic = afterLoad.filter((r) => r.url.startsWith(origin) && !/\/(index\.html|worker\.js|boot\.js|motus-viewer\.js|motus-viewer_bg\.wasm|style\.css)?(\?.*)?(#.*)?$/.test(new URL(r.url).pathname));
  eq(nonStatic.length, 0, `only the viewer's own files were fetched: ${JSON.stringify(nonStatic.slice(0, 5))}`);
  const errors = consoleErrors.filter((e) => !/Failed to load resource/.test(e));
  eq(errors.length, 0, `console errors: ${errors.join(' | ')}`);
});

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
