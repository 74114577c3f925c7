'use strict';
// Figures for the JavaScript API: the package's size, and six-call work cycles per second
// (claim, context, outcome, evidence, decision, release) through the API with each
// connection kind. Like the kernel bench (`--example bench_kernel`), the cycles go round ten ad hoc ids (a completed ad hoc
// id can be claimed again). Not a test: prints numbers. Env: MOTUS_FIGURES_SECONDS (default 3).
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { motus, tempDb, openHost } = require('./helpers.cjs');

const pkgDir = process.env.MOTUS_JS_PKG || path.join(__dirname, '..', '..', 'web', 'js-api', 'pkg');
const seconds = Number(process.env.MOTUS_FIGURES_SECONDS || 3);

function folderBytes(dir) {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(p) : fs.statSync(p).size;
  }
  return total;
}

function cycle(db, n) {
  const claim = db.claimWork({ work_id: `ADHOC-BENCH-${n % 10}`, agent_id: 'bench' });
  if (claim.decision !== 'GRANTED') throw new Error(JSON.stringify(claim));
  const lease = claim.lease_id;
  db.getContext(lease);
  db.putOutcome(lease, { outcome_type: 'file', path: `src/${n}.rs` });
  db.recordEvidence(lease, { evidence_type: 'test_result', passed: 3 });
  db.recordDecision(lease, { decision: `decision ${n}` });
  const release = db.releaseWork(lease, 'success');
  if (release.decision !== 'GRANTED') throw new Error(JSON.stringify(release));
}

function measure(label, db) {
  for (let i = 0; i < 30; i++) cycle(db, i);
  let n = 0;
  const times = [];
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() - started < budget) {
    const t = process.hrtime.bigint();
    cycle(db, n++);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  times.sort((a, b) => a - b);
  const rate = n / elapsed;
  const cpuMs = (used.user + used.system) / 1000 / n;
  console.log(
    `${label}: ${rate.toFixed(0)} cycles/s (p50 ${times[Math.floor(n / 2)].toFixed(2)} ms, ` +
      `p95 ${times[Math.floor(n * 0.95)].toFixed(2)} ms, CPU ${cpuMs.toFixed(2)} ms per six-call cycle, ${n} cycles)`,
  );
  return rate;
}

const wasm = path.join(pkgDir, 'node', 'motus_js_bg.wasm');
const wasmBytes = fs.statSync(wasm).size;
const wasmGzip = zlib.gzipSync(fs.readFileSync(wasm), { level: 9 }).length;
const glue = ['motus_js.js', 'index.cjs', 'better-sqlite3.cjs'].reduce((s, f) => s + fs.statSync(path.join(pkgDir, 'node', f)).size, 0);
console.log(`package folder: ${folderBytes(pkgDir)} B (node/ and web/ each hold the same .wasm)`);
console.log(`wasm: ${wasmBytes} B, ${wasmGzip} B gzip -9; Node JS glue ${glue} B`);

const mem = motus.Database.openInMemory();
mem.init();
measure('in-module SQLite (in memory)', mem);

const file = tempDb('figures');
const { sqlite, db } = openHost(file);
sqlite.pragma('journal_mode = WAL');
sqlite.pragma('synchronous = NORMAL'); // as the native binary opens files
db.init();
measure('better-sqlite3 on a WAL file (bring your own connection)', db);
sqlite.close();
