'use strict';
// Parity for the rest of the planning calls: roadmap dependencies removed and moved,
// assignments released, reviews, an item's status, an agent's work; change-request
// dependencies, standards (assign, unassign, record, results, compliance) and charters
// (activate, active), the deploy gate. The same scenario on two copies of one database — once through the
// binary, once through the JS API — gives deep-equal documents (times masked, the binary's
// command-line hint dropped), failures included.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const { motusBin, tempDb, openHost, parityBinary, parityApi } = require('./helpers.cjs');

const TIME = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?Z?/g;
const LEASE = /lease-\d{8}-[0-9a-f]{8}/g;

function mask(v) {
  if (typeof v === 'string') return v.replace(TIME, '<time>').replace(LEASE, '<lease_id>');
  if (Array.isArray(v)) return v.map(mask);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mask(x)]));
  return v;
}

const binary = (file) => parityBinary(file);

const api = (db) => parityApi(db);

test('roadmap, change-request, standard, charter and deploy calls agree with the binary', () => {
  const seed = tempDb('parity-plan-seed');
  assert.equal(spawnSync(motusBin, ['--db', seed, 'db', 'init']).status, 0);
  const fileB = tempDb('parity-plan-bin');
  const fileA = tempDb('parity-plan-api');
  fs.copyFileSync(seed, fileB);
  fs.copyFileSync(seed, fileA);
  const bin = binary(fileB);
  const setup = (args) => {
    const doc = bin(args);
    assert.equal(doc.ok, true, JSON.stringify(doc));
    const r = spawnSync(motusBin, ['--db', fileA, '--json', ...args], { encoding: 'utf8', env: { ...process.env, MC_AGENT_ID: '' } });
    assert.equal(r.status, 0, r.stdout);
  };
  // The same records on both copies, written by the binary.
  for (const id of ['P-1', 'P-2', 'P-3']) setup(['roadmap', 'add', `Item ${id}`, '--phase', 'phase_a', '--id', id]);
  setup(['roadmap', 'dep', 'add', 'P-2', 'P-1']);
  setup(['roadmap', 'assign', 'P-1', 'alice']);
  setup(['cr', 'add', 'Faster', '--id', 'cr-1']);
  setup(['cr', 'add', 'Smaller', '--id', 'cr-2']);
  setup(['program', 'add', 'Platform', '--id', 'plat']);
  setup(['product', 'add', 'Motus', '--id', 'prod', '--program', 'plat']);
  setup(['standard', 'add', 'Tested', '--id', 'std', '--level', 'product', '--check-type', 'boolean', '--failure-message', 'untested']);
  setup(['charter', 'add', 'Ethos', '--id', 'eth', '--doc-type', 'ethos', '--version', '1', '--content-hash', 'abc']);

  const { sqlite, db } = openHost(fileA);
  const js = api(db);
  const pairs = [];
  const same = (name, nativeDoc, apiDoc) => {
    pairs.push(name);
    assert.deepEqual(mask(apiDoc), mask(nativeDoc), name);
    return nativeDoc;
  };

  // ---- roadmap
  same('roadmap status', bin(['roadmap', 'status', 'P-2', '--agent', 'bob']), js((d) => d.roadmapStatus('P-2', { agent: 'bob' })));
  same('roadmap status (unknown)', bin(['roadmap', 'status', 'P-9']), js((d) => d.roadmapStatus('P-9')));
  same('roadmap my-work', bin(['roadmap', 'my-work', '--agent', 'alice']), js((d) => d.roadmapMyWork({ agent: 'alice' })));
  same('roadmap my-work (no agent)', bin(['roadmap', 'my-work', '--agent', '']), js((d) => d.roadmapMyWork({ agent: '' })));
  same('roadmap dep move', bin(['roadmap', 'dep', 'move', 'P-2', 'P-1', 'P-3']), js((d) => d.roadmapMoveDependency('P-2', 'P-1', 'P-3')));
  same('roadmap dep move (no such edge)', bin(['roadmap', 'dep', 'move', 'P-2', 'P-1', 'P-3']),
    js((d) => d.roadmapMoveDependency('P-2', 'P-1', 'P-3')));
  same('roadmap dep rm', bin(['roadmap', 'dep', 'rm', 'P-2', 'P-3']), js((d) => d.roadmapRemoveDependency('P-2', 'P-3')));
  same('roadmap dep rm (again)', bin(['roadmap', 'dep', 'rm', 'P-2', 'P-3']), js((d) => d.roadmapRemoveDependency('P-2', 'P-3')));
  same('roadmap release', bin(['roadmap', 'release', 'P-1', '--agent', 'alice']), js((d) => d.roadmapRelease('P-1', { agent: 'alice' })));
  same('roadmap release (unknown)', bin(['roadmap', 'release', 'P-9']), js((d) => d.roadmapRelease('P-9')));
  same('roadmap review', bin(['roadmap', 'review', 'P-1', '-c', 'looks right']), js((d) => d.roadmapReview('P-1', { comment: 'looks right' })));
  same('roadmap review (unknown)', bin(['roadmap', 'review', 'P-9']), js((d) => d.roadmapReview('P-9')));

  // ---- change requests
  same('cr dep add', bin(['cr', 'dep', 'add', 'cr-1', 'cr-2']), js((d) => d.crAddDependency('cr-1', 'cr-2')));
  same('cr dep add (cycle)', bin(['cr', 'dep', 'add', 'cr-2', 'cr-1']), js((d) => d.crAddDependency('cr-2', 'cr-1')));
  same('cr show', bin(['cr', 'show', 'cr-1']), js((d) => d.programShow('cr', 'cr-1')));
  same('cr dep rm', bin(['cr', 'dep', 'rm', 'cr-1', 'cr-2']), js((d) => d.crRemoveDependency('cr-1', 'cr-2')));
  same('cr dep rm (again)', bin(['cr', 'dep', 'rm', 'cr-1', 'cr-2']), js((d) => d.crRemoveDependency('cr-1', 'cr-2')));
  same('cr dep add --type related', bin(['cr', 'dep', 'add', 'cr-1', 'cr-2', '--type', 'related']),
    js((d) => d.crAddDependency('cr-1', 'cr-2', { dependency_type: 'related' })));

  // ---- standards
  same('standard assign', bin(['standard', 'assign', 'std', 'product:prod']), js((d) => d.standardAssign('std', 'product:prod')));
  same('standard assign (bad entity)', bin(['standard', 'assign', 'std', 'motus']), js((d) => d.standardAssign('std', 'motus')));
  same('standard unassign', bin(['standard', 'unassign', 'std', 'product:prod']), js((d) => d.standardUnassign('std', 'product:prod')));
  same('standard unassign (again)', bin(['standard', 'unassign', 'std', 'product:prod']), js((d) => d.standardUnassign('std', 'product:prod')));
  same('standard assign --inherited', bin(['standard', 'assign', 'std', 'product:prod', '--inherited']),
    js((d) => d.standardAssign('std', 'product:prod', { inherited: true })));
  same('standard record', bin(['standard', 'record', 'std', 'product:prod', '--result', 'pass', '--value', '12']),
    js((d) => d.standardRecord('std', 'product:prod', { result: 'pass', value: '12' })));
  same('standard record (bad result)', bin(['standard', 'record', 'std', 'product:prod', '--result', 'maybe']),
    js((d) => d.standardRecord('std', 'product:prod', { result: 'maybe' })));
  same('standard results', bin(['standard', 'results', '--standard', 'std']), js((d) => d.standardResults({ standard: 'std' })));
  same('standard results --entity', bin(['standard', 'results', '--entity', 'product:prod']), js((d) => d.standardResults({ entity: 'product:prod' })));
  same('standard results (bad entity)', bin(['standard', 'results', '--entity', 'nonsense']), js((d) => d.standardResults({ entity: 'nonsense' })));
  same('standard compliance', bin(['standard', 'compliance', 'product:prod']), js((d) => d.standardCompliance('product:prod')));
  same('standard compliance (bad entity)', bin(['standard', 'compliance', 'nonsense']), js((d) => d.standardCompliance('nonsense')));

  // ---- charters
  same('charter active (none)', bin(['charter', 'active', 'ethos']), js((d) => d.charterActive('ethos')));
  same('charter activate', bin(['charter', 'activate', 'eth']), js((d) => d.charterActivate('eth')));
  same('charter activate (unknown)', bin(['charter', 'activate', 'nope-x']), js((d) => d.charterActivate('nope-x')));
  same('charter active', bin(['charter', 'active', 'ethos']), js((d) => d.charterActive('ethos')));

  // ---- the deploy gate (`check`'s `command` is the CLI's next step: a command line, so the
  // JS API leaves it null, like an error's hint)
  const noCommand = (doc) => ({ ...doc, command: null });
  same('deploy check (nothing claimed)', noCommand(bin(['deploy', 'check'])), js((d) => d.deployCheck()));
  const added = same('deploy claim add', bin(['deploy', 'claim', 'add', 'Fast and safe', '--page', 'index', '--type', 'quantitative', '--id', 'c-fast', '--test-function', 'test_fast']),
    js((d) => d.deployClaimAdd({ claim_text: 'Fast and safe', page: 'index', claim_type: 'quantitative', id: 'c-fast', test_function: 'test_fast' })));
  same('deploy claim add (too short)', bin(['deploy', 'claim', 'add', 'Fast', '--page', 'index', '--type', 'quantitative']),
    js((d) => d.deployClaimAdd({ claim_text: 'Fast', page: 'index', claim_type: 'quantitative' })));
  const blocked = same('deploy check (a pending claim)', noCommand(bin(['deploy', 'check'])), js((d) => d.deployCheck()));
  const gated = same('deploy record (gated)', bin(['deploy', 'record', 'website', '1.0.0', '--status', 'success']),
    js((d) => d.deployRecord('website', '1.0.0', { status: 'success' })));
  const set = same('deploy claim set', bin(['deploy', 'claim', 'set', 'c-fast', 'pass']), js((d) => d.deployClaimSet('c-fast', 'pass')));
  // The scenario is the one meant: the claim was added, held the gate, and its pass opened it.
  assert.deepEqual([added.ok, blocked.ok, gated.ok, set.ok], [true, false, false, true]);
  same('deploy claim set (unknown)', bin(['deploy', 'claim', 'set', 'nope', 'pass']), js((d) => d.deployClaimSet('nope', 'pass')));
  same('deploy claim list', bin(['deploy', 'claim', 'list']), js((d) => d.deployClaimList()));
  same('deploy check --target pypi', noCommand(bin(['deploy', 'check', '--target', 'pypi'])), js((d) => d.deployCheck({ target: 'pypi' })));
  const rec = same('deploy record', bin(['deploy', 'record', 'pypi', '1.0.0', '--status', 'in_progress']),
    js((d) => d.deployRecord('pypi', '1.0.0', { status: 'in_progress' })));
  assert.equal(rec.ok, true);
  same('deploy finish', bin(['deploy', 'finish', String(rec.id), '--status', 'success']), js((d) => d.deployFinish(rec.id, 'success')));
  same('deploy finish (unknown)', bin(['deploy', 'finish', '999999', '--status', 'success']), js((d) => d.deployFinish(999999, 'success')));
  same('deploy list', bin(['deploy', 'list']), js((d) => d.deployList()));
  same('deploy list --target docs', bin(['deploy', 'list', '--target', 'docs']), js((d) => d.deployList({ target: 'docs' })));

  sqlite.close();
  // Every pair ran, and the failures among them are failures on both sides.
  assert.equal(pairs.length, 48);
});
