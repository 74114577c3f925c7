// Side-by-side bench: the simplest thing a user could use instead of our viewer — a static
// page on sql.js (from npm) that reads the whole file and lists the tables with row counts —
// against the Motus viewer, on the same generated files. Fresh headless Chromium per run, runs
// alternated (naive/ours, ours/naive, …). Not part of CI: it writes ~4 GB of test files
// (deleted at the end) and takes ~15 minutes.
//
//   node tests/browser/bench-viewer.mjs                   # fixture, 100 MB, 400 MB, 1.2 GB, 2.4 GB
//   MOTUS_BENCH_SIZES=fixture,100 MOTUS_BENCH_RUNS=3 node tests/browser/bench-viewer.mjs
//
// Per run it reports: time from the file being chosen to the first screen (naive: the table
// list with counts; ours: the overview's counts, big tables' counts estimated from their
// b-tree and marked ≈), both in the page and as Playwright sees it, the time to every count
// exact (ours: the estimates replaced), for ours also to the full overview
// (ready/blocked panels and recent activity), the renderer's peak RSS (VmHWM of the renderer
// processes, which include the page's workers), the longest gap between animation frames on
// the main thread, and whether the file opened at all. Results: test-artifacts/bench-viewer.json.

import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tools = process.env.MOTUS_TOOLS_DIR || path.join(repo, 'tools');
const requireTool = createRequire(path.join(tools, 'package.json'));
const { chromium } = requireTool('playwright-core');
const sqljsDir = path.dirname(requireTool.resolve('sql.js/dist/sql-wasm.js'));
const dist = process.env.MOTUS_WEB_DIST || path.join(repo, 'web', 'viewer', 'dist');
const fixtures = process.env.MOTUS_FIXTURES || path.join(repo, '..', 'shared', 'fixtures');
const populated = path.join(fixtures, 'motusos-0.3.3-populated.db');
const runs = Number(process.env.MOTUS_BENCH_RUNS || 3);
const sizes = (process.env.MOTUS_BENCH_SIZES || 'fixture,100,400,1200,2400').split(',');
const work = fs.mkdtempSync(path.join(process.env.MOTUS_BENCH_DIR || os.tmpdir(), 'motus-bench-'));
const out = path.join(repo, 'test-artifacts', 'bench-viewer.json');
fs.mkdirSync(path.dirname(out), { recursive: true });

// ---------------------------------------------------------------------------------------------
// The naive page: read the whole file, open it with sql.js, list tables with row counts.
const naiveHtml = `<!doctype html><meta charset="utf-8"><title>naive sql.js viewer</title>
<input type="file" id="dbfile"><p id="status">Choose a file</p><table id="tables"></table>
<script src="sql-wasm.js"></script>
<script>
const ready = initSqlJs({ locateFile: (f) => f });
document.getElementById('dbfile').addEventListener('change', async (ev) => {
  const status = document.getElementById('status');
  status.textContent = 'Loading…';
  try {
    const SQL = await ready;
    const buf = await ev.target.files[0].arrayBuffer();
    const db = new SQL.Database(new Uint8Array(buf));
    const names = db.exec("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")[0]?.values.map((r) => r[0]) || [];
    const rows = names.map((n) => '<tr class="table-row"><td>' + n + '</td><td>' + db.exec('SELECT count(*) FROM "' + n.replace(/"/g, '""') + '"')[0].values[0][0] + '</td></tr>');
    document.getElementById('tables').innerHTML = rows.join('');
    status.textContent = 'opened';
  } catch (e) {
    status.textContent = 'error: ' + (e && e.name) + ' ' + (e && e.message);
    status.id = 'error';
  }
});
</script>`;

