'use strict';
// Parity for getting work: `roadmapReady` with the binary's filters and `claimNext` (`work
// claim --next`, the MCP tool `claim_next`), the same scenario on two copies of one database,
// through the binary and through the API, down to DENY_NO_READY_WORK. Ids and times the two
// runs generate are replaced by their kind; everything else must be identical.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const { motusBin, tempDb, openHost, BetterSqlite3, parityBinary, parityApi } = require('./helpers.cjs');

const GENERATED = [
  [/^lease-\d{8}-[0-9a-f]{8}$/, '<lease_id>'],
  [/^[a-z_]+-[0-9a-f]{12}$/, '<id>'],
  [/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, '<time>'],
];
const MASKED_KEYS = new Set(['lens_hash', 'ttl_remaining_s', 'snapshot_id', 'lens_digest']);

function mask(v, key) {
  if (MASKED_KEYS.has(key) && v !== null) return `<${key}>`;
  if (typeof v === 'string') {
    for (const [re, kind] of GENERATED) if (re.test(v)) return kind;
    return v.replace(/lease-\d{8}-[0-9a-f]{8}/g, '<lease_id>').replace(/\b[a-z]+-[0-9a-f]{12}\b/g, '<id>');
  }
  if (Array.isArray(v)) return v.map((x) => mask(x, key));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mask(x, k)]));
  return v;
}

const binary = (file) => parityBinary(file);

const api = (db) => parityApi(db);

test('roadmapReady filters and claimNext answer what the binary prints, to the last item', () => {
  const seed = tempDb('next-seed');
  const s = binary(seed);
  s(['db', 'init']);
  s(['roadmap', 'add', 'Schema', '--phase', 'phase_a', '--id', 'N-1']);
  s(['roadmap', 'add', 'Views', '--phase', 'phase_b', '--id', 'N-2']);
  s(['roadmap', 'add', 'Kernel', '--phase', 'phase_a', '--id', 'N-3', '--depends-on', 'N-1']);
  s(['roadmap', 'add', 'Docs', '--phase', 'phase_b', '--id', 'N-4']);
  s(['roadmap', 'assign', 'N-4', 'ana']);
  const fileB = tempDb('next-bin');
  const fileA = tempDb('next-api');
  // The seed's last writes may still be in its WAL: fold them into the file before copying it.
  const checkpoint = new BetterSqlite3(seed);
  checkpoint.pragma('wal_checkpoint(TRUNCATE)');
  checkpoint.close();
  fs.copyFileSync(seed, fileB);
  fs.copyFileSync(seed, fileA);
  const bin = binary(fileB);
  const { sqlite, db } = openHost(fileA);
  const js = api(db);
  const pairs = [];
  const same = (name, nativeDoc, apiDoc) => {
    pairs.push(name);
    assert.deepEqual(mask(apiDoc), mask(nativeDoc), name);
    return nativeDoc;
  };

  same('ready', bin(['roadmap', 'ready']), js((d) => d.roadmapReady()));
  same('ready --phase', bin(['roadmap', 'ready', '--phase', 'phase_b']), js((d) => d.roadmapReady({ phase: 'phase_b' })));
  same('ready --assignee', bin(['roadmap', 'ready', '--assignee', 'ana']), js((d) => d.roadmapReady({ assignee: 'ana' })));
  same('ready --limit', bin(['roadmap', 'ready', '--limit', '1']), js((d) => d.roadmapReady({ limit: 1 })));
  const unknown = same('ready --phase (unknown)', bin(['roadmap', 'ready', '--phase', 'phase_q']),
    js((d) => d.roadmapReady({ phase: 'phase_q' })));
  assert.equal(unknown.error.code, 'invalid_input');

  const first = same('claim --next --phase --assignee', bin(['work', 'claim', '--next', '--phase', 'phase_b', '--assignee', 'ana', '--agent', 'ana', '--intent', 'docs']),
    js((d) => d.claimNext({ phase: 'phase_b', assignee: 'ana', agent_id: 'ana', intent: 'docs' })));
  assert.equal(first.work_id, 'N-4', JSON.stringify(first));
  same('claim --next --phase (unknown)', bin(['work', 'claim', '--next', '--phase', 'phase_q', '--agent', 'bob']),
    js((d) => d.claimNext({ phase: 'phase_q', agent_id: 'bob' })));
  same('claim --next --type', bin(['work', 'claim', '--next', '--type', 'gate', '--agent', 'bob']),
    js((d) => d.claimNext({ item_type: 'gate', agent_id: 'bob' })));
  let last;
  for (let i = 0; i < 4; i++) {
    last = same(`claim --next #${i}`, bin(['work', 'claim', '--next', '--agent', 'bob', '--ttl', '600']),
      js((d) => d.claimNext({ agent_id: 'bob', ttl_s: 600 })));
    if (!last.ok) break;
  }
  assert.equal(last.reason_code, 'DENY_NO_READY_WORK', JSON.stringify(last));
  same('list', bin(['work', 'list']), js((d) => d.listLeases()));
  sqlite.close();
  assert.ok(pairs.length >= 10, pairs.join(', '));
});

