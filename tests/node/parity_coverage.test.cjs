'use strict';
// Every call the JS API exposes has a parity scenario: a `Database` method (or a function of
// the package) that answers a document is called in one of the suites that run the same call
// through the binary on the same database and compare the documents deep-equal
// (parity*.test.cjs, and roadmap.test.cjs, which asks the binary on the very file the API
// wrote). The calls that answer no document, or one no command prints, are listed below with
// where they are tested instead. A new call without either fails here.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { motus } = require('./helpers.cjs');

/** Calls with no `motus … --json` counterpart, and why. */
const NO_COMMAND = {
  // Database methods
  free: "wasm-bindgen's release of the module's memory",
  toBytes: 'the database image; schema.test.cjs opens it with the binary',
  validateTerm: "terminology.valid is the JS API's own document (no command prints it); roadmap.test.cjs",
  // Database constructors: how a database is opened, not a call on it
  openInMemory: 'opens a database in the module; schema.test.cjs',
  fromBytes: 'opens an image; schema.test.cjs',
  fromConnection: 'opens a host connection (openBetterSqlite3 uses it in every parity suite)',
  // package functions: helpers, not documents
  errorCodes: "core's error enum's codes; errors.test.cjs reaches each",
  latestSchemaVersion: 'a number; schema.test.cjs',
  version: 'the package version',
  hashBytes: 'a helper (sha256, size); fileArtifact and hashFile use it',
  canonicalJson: 'a helper: the canonical JSON evidence hashes are taken over',
  evidenceHash: 'a helper: the hash recordEvidence stores',
  validateLeaseId: 'a check; roadmap.test.cjs',
  validateEvidenceType: 'a check; roadmap.test.cjs',
  validateDecisionType: 'a check; roadmap.test.cjs',
  kernelVocabulary: 'the fixed lists; roadmap.test.cjs',
  betterSqlite3Connection: 'the better-sqlite3 adapter itself; every parity suite runs on it',
  openBetterSqlite3: 'opens the adapter; every parity suite runs on it',
  hashFile: 'a helper for verifyEvidence; parity.test.cjs verifies evidence with it',
  fileArtifact: 'a helper for recordEvidence({ file })',
};

function parityText() {
  const dir = __dirname;
  return fs
    .readdirSync(dir)
    .filter((f) => /^parity(_[a-z]+)?\.test\.cjs$/.test(f) && f !== path.basename(__filename))
    .concat(['roadmap.test.cjs'])
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}

function methodsOf(proto) {
  return Object.getOwnPropertyNames(proto).filter((n) => {
    const d = Object.getOwnPropertyDescriptor(proto, n);
    return n !== 'constructor' && typeof d.value === 'function' && !n.startsWith('__');
  });
}

test('every call of the JS API has a parity scenario with the binary, or a reason it has none', () => {
  const calls = new Set([
    ...methodsOf(motus.Database.prototype),
    ...methodsOf(motus.Database),
    ...Object.keys(motus).filter((k) => typeof motus[k] === 'function' && k !== 'Database' && !/^[A-Z]/.test(k)),
  ]);
  assert.ok(calls.size > 60, `${calls.size} calls found: ${[...calls]}`);
  const text = parityText();
  const missing = [];
  const compared = [];
  for (const name of [...calls].sort()) {
    const called = new RegExp(`\\.${name}\\(`).test(text);
    if (NO_COMMAND[name] !== undefined) {
      continue;
    }
    if (called) compared.push(name);
    else missing.push(name);
  }
  assert.deepEqual(missing, [], `calls without a parity scenario: ${missing.join(', ')}`);
  // The reasons name calls that exist: a removed call leaves no stale excuse.
  const stale = Object.keys(NO_COMMAND).filter((n) => !calls.has(n));
  assert.deepEqual(stale, [], `listed but not in the API: ${stale}`);
  // The kernel calls the issue names explicitly.
  for (const name of ['heartbeat', 'handoff', 'forceRelease', 'createBlocker', 'resolveBlocker']) {
    assert.ok(compared.includes(name), name);
  }
  console.log(`parity coverage: ${compared.length} calls compared with the binary, ${Object.keys(NO_COMMAND).length} without a command`);
});