const mime = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  let file;
  if (url.pathname === '/naive/' || url.pathname === '/naive/index.html') {
    res.writeHead(200, { 'content-type': mime['.html'] });
    res.end(naiveHtml);
    return;
  } else if (url.pathname.startsWith('/naive/')) {
    file = path.join(sqljsDir, path.basename(url.pathname));
  } else {
    file = path.join(dist, url.pathname.replace(/^\/+/, '') || 'index.html');
  }
  if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) { res.writeHead(404); res.end(); return; }
  res.writeHead(200, { 'content-type': mime[path.extname(file)] || 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

// ---------------------------------------------------------------------------------------------
// Test files: the fixture, then the fixture plus 200k roadmap items (in many phases) and audit
// rows of ~30 KB up to the size.
function generate(mb) {
  const file = path.join(work, `bench-${mb}mb.db`);
  const t0 = Date.now();
  execFileSync('python3', ['-c', `
import sqlite3, sys
src = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro&immutable=1', uri=True)
dst = sqlite3.connect(sys.argv[2])
src.backup(dst)
dst.execute("PRAGMA journal_mode=OFF"); dst.execute("PRAGMA synchronous=OFF")
for t in ('enforce_phase_limit', 'roadmap_version_capture', 'roadmap_dep_no_cycles'):
    dst.execute('DROP TRIGGER IF EXISTS "%s"' % t)
target = int(sys.argv[3]) * 1000 * 1000
items = ((('GEN-%06d' % i), 'phase_gen_%03d' % (i % 500), 'generated item %d' % i, ('completed', 'pending', 'in_progress')[i % 3]) for i in range(200000))
dst.executemany("INSERT INTO roadmap_items (id, phase_key, title, status_key) VALUES (?,?,?,?)", items)
dst.executemany("INSERT OR IGNORE INTO roadmap_dependencies (item_id, depends_on_id, dependency_type) VALUES (?,?,'blocks')",
    ((('GEN-%06d' % i), ('GEN-%06d' % (i - 1 - i % 7))) for i in range(1, 200000, 2)))
dst.commit()
import os
pad = 'x' * 30000
n = 0
while os.path.getsize(sys.argv[2]) < target:
    dst.executemany("INSERT INTO audit_log (timestamp, event_type, actor, resource_type, resource_id, action, new_value, instance_id, protocol_version) VALUES (?,?,?,?,?,?,?,?,1)",
        ((('2026-01-%02dT00:00:00Z' % (1 + (n + i) % 28)), 'bulk.test', 'generator', 'bulk', 'B-%d' % (n + i), 'create', pad, 'bench') for i in range(2000)))
    dst.commit()
    n += 2000
dst.close()
`, populated, file, String(mb)], { stdio: 'inherit' });
  console.log(`generated ${file}: ${fs.statSync(file).size} bytes in ${Date.now() - t0} ms`);
  return file;
}

// ---------------------------------------------------------------------------------------------
// The peak RSS of the renderer processes of the browser started with this user-data-dir
// (found through the process tree, so other browsers on the machine do not count).
function rendererPeakRssKb(userDataDir) {
  const procs = new Map();
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      procs.set(Number(pid), { ppid, cmd: fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') });
    } catch { /* process ended */ }
  }
  const roots = [...procs].filter(([, p]) => p.cmd.includes(`--user-data-dir=${userDataDir}`) && !p.cmd.includes('--type=')).map(([pid]) => pid);
  const ours = (pid) => { for (let p = pid, n = 0; p > 1 && n < 20; p = procs.get(p)?.ppid ?? 0, n++) if (roots.includes(p)) return true; return false; };
  let peak = 0;
  for (const [pid, p] of procs) {
    if (!p.cmd.includes('--type=renderer') || !ours(pid)) continue;
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] || 0));
    } catch { /* process ended */ }
  }
  return peak;
}