test('dependencies, assignments, completion and the terminology domains answer what the binary prints', () => {
  const seed = tempDb('plan-seed');
  const s = binary(seed);
  s(['db', 'init']);
  s(['roadmap', 'add', 'Schema', '--phase', 'phase_a', '--id', 'P-1']);
  s(['roadmap', 'add', 'Kernel', '--phase', 'phase_a', '--id', 'P-2']);
  s(['roadmap', 'add', 'Views', '--phase', 'phase_a', '--id', 'P-3']);
  const checkpoint = new BetterSqlite3(seed);
  checkpoint.pragma('wal_checkpoint(TRUNCATE)');
  checkpoint.close();
  const fileB = tempDb('plan-bin');
  const fileA = tempDb('plan-api');
  fs.copyFileSync(seed, fileB);
  fs.copyFileSync(seed, fileA);
  const bin = binary(fileB);
  const { sqlite, db } = openHost(fileA);
  const js = api(db);
  const same = (name, nativeDoc, apiDoc) => assert.deepEqual(mask(apiDoc), mask(nativeDoc), name);

  same('dep add', bin(['roadmap', 'dep', 'add', 'P-2', 'P-1']), js((d) => d.roadmapAddDependency('P-2', 'P-1')));
  same('dep add soft', bin(['roadmap', 'dep', 'add', 'P-3', 'P-1', '--type', 'soft', '--notes', 'nice to have']),
    js((d) => d.roadmapAddDependency('P-3', 'P-1', { dependency_type: 'soft', notes: 'nice to have' })));
  same('dep add (cycle)', bin(['roadmap', 'dep', 'add', 'P-1', 'P-2']), js((d) => d.roadmapAddDependency('P-1', 'P-2')));
  same('dep add (unknown)', bin(['roadmap', 'dep', 'add', 'P-1', 'P-9']), js((d) => d.roadmapAddDependency('P-1', 'P-9')));
  same('assign', bin(['roadmap', 'assign', 'P-1', 'ana', '--role', 'reviewer', '--notes', 'owner of the schema']),
    js((d) => d.roadmapAssign('P-1', 'ana', { role: 'reviewer', notes: 'owner of the schema' })));
  same('assign (unknown item)', bin(['roadmap', 'assign', 'P-9', 'ana']), js((d) => d.roadmapAssign('P-9', 'ana')));
  same('complete (not the owner)', bin(['roadmap', 'complete', 'P-2']), js((d) => d.roadmapComplete('P-2')));
  same('complete', bin(['roadmap', 'complete', 'P-1']), js((d) => d.roadmapComplete('P-1')));
  same('show after', bin(['roadmap', 'show', 'P-2']), js((d) => d.roadmapShow('P-2')));
  same('terminology domains', bin(['terminology', 'list']), js((d) => d.terminologyDomains()));
  sqlite.close();
});

test('refusals name no command line in the API; the binary adds its command as the hint', () => {
  const seed = tempDb('hints-seed');
  const s = binary(seed);
  s(['db', 'init']);
  s(['roadmap', 'add', 'Schema', '--phase', 'phase_a', '--id', 'H-1', '--owner', 'ana']);
  s(['roadmap', 'add', 'Kernel', '--phase', 'phase_a', '--id', 'H-2', '--depends-on', 'H-1', '--owner', 'user']);
  s(['roadmap', 'add', 'Gone', '--phase', 'phase_a', '--id', 'H-3']);
  s(['roadmap', 'delete', 'H-3']);
  s(['program', 'add', 'Old', '--id', 'old']);
  s(['program', 'delete', 'old']);
  s(['work', 'claim', 'H-1', '--agent', 'ana']);
  const checkpoint = new BetterSqlite3(seed);
  checkpoint.pragma('wal_checkpoint(TRUNCATE)');
  checkpoint.close();
  const fileB = tempDb('hints-bin');
  const fileA = tempDb('hints-api');
  fs.copyFileSync(seed, fileB);
  fs.copyFileSync(seed, fileA);
  const raw = (args) => {
    const r = spawnSync(motusBin, ['--db', fileB, '--json', ...args], { encoding: 'utf8', env: { ...process.env, MC_AGENT_ID: '', MC_AGENT_ROLE: '' } });
    return JSON.parse(r.stdout);
  };
  const { sqlite, db } = openHost(fileA);
  const cases = [
    ['a deleted item', ['roadmap', 'update', 'H-3', '--title', 'x'], (d) => d.roadmapUpdate('H-3', { title: 'x' }), /motus roadmap restore H-3/],
    ['a deleted record', ['program', 'update', 'old', '--owner', 'x'], (d) => d.programUpdate('program', 'old', { owner: 'x' }), /motus program restore old/],
    ['a held item (ROAD-003)', ['roadmap', 'update', 'H-1', '--status', 'completed'], (d) => d.roadmapUpdate('H-1', { status_key: 'completed' }), /motus work release lease-/],
    ['not the owner (ROAD-010)', ['roadmap', 'complete', 'H-1'], (d) => d.roadmapComplete('H-1'), /motus roadmap assign H-1 user --role reviewer/],
    ['unfinished prerequisites', ['roadmap', 'complete', 'H-2'], (d) => d.roadmapComplete('H-2'), /motus roadmap why H-2/],
    ['a missing preference', ['pref', 'get', 'nope'], (d) => d.prefGet('nope'), /motus pref list/],
  ];
  for (const [name, argv, call, hint] of cases) {
    const native = raw(argv);
    assert.equal(native.ok, false, name);
    assert.match(native.error.hint || '', hint, `${name}: the binary's hint`);
    const doc = api(db)(call);
    const { hint: _, ...error } = native.error;
    assert.deepEqual(mask(doc.error), mask(error), name);
    assert.doesNotMatch(doc.error.message, /motus |--[a-z]/, `${name}: ${doc.error.message}`);
  }
  sqlite.close();
});
