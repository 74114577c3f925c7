'use strict';
// Roadmap questions (ready, blocked, why, show, list) and terminology through the API, on a
// file the native binary also reads: both answer with the same documents.
const test = require('node:test');
const assert = require('node:assert/strict');
const { sameError, tempDb, runMotus, openHost, thrown } = require('./helpers.cjs');

test('ready / blocked / why / show / list agree with the binary on the same file', () => {
  const file = tempDb('roadmap');
  const { sqlite, db } = openHost(file, { actor: 'planner' });
  db.init();
  const phase = db.terms('roadmap_phase').items[0].internal_key;
  // planner owns RM-A, so planner may complete it (completing needs the owner, an owner or
  // reviewer assignee, or a reviewer role).
  const a = db.roadmapAdd({ id: 'RM-A', title: 'Schema', phase_key: phase, owner: 'planner' });
  const b = db.roadmapAdd({ id: 'RM-B', title: 'Kernel', phase_key: phase });
  db.roadmapAdd({ id: 'RM-C', title: 'JS API', phase_key: phase });
  const early = db.roadmapAdd({ id: 'RM-0', title: 'Plan', phase_key: phase, before: 'RM-A' });
  assert.ok(early.rank < a.rank, `${early.rank} < ${a.rank}`);
  assert.equal(a.created_by, 'planner');
  db.roadmapAddDependency('RM-B', 'RM-A');
  db.roadmapAddDependency('RM-C', 'RM-B');
  const cycle = thrown(() => db.roadmapAddDependency('RM-A', 'RM-C'));
  const nativeCycle = runMotus(file, ['roadmap', 'dep', 'add', 'RM-A', 'RM-C']);
  assert.equal(nativeCycle.status, 1);
  sameError(nativeCycle.json, cycle);
  assert.equal(cycle.message, 'Circular dependency detected: RM-A -> RM-C -> RM-B -> RM-A');
  sqlite.close();

  const same = (apiDoc, args) => {
    const native = runMotus(file, args);
    assert.equal(native.status, 0, JSON.stringify(native.json));
    assert.deepEqual(apiDoc, native.json, args.join(' '));
  };
  const again = openHost(file, { actor: 'planner' });
  same(again.db.roadmapReady(), ['roadmap', 'ready']);
  same(again.db.roadmapBlocked(), ['roadmap', 'blocked']);
  same(again.db.roadmapWhy('RM-C'), ['roadmap', 'why', 'RM-C']);
  same(again.db.roadmapShow('RM-B'), ['roadmap', 'show', 'RM-B']);
  same(again.db.roadmapList(), ['roadmap', 'list']);
  const why = again.db.roadmapWhy('RM-C');
  assert.equal(why.ready, false);
  assert.deepEqual(why.roots, ['RM-A']);
  assert.deepEqual(again.db.roadmapReady().items.map((i) => i.id), ['RM-0', 'RM-A']);

  // Completing the root through the API makes the next one ready for the binary too.
  const done = again.db.roadmapComplete('RM-A');
  assert.deepEqual(done.unblocked, ['RM-B']);
  again.sqlite.close();
  assert.deepEqual(runMotus(file, ['roadmap', 'ready']).json.items.map((i) => i.id), ['RM-0', 'RM-B']);
  const history = openHost(file);
  same(history.db.roadmapHistory('RM-A'), ['roadmap', 'history', 'RM-A']);
  history.sqlite.close();
  void b;
});

test('terminology keys are validated with the kernel\'s message', () => {
  const file = tempDb('terms');
  const { sqlite, db } = openHost(file);
  db.init();
  assert.ok(db.terminologyDomains().items.includes('roadmap_phase'));
  const phase = db.terms('roadmap_phase').items[0].internal_key;
  assert.equal(db.validateTerm('phase_key', 'roadmap_phase', phase).ok, true);
  const err = thrown(() => db.validateTerm('phase_key', 'roadmap_phase', 'phase_zz'));
  assert.equal(err.code, 'invalid_input');
  assert.match(err.message, /^invalid phase_key: 'phase_zz' is not a roadmap_phase key; valid keys: /);
  const add = thrown(() => db.roadmapAdd({ title: 'x', phase_key: 'phase_zz' }));
  assert.equal(add.code, 'invalid_input');
  sqlite.close();
});

test('validation helpers answer with the kernel\'s own rules', () => {
  const { motus } = require('./helpers.cjs');
  motus.validateLeaseId('lease-20261126-1a2b3c4d');
  const bad = thrown(() => motus.validateLeaseId('lease-1'));
  assert.equal(bad.code, 'invalid_input');
  assert.match(bad.message, /lease ids look like lease-20261126-1a2b3c4d/);
  const vocab = motus.kernelVocabulary();
  for (const t of vocab.evidence_types) motus.validateEvidenceType(t);
  for (const t of vocab.decision_types) motus.validateDecisionType(t);
  assert.equal(thrown(() => motus.validateEvidenceType('vibes')).code, 'invalid_input');
  assert.ok(vocab.blocker_reasons.includes('missing_info'));
});

test('program queries (show, list, history) agree with the binary', () => {
  const file = tempDb('program');
  const created = runMotus(file, ['program', 'add', 'Motus in Rust']).json;
  runMotus(file, ['program', 'update', created.id, '--description', 'the rebuild']);
  const { sqlite, db } = openHost(file);
  const same = (apiDoc, args) => assert.deepEqual(apiDoc, runMotus(file, args).json, args.join(' '));
  same(db.programShow('program', created.id), ['program', 'show', created.id]);
  same(db.programList('program'), ['program', 'list']);
  same(db.programHistory('program', created.id), ['program', 'history', created.id]);
  assert.equal(db.programShow('program', created.id).description, 'the rebuild');
  const missing = thrown(() => db.programShow('program', 'prog-000000000000'));
  assert.equal(missing.code, 'not_found');
  assert.equal(thrown(() => db.programList('planet')).code, 'invalid_input');
  sqlite.close();
});