async function run(which, file) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motus-bench-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] || await context.newPage();
  // The machine is shared: each run notes its 1-minute load average and when it ran.
  const result = { which, file: path.basename(file), bytes: fs.statSync(file).size, at: new Date().toISOString(), load: Number(os.loadavg()[0].toFixed(1)) };
  // Measured inside the page too (performance.now() from the file input's change event to
  // the element appearing, seen by a MutationObserver), which leaves out Playwright's own
  // polling and round trips: both pages are timed the same way.
  const firstSel = which === 'naive' ? '#tables tr.table-row' : '[data-page="overview"] .loaded';
  const exactSel = which === 'naive' ? '#tables tr.table-row' : '#overview-counts[data-exact="true"]';
  await page.addInitScript(([firstSel, exactSel]) => {
    window.__marks = {};
    const check = () => {
      if (window.__marks.change == null) return;
      for (const [k, sel] of [['first', firstSel], ['exact', exactSel], ['ready', '#ready-count']]) {
        if (window.__marks[k] == null && document.querySelector(sel)) window.__marks[k] = performance.now();
      }
    };
    new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
    document.addEventListener('change', () => { window.__marks.change = performance.now(); }, true);
  }, [firstSel, exactSel]);
  try {
    await page.goto(which === 'naive' ? `${origin}/naive/` : `${origin}/index.html`);
    await page.waitForSelector('#dbfile', { state: 'attached', timeout: 30000 });
    // Both pages load their SQLite (sql.js's wasm; our worker's module) before the file is
    // chosen, as when a person opens the page and then picks a file.
    await page.waitForTimeout(1500);
    await page.evaluate(() => {
      window.__ticks = [];
      const tick = () => { window.__ticks.push(performance.now()); requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    });
    const t0 = Date.now();
    await page.setInputFiles('#dbfile', file);
    const first = which === 'naive'
      ? '#tables tr.table-row, #error'
      : '[data-page="overview"] .loaded, #open-error, #worker-error';
    await page.waitForSelector(first, { timeout: 300000 });
    result.first_screen_ms = Date.now() - t0;
    if (which === 'naive') {
      result.opened = (await page.locator('#error').count()) === 0;
      if (!result.opened) result.error = await page.textContent('#error');
    } else {
      result.opened = (await page.locator('#open-error, #worker-error').count()) === 0;
      if (result.opened) {
        // The ready/blocked panels, or their failure (the time budget) in their place.
        await page.waitForSelector('#ready-count, [data-page="overview"] > .loaded > .error', { timeout: 300000 });
        result.panels_ms = Date.now() - t0;
        result.panels_failed = (await page.locator('#ready-count').count()) === 0;
        if (result.panels_failed) result.panels_error = await page.textContent('[data-page="overview"] > .loaded > .error');
        await page.waitForSelector('#recent-panel tr, #recent-panel .error', { timeout: 300000 });
        result.full_overview_ms = Date.now() - t0;
      } else {
        result.error = await page.textContent('#open-error, #worker-error');
      }
    }
    if (result.opened) {
      // Exact counts, or the page saying they were stopped (the estimates stay).
      await page.waitForSelector(`${exactSel}, #overview-counts[data-exact="failed"]`, { timeout: 300000 });
      result.exact_counts_ms = Date.now() - t0;
      result.exact_failed = which === 'ours' && (await page.locator('#overview-counts[data-exact="failed"]').count()) > 0;
      const m = await page.evaluate(() => window.__marks);
      result.first_screen_in_page_ms = Math.round(m.first - m.change);
      result.exact_counts_in_page_ms = result.exact_failed ? null : Math.round(m.exact - m.change);
      if (m.ready != null) result.panels_in_page_ms = Math.round(m.ready - m.change);
    }
    result.longest_stall_ms = Math.round(await page.evaluate(() => {
      const t = window.__ticks; let g = 0; for (let i = 1; i < t.length; i++) g = Math.max(g, t[i] - t[i - 1]); return g;
    }));
  } catch (e) {
    result.opened = false;
    result.error = String(e).split('\n')[0];
  }
  result.renderer_peak_rss_mib = Math.round(rendererPeakRssKb(dir) / 1024);
  await context.close();
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify(result));
  return result;
}

const results = [];
for (const size of sizes) {
  const file = size === 'fixture' ? populated : generate(Number(size));
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? ['naive', 'ours'] : ['ours', 'naive'];
    for (const which of order) results.push({ size, run: i, ...(await run(which, file)) });
  }
  if (size !== 'fixture') fs.rmSync(file);
  fs.writeFileSync(out, JSON.stringify(results, null, 2));
}
server.close();
fs.rmSync(work, { recursive: true, force: true });

// Medians per size and page.
const median = (xs) => { const v = xs.filter((x) => x != null).sort((a, b) => a - b); return v.length ? v[Math.floor(v.length / 2)] : null; };
console.log('\n| file | page | opened | first screen, in page (median ms) | first screen, wall (ms) | exact counts, in page (ms) | ready/blocked panels, in page (ms) | full overview, wall (ms) | renderer peak RSS (MiB) | longest stall (ms) |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const size of sizes) {
  for (const which of ['naive', 'ours']) {
    const rs = results.filter((r) => r.size === size && r.which === which);
    const opened = rs.filter((r) => r.opened).length;
    console.log(`| ${size === 'fixture' ? 'fixture' : size + ' MB'} (${(rs[0].bytes / 1048576).toFixed(1)} MiB) | ${which} | ${opened}/${rs.length} | ${median(rs.filter((r) => r.opened).map((r) => r.first_screen_in_page_ms)) ?? '–'} | ${median(rs.filter((r) => r.opened).map((r) => r.first_screen_ms)) ?? '–'} | ${rs.some((r) => r.exact_failed) ? 'stopped ' + rs.filter((r) => r.exact_failed).length + '/' + rs.length : (median(rs.filter((r) => r.opened).map((r) => r.exact_counts_in_page_ms)) ?? '–')} | ${rs.some((r) => r.panels_failed) ? 'failed ' + rs.filter((r) => r.panels_failed).length + '/' + rs.length : (median(rs.map((r) => r.panels_in_page_ms)) ?? '–')} | ${median(rs.map((r) => r.full_overview_ms)) ?? '–'} | ${median(rs.map((r) => r.renderer_peak_rss_mib))} | ${median(rs.map((r) => r.longest_stall_ms)) ?? '–'} |`);
  }
}
const loads = results.map((r) => r.load);
console.log(`load average (1 min) during the runs: ${Math.min(...loads)}–${Math.max(...loads)}; ${results[0]?.at} to ${results[results.length - 1]?.at}`);
console.log(`results: ${out}`);
