'use strict';
// The quickstart cycle through the API — on a file opened with better-sqlite3 (after which
// the native binary reads the same file and agrees) and on SQLite inside the module — and
// the same calls' documents compared with the binary's `--json` output.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { motus, tempDb, tempDir, runMotus, openHost } = require('./helpers.cjs');

/** claim, context, outcome, evidence, decision, release: the six work calls. */
function sixCallCycle(db, workId, extra = {}) {
  const claim = db.claimWork({ work_id: workId, intent: 'My first task', agent_id: 'agent-js' });
  assert.equal(claim.decision, 'GRANTED', JSON.stringify(claim));
  const lease = claim.lease_id;
  const context = db.getContext(lease);
  assert.equal(context.decision, 'GRANTED', JSON.stringify(context));
  const outcome = db.putOutcome(lease, { outcome_type: 'file', path: 'src/lib.rs', description: 'the change' });
  assert.equal(outcome.accepted, true, JSON.stringify(outcome));
  const evidence = db.recordEvidence(lease, { evidence_type: 'test_result', passed: 3, ...extra.evidence });
  assert.equal(evidence.accepted, true, JSON.stringify(evidence));
  const decision = db.recordDecision(lease, { decision: 'Use the ADHOC- prefix for ad hoc work' });
  assert.equal(decision.accepted, true, JSON.stringify(decision));
  const release = db.releaseWork(lease, 'success');
  assert.equal(release.decision, 'GRANTED', JSON.stringify(release));
  return { claim, context, outcome, evidence, decision, release, lease };
}

test('the quickstart cycle on better-sqlite3; the native binary reads the same file and agrees', () => {
  const dir = tempDir('cycle');
  const file = path.join(dir, 'coordination.db');
  const report = path.join(dir, 'report.txt');
  fs.writeFileSync(report, 'all green\n');
  const { sqlite, db } = openHost(file);
  const artifact = motus.fileArtifact(report);
  const r = sixCallCycle(db, 'ADHOC-TASK-001', { evidence: { file: artifact } });
  assert.equal(r.release.lease_status, 'released');
  const mine = db.verifyEvidence(r.lease, { hashFile: motus.hashFile });
  sqlite.close();

  // The binary's view of the same file.
  const status = runMotus(file, ['work', 'status', r.lease]);
  assert.equal(status.status, 0, JSON.stringify(status.json));
  assert.equal(status.json.lease_status, 'released');
  assert.equal(status.json.evidence.length, 1);
  assert.equal(status.json.evidence[0].id, r.evidence.evidence_id);
  assert.equal(status.json.decisions.length, 1);
  assert.equal(status.json.outcomes.length, 1);
  const list = runMotus(file, ['work', 'list']);
  assert.equal(list.json.count, 0, 'no live lease left');
  const verify = runMotus(file, ['work', 'verify', r.lease]);
  assert.equal(verify.status, 0, JSON.stringify(verify.json));
  assert.equal(verify.json.evidence[0].stored_sha256, verify.json.evidence[0].computed_sha256);
  assert.equal(verify.json.evidence[0].file.status, 'ok');
  // The same hashes, computed by both.
  assert.deepEqual(mine, verify.json);
  const reopened = openHost(file);
  assert.deepEqual(reopened.db.leaseStatus(r.lease), status.json);
  reopened.sqlite.close();
  assert.equal(runMotus(file, ['doctor']).json.status, 'pass');
});

test('the quickstart cycle on SQLite inside the module; its image is a file the binary agrees with', () => {
  const db = motus.Database.openInMemory();
  const r = sixCallCycle(db, 'ADHOC-TASK-002');
  const file = tempDb('inmodule');
  fs.writeFileSync(file, db.toBytes());
  const status = runMotus(file, ['work', 'status', r.lease]);
  assert.equal(status.json.lease_status, 'released');
  assert.equal(status.json.evidence[0].sha256, db.leaseStatus(r.lease).evidence[0].sha256);
  assert.equal(runMotus(file, ['work', 'verify', r.lease]).json.ok, true);
});

