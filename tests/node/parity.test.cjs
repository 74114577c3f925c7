'use strict';
// Parity: every work call the API exposes, run as the same scenario on two copies of one
// database — once through the binary, once through the API — gives deep-equal documents.
// Values the two runs generate independently (ids, times, the lens hash over them) are
// replaced by their kind before comparing; everything else must be identical.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const { motus, motusBin, tempDb, openHost } = require('./helpers.cjs');

const GENERATED = [
  [/^lease-\d{8}-[0-9a-f]{8}$/, '<lease_id>'],
  [/^[a-z_]+-[0-9a-f]{12}$/, '<id>'],
  [/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, '<time>'],
  [/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/, '<db-time>'],
];
const MASKED_KEYS = new Set(['lens_hash', 'ttl_remaining_s', 'snapshot_id', 'lens_digest']);

function mask(v, key) {
  if (MASKED_KEYS.has(key) && v !== null) return `<${key}>`;
  if (typeof v === 'string') {
    for (const [re, kind] of GENERATED) if (re.test(v)) return kind;
    // Ids inside text ("… motus work context lease-…").
    return v.replace(/lease-\d{8}-[0-9a-f]{8}/g, '<lease_id>').replace(/\b[a-z]+-[0-9a-f]{12}\b/g, '<id>');
  }
  if (Array.isArray(v)) return v.map((x) => mask(x, key));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mask(x, k)]));
  return v;
}

function binary(file) {
  return (args, env = {}) => {
    const r = spawnSync(motusBin, ['--db', file, '--json', ...args], {
      encoding: 'utf8',
      env: { ...process.env, MC_AGENT_ID: '', MC_AGENT_ROLE: '', ...env },
    });
    const doc = JSON.parse(r.stdout);
    assert.equal(r.status === 0, doc.ok === true, `exit ${r.status} agrees with ok: ${r.stdout}`);
    return doc;
  };
}

function api(db) {
  return (call) => {
    try {
      return call(db);
    } catch (e) {
      // The API throws what the binary prints as a failure document.
      const error = { code: e.code, message: e.message };
      if (e.context !== undefined) error.context = e.context;
      return { ok: false, contract_version: 2, error };
    }
  };
}

/** The binary's failure document without its command-line hint. */
function withoutHint(doc) {
  if (doc.error && doc.error.hint !== undefined) {
    const { hint, ...error } = doc.error;
    return { ...doc, error };
  }
  return doc;
}