test('the TypeScript declarations name every Database method, each returning a contract type', () => {
  const pkgDir = process.env.MOTUS_JS_PKG || path.join(__dirname, '..', '..', 'web', 'js-api', 'pkg');
  const dts = fs.readFileSync(path.join(pkgDir, 'node', 'motus_js.d.ts'), 'utf8');
  const contract = fs.readFileSync(path.join(__dirname, '..', '..', 'web', 'js-api', 'src', 'contract.d.ts'), 'utf8');
  const generated = new Set([...contract.matchAll(/^export type (\w+) =/gm)].map((m) => m[1]));
  const klass = dts.slice(dts.indexOf('export class Database'));
  const body = klass.slice(0, klass.indexOf('\n}\n'));
  const wrong = [];
  for (const name of methodsOf(motus.Database.prototype)) {
    if (['free', 'toBytes', 'exportJsonl'].includes(name)) continue;
    const line = body.split('\n').map((l) => l.trim()).find((l) => l.startsWith(`${name}(`));
    if (!line) {
      wrong.push(`${name}: not declared`);
      continue;
    }
    const close = line.lastIndexOf('): ');
    const m = [line, line.slice(name.length + 1, close), line.slice(close + 3).replace(/;$/, '')];
    // Every result is one of the generated documents (or their union).
    const results = m[2].split('|').map((t) => t.trim());
    const unknown = results.filter((t) => !generated.has(t) && !['InitResult', 'StatusResult'].includes(t));
    if (unknown.length) wrong.push(`${name}: returns ${m[2]}`);
    // Named parameter types are generated ones or the declared aliases.
    for (const t of m[1].matchAll(/:\s*([A-Z]\w+)/g)) {
      if (!generated.has(t[1]) && t[1] !== 'Record') wrong.push(`${name}: takes ${t[1]}`);
    }
  }
  assert.deepEqual(wrong, []);
});

/** Splits `a: T, b?: { x: U; y?: V }` at its top-level separators. */
function topLevel(text, sep) {
  const out = [];
  let depth = 0;
  let cur = '';
  for (const c of text) {
    if ('{(<['.includes(c)) depth += 1;
    if ('})>]'.includes(c)) depth -= 1;
    if (c === sep && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** `{ a: string; b?: number }` → [{ key: 'a', required: true, type: 'string' }, …]. */
function objectKeys(type) {
  const inner = type.trim().replace(/^\{/, '').replace(/\}$/, '');
  return topLevel(inner, ';').map((f) => {
    const m = f.match(/^(\w+)(\??):\s*(.*)$/s);
    return { key: m[1], required: m[2] !== '?', type: m[3] };
  });
}

function dummy(type) {
  const t = type.split('|')[0].trim();
  if (t === 'number') return 1;
  if (t === 'boolean') return false;
  if (t.startsWith('"')) return JSON.parse(t);
  if (t.endsWith('[]')) return [];
  return 'x';
}

test('the option objects the declarations name are exactly the keys each call reads', () => {
  const pkgDir = process.env.MOTUS_JS_PKG || path.join(__dirname, '..', '..', 'web', 'js-api', 'pkg');
  const dts = fs.readFileSync(path.join(pkgDir, 'node', 'motus_js.d.ts'), 'utf8');
  const contract = fs.readFileSync(path.join(__dirname, '..', '..', 'web', 'js-api', 'src', 'contract.d.ts'), 'utf8');
  const generated = Object.fromEntries([...contract.matchAll(/^export type (\w+) = (\{.*\});$/gm)].map((m) => [m[1], m[2]]));
  const klass = dts.slice(dts.indexOf('export class Database'));
  const lines = klass.slice(0, klass.indexOf('\n}\n')).split('\n').map((l) => l.trim());
  const db = motus.Database.openInMemory();
  const wrong = [];
  let checked = 0;
  for (const line of lines) {
    const m = line.match(/^(\w+)\((.*)\): [^;]+;$/);
    if (!m) continue;
    const [, name, paramText] = m;
    const params = topLevel(paramText, ',').map((p) => {
      const at = p.indexOf(':');
      return { type: p.slice(at + 1).trim() };
    });
    params.forEach((param, i) => {
      const type = param.type.startsWith('{') ? param.type : generated[param.type];
      if (!type) return;
      const fields = objectKeys(type);
      const declared = fields.map((f) => f.key).sort();
      const object = Object.fromEntries(fields.filter((f) => f.required).map((f) => [f.key, dummy(f.type)]));
      object.no_such_key = 1;
      const args = params.map((p, j) => (j === i ? object : p.type.startsWith('Record') ? {} : dummy(p.type)));
      let err;
      try {
        db[name](...args);
      } catch (e) {
        err = e;
      }
      const said = err && err.message.match(/unknown field `no_such_key`, expected one of (.*)$/);
      if (!said) {
        wrong.push(`${name}: ${err ? err.message : 'accepted no_such_key'}`);
        return;
      }
      checked += 1;
      const accepted = [...said[1].matchAll(/`(\w+)`/g)].map((x) => x[1]);
      // Aliases serde accepts too (roadmap add's `phase`, `status`) need not be declared.
      const undeclared = accepted.filter((k) => !declared.includes(k) && !(name === 'roadmapAdd' && ['phase', 'status'].includes(k)));
      const unread = declared.filter((k) => !accepted.includes(k));
      if (undeclared.length || unread.length) wrong.push(`${name}: reads ${accepted}, declares ${declared}`);
    });
  }
  assert.ok(checked > 30, `${checked} option objects checked`);
  assert.deepEqual(wrong, []);
  console.log(`option objects: ${checked} declarations match the keys their calls read`);
});