test('the API and the binary print documents of the same shape for the same calls', () => {
  const file = tempDb('shapes');
  const { sqlite, db } = openHost(file);
  const api = sixCallCycle(db, 'ADHOC-API');
  sqlite.close();
  const native = {};
  native.claim = runMotus(file, ['work', 'claim', 'ADHOC-BIN', '--intent', 'My first task']).json;
  const lease = native.claim.lease_id;
  native.context = runMotus(file, ['work', 'context', lease]).json;
  native.outcome = runMotus(file, ['work', 'outcome', lease, 'file', '--path', 'src/lib.rs']).json;
  native.evidence = runMotus(file, ['work', 'evidence', lease, 'test_result', '--passed', '3']).json;
  native.decision = runMotus(file, ['work', 'decision', lease, 'Use the ADHOC- prefix']).json;
  native.release = runMotus(file, ['work', 'release', lease, 'success']).json;
  const shape = (v) =>
    v === null || typeof v !== 'object'
      ? typeof v
      : Array.isArray(v)
        ? 'array'
        : Object.fromEntries(Object.keys(v).sort().map((k) => [k, shape(v[k])]));
  for (const call of ['claim', 'outcome', 'evidence', 'decision', 'release']) {
    assert.deepEqual(Object.keys(api[call]).sort(), Object.keys(native[call]).sort(), call);
    for (const key of ['decision', 'reason_code', 'accepted', 'lease_status', 'attempt_outcome']) {
      assert.deepEqual(api[call][key], native[call][key], `${call}.${key}`);
    }
  }
  assert.deepEqual(Object.keys(api.context.lens).sort(), Object.keys(native.context.lens).sort());
  assert.deepEqual(shape(api.release), shape(native.release));

  // A second claim of a held item: both say DENIED the same way.
  const again = openHost(file);
  const held = again.db.claimWork({ work_id: 'ADHOC-HELD', agent_id: 'a' });
  const denied = runMotus(file, ['work', 'claim', 'ADHOC-HELD']);
  assert.equal(denied.status, 1);
  const deniedApi = again.db.claimWork({ work_id: 'ADHOC-HELD', agent_id: 'b' });
  assert.equal(deniedApi.decision, denied.json.decision);
  assert.equal(deniedApi.reason_code, denied.json.reason_code);
  assert.equal(deniedApi.owner.lease_id, held.lease_id);
  again.sqlite.close();
});

test('blockers: created and resolved through the API, seen by the binary', () => {
  const file = tempDb('blockers');
  const { sqlite, db } = openHost(file);
  const claim = db.claimWork({ work_id: 'ADHOC-BLOCK', agent_id: 'a' });
  const blocker = db.createBlocker({ target: claim.lease_id, reason_code: 'missing_info', title: 'Which API?' });
  assert.equal(blocker.ok, true);
  assert.equal(blocker.resolved, false);
  const context = db.getContext(claim.lease_id);
  assert.equal(context.lens.open_blockers.length, 1);
  db.recordEvidence(claim.lease_id, { evidence_type: 'document', log: 'the answer' });
  const resolved = db.resolveBlocker({ blocker_id: blocker.blocker_id, resolution: 'asked and answered' });
  assert.equal(resolved.resolved, true);
  sqlite.close();
  const native = runMotus(file, ['work', 'context', claim.lease_id]).json;
  assert.equal(native.lens.open_blockers.length, 0);
});

test('evidence hashing helpers agree with what the kernel stores', () => {
  const db = motus.Database.openInMemory();
  const claim = db.claimWork({ work_id: 'ADHOC-HASH', agent_id: 'a' });
  const rec = db.recordEvidence(claim.lease_id, {
    evidence_type: 'log',
    log: 'naïve — ünïcode',
    artifacts: { b: 1, a: [true, null] },
  });
  const stored = db.leaseStatus(claim.lease_id).evidence.find((e) => e.id === rec.evidence_id);
  const expected = motus.evidenceHash({
    evidence_type: 'log',
    artifacts: { b: 1, a: [true, null] },
    log_excerpt: 'naïve — ünïcode',
  });
  assert.equal(stored.sha256, expected);
  assert.equal(motus.canonicalJson({ b: 1, a: 'é' }), '{"a":"\\u00e9","b":1}');
  const bytes = new TextEncoder().encode('all green\n');
  const h = motus.hashBytes(bytes);
  assert.equal(h.size_bytes, bytes.length);
  assert.equal(h.sha256, require('node:crypto').createHash('sha256').update(bytes).digest('hex'));
});