test('every work call gives deep-equal documents through the binary and the API', () => {
  const seed = tempDb('parity-seed');
  const init = spawnSync(motusBin, ['--db', seed, '--json', 'db', 'init'], { encoding: 'utf8' });
  assert.equal(init.status, 0, init.stderr);
  const fileB = tempDb('parity-bin');
  const fileA = tempDb('parity-api');
  fs.copyFileSync(seed, fileB);
  fs.copyFileSync(seed, fileA);
  const bin = binary(fileB);
  const { sqlite, db } = openHost(fileA);
  const js = api(db);
  const pairs = [];
  const same = (name, nativeDoc, apiDoc) => {
    pairs.push(name);
    assert.deepEqual(mask(apiDoc), mask(withoutHint(nativeDoc)), name);
    return [nativeDoc, apiDoc];
  };

  const refused = (name, nativeDoc, apiDoc) => {
    pairs.push(name);
    assert.equal(nativeDoc.ok, false, name);
    assert.equal(apiDoc.ok, false, name);
    assert.ok(['usage', 'invalid_input'].includes(nativeDoc.error.code), name);
    assert.equal(apiDoc.error.code, 'invalid_input', name);
    const values = (m) => (m.match(/[a-z_]{3,}/g) || []).filter((w) => nativeDoc.error.message.includes(w) && m.includes(w));
    assert.ok(values(apiDoc.error.message).length >= 3, `${name}: ${nativeDoc.error.message} / ${apiDoc.error.message}`);
  };
  const [bc, ac] = same(
    'claim',
    bin(['work', 'claim', 'ADHOC-PARITY', '--intent', 'Parity', '--agent', 'alice', '--ttl', '900']),
    js((d) => d.claimWork({ work_id: 'ADHOC-PARITY', intent: 'Parity', agent_id: 'alice', ttl_s: 900 })),
  );
  assert.equal(bc.decision, 'GRANTED');
  const [lb, la] = [bc.lease_id, ac.lease_id];
  same(
    'claim (busy)',
    bin(['work', 'claim', 'ADHOC-PARITY', '--agent', 'bob']),
    js((d) => d.claimWork({ work_id: 'ADHOC-PARITY', agent_id: 'bob' })),
  );
  same('context', bin(['work', 'context', lb]), js((d) => d.getContext(la)));
  same(
    'outcome',
    bin(['work', 'outcome', lb, 'file', '--path', 'src/lib.rs', '-d', 'the change']),
    js((d) => d.putOutcome(la, { outcome_type: 'file', path: 'src/lib.rs', description: 'the change' })),
  );
  same(
    'evidence',
    bin(['work', 'evidence', lb, 'test_result', '--passed', '3', '--failed', '0']),
    js((d) => d.recordEvidence(la, { evidence_type: 'test_result', passed: 3, failed: 0 })),
  );
  // The command line refuses a value outside a fixed list before the call (clap: `usage`,
  // exit 2); the API's core check refuses it too. Both name the same valid values.
  refused(
    'evidence (invalid type)',
    bin(['work', 'evidence', lb, 'nonsense']),
    js((d) => d.recordEvidence(la, { evidence_type: 'nonsense' })),
  );
  same(
    'decision',
    bin(['work', 'decision', lb, 'Keep it small', '-r', 'time', '-a', 'big bang']),
    js((d) => d.recordDecision(la, { decision: 'Keep it small', rationale: 'time', alternatives: ['big bang'] })),
  );
  same('heartbeat', bin(['work', 'heartbeat', lb, '--ttl', '600']), js((d) => d.heartbeat(la, { ttl_s: 600 })));
  const [bb, ab] = same(
    'block',
    bin(['work', 'block', lb, 'missing_info', 'Need the spec', '--agent', 'alice']),
    js((d) => d.createBlocker({ target: la, reason_code: 'missing_info', title: 'Need the spec', agent_id: 'alice' })),
  );
  same(
    'unblock',
    bin(['work', 'unblock', bb.blocker_id, '--resolution', 'Found it', '--waiver', 'spec is in the README', '--agent', 'alice']),
    js((d) => d.resolveBlocker({ blocker_id: ab.blocker_id, resolution: 'Found it', waiver: 'spec is in the README', agent_id: 'alice' })),
  );
  const [bh, ah] = same(
    'handoff',
    bin(['work', 'handoff', lb, 'bob', '--reason', 'end of shift']),
    js((d) => d.handoff(la, 'bob', 'end of shift')),
  );
  same('heartbeat (ended lease)', bin(['work', 'heartbeat', lb]), js((d) => d.heartbeat(la)));
  same('status', bin(['work', 'status', bh.lease_id]), js((d) => d.leaseStatus(ah.lease_id)));
  same('status (unknown)', bin(['work', 'status', 'lease-20260101-00000000']), js((d) => d.leaseStatus('lease-20260101-00000000')));
  same('list', bin(['work', 'list']), js((d) => d.listLeases()));
  same('list --all', bin(['work', 'list', '--all']), js((d) => d.listLeases({ all: true })));
  same('verify', bin(['work', 'verify', lb]), js((d) => d.verifyEvidence(la)));
  same('verify (unknown item)', bin(['work', 'verify', 'ADHOC-NOPE']), js((d) => d.verifyEvidence('ADHOC-NOPE')));
  same(
    'force-release (no role)',
    bin(['work', 'force-release', bh.lease_id, '--reason', 'stuck', '--agent', 'ops']),
    js((d) => d.forceRelease({ lease_id: ah.lease_id, reason: 'stuck', agent_id: 'ops' })),
  );
  same(
    'force-release',
    bin(['work', 'force-release', bh.lease_id, '--reason', 'stuck', '--agent', 'ops'], { MC_AGENT_ROLE: 'operator' }),
    js((d) => d.forceRelease({ lease_id: ah.lease_id, reason: 'stuck', agent_id: 'ops', role: 'operator' })),
  );
  same('release (aborted lease)', bin(['work', 'release', bh.lease_id, 'success']), js((d) => d.releaseWork(ah.lease_id, 'success')));
  same('release (unknown lease)', bin(['work', 'release', 'lease-20260101-00000000', 'success']), js((d) => d.releaseWork('lease-20260101-00000000', 'success')));
  refused('release (bad outcome)', bin(['work', 'release', lb, 'maybe']), js((d) => d.releaseWork(la, 'maybe')));
  const [b2] = same(
    'claim (again)',
    bin(['work', 'claim', 'ADHOC-PARITY-2', '--agent', 'carol', '--ttl', '60']),
    js((d) => d.claimWork({ work_id: 'ADHOC-PARITY-2', agent_id: 'carol', ttl_s: 60 })),
  );
  assert.equal(b2.decision, 'GRANTED');
  same('cleanup', bin(['work', 'cleanup']), js((d) => d.cleanup()));
  sqlite.close();
  assert.equal(pairs.length, 25);
});
