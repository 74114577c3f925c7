'use strict';
// Parity for userland data (preferences, skills, ground rules, patterns): the same scenario on
// two copies of one database — once through the binary, once through the JS API on a
// better-sqlite3 connection — gives deep-equal documents, failures included (same code,
// message and context; the binary adds only its command-line hint). Times differ between the
// two runs, so they are masked, but only where they are in the contract's one format. Then
// the rows move to userland.db (`motus userland extract`): without it attached the API says
// so; with it attached as `userland` the API reads and writes it like the binary.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { motusBin, tempDb, openHost, BetterSqlite3, parityBinary, parityApi } = require('./helpers.cjs');

// The contract's timestamp (RFC 3339 UTC, milliseconds) and nothing else: a time in another
// format stays and fails the comparison.
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function mask(v) {
  if (typeof v === 'string') return TIME.test(v) ? '<time>' : v;
  if (Array.isArray(v)) return v.map(mask);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mask(x)]));
  return v;
}

const binary = (file) => parityBinary(file, { MOTUS_USERLAND__PATH: '' });

/** Every message the API threw, to check that none carries a command line. */
const apiMessages = [];

const api = (db) => parityApi(db, (e) => apiMessages.push(e.message));

function noCommandLine() {
  assert.ok(apiMessages.length > 0);
  for (const m of apiMessages) {
    assert.doesNotMatch(m, /motus |--[a-z]/, `a JS message names a command line: ${m}`);
  }
}

const PATTERNS = `
INSERT INTO learned_patterns (pattern_type, pattern_value, source, frequency) VALUES
  ('lang', 'rust', 'observation', 4), ('tool', 'cargo', 'detection', 1), ('lang', 'go', 'user_input', 2);
INSERT INTO detected_patterns (pattern_type, pattern_value, confidence, detected_from) VALUES
  ('vcs', 'git', 'high', '.git'), ('lang', 'rust', 'medium', NULL);
`;

function seeded(label) {
  const seed = tempDb(`${label}-seed`);
  assert.equal(spawnSync(motusBin, ['--db', seed, 'db', 'init']).status, 0);
  const s = new BetterSqlite3(seed);
  s.exec(PATTERNS);
  s.close();
  const fileB = tempDb(`${label}-bin`);
  const fileA = tempDb(`${label}-api`);
  fs.copyFileSync(seed, fileB);
  fs.copyFileSync(seed, fileA);
  return { fileB, fileA };
}

test('preferences, skills, rules and patterns: the API answers what the binary prints', () => {
  const { fileB, fileA } = seeded('userland');
  const bin = binary(fileB);
  const { sqlite, db } = openHost(fileA);
  const js = api(db);
  const pairs = [];
  const same = (name, nativeDoc, apiDoc) => {
    pairs.push(name);
    assert.deepEqual(mask(apiDoc), mask(nativeDoc), name);
    return nativeDoc;
  };

  // ---- preferences
  const created = same('pref set', bin(['pref', 'set', 'editor', 'vim']), js((d) => d.prefSet('editor', 'vim')));
  assert.equal(created.created, true);
  assert.equal(created.lives_in, 'coordination');
  const replaced = same('pref set --source', bin(['pref', 'set', 'editor', 'emacs', '--source', 'config_file']),
    js((d) => d.prefSet('editor', 'emacs', { source: 'config_file' })));
  assert.equal(replaced.previous, 'vim');
  same('pref set theme', bin(['pref', 'set', 'theme', 'dark ☾']), js((d) => d.prefSet('theme', 'dark ☾')));
  same('pref get', bin(['pref', 'get', 'editor']), js((d) => d.prefGet('editor')));
  const unknown = same('pref get (unknown key)', bin(['pref', 'get', 'nope']), js((d) => d.prefGet('nope')));
  assert.equal(unknown.error.code, 'not_found');
  const bad = same('pref set (bad source)', bin(['pref', 'set', 'k', 'v', '--source', 'shell']),
    js((d) => d.prefSet('k', 'v', { source: 'shell' })));
  assert.equal(bad.error.code, 'invalid_input');
  assert.match(bad.error.message, /cli, config_file, learned/);
  same('pref set (blank key)', bin(['pref', 'set', ' ', 'v']), js((d) => d.prefSet(' ', 'v')));
  same('pref list', bin(['pref', 'list']), js((d) => d.prefList()));
  same('pref unset', bin(['pref', 'unset', 'editor', '--reason', 'done']), js((d) => d.prefUnset('editor', { reason: 'done' })));
  same('pref unset (again)', bin(['pref', 'unset', 'editor']), js((d) => d.prefUnset('editor')));
  same('pref list --all', bin(['pref', 'list', '--all']), js((d) => d.prefList({ all: true })));
  same('pref set (back)', bin(['pref', 'set', 'editor', 'helix']), js((d) => d.prefSet('editor', 'helix')));

  // ---- skills
  same('skill add', bin(['skill', 'add', 'rust', '--threshold', '3', '--progress', '1']),
    js((d) => d.skillAdd('rust', 3, { progress: 1 })));
  same('skill add (unlocked)', bin(['skill', 'add', 'zig', '--threshold', '2', '--progress', '2']),
    js((d) => d.skillAdd('zig', 2, { progress: 2 })));
  same('skill add (exists)', bin(['skill', 'add', 'rust', '--threshold', '3']), js((d) => d.skillAdd('rust', 3)));
  const neg = same('skill add (negative threshold)', bin(['skill', 'add', 'c', '--threshold', '-1']), js((d) => d.skillAdd('c', -1)));
  assert.equal(neg.error.code, 'invalid_input');
  same('skill add (negative progress)', bin(['skill', 'add', 'c', '--threshold', '1', '--progress', '-2']),
    js((d) => d.skillAdd('c', 1, { progress: -2 })));
  same('skill show', bin(['skill', 'show', 'zig']), js((d) => d.skillShow('zig')));
  same('skill show (unknown)', bin(['skill', 'show', 'cobol']), js((d) => d.skillShow('cobol')));
  same('skill list', bin(['skill', 'list']), js((d) => d.skillList()));
  same('skill delete', bin(['skill', 'delete', 'zig', '--reason', 'unused']), js((d) => d.skillDelete('zig', { reason: 'unused' })));
  same('skill delete (again)', bin(['skill', 'delete', 'zig']), js((d) => d.skillDelete('zig')));
  same('skill list --all', bin(['skill', 'list', '--all']), js((d) => d.skillList({ all: true })));

  // ---- ground rules
  const rule = same('rule add', bin(['rule', 'add', 'never', 'push to main']), js((d) => d.ruleAdd('never', 'push to main')));
  const id = rule.rule.id;
  same('rule add --source', bin(['rule', 'add', 'always', 'run tests', '--source', 'default']),
    js((d) => d.ruleAdd('always', 'run tests', { source: 'default' })));
  same('rule add (exists)', bin(['rule', 'add', 'never', 'push to main']), js((d) => d.ruleAdd('never', 'push to main')));
  same('rule add (bad source)', bin(['rule', 'add', 'a', 'b', '--source', 'mine']), js((d) => d.ruleAdd('a', 'b', { source: 'mine' })));
  same('rule add (blank value)', bin(['rule', 'add', 'never', '']), js((d) => d.ruleAdd('never', '')));
  same('rule list --type', bin(['rule', 'list', '--type', 'never']), js((d) => d.ruleList({ rule_type: 'never' })));
  same('rule delete', bin(['rule', 'delete', String(id), '--reason', 'dup']), js((d) => d.ruleDelete(id, { reason: 'dup' })));
  same('rule delete (unknown)', bin(['rule', 'delete', '99999']), js((d) => d.ruleDelete(99999)));
  same('rule list', bin(['rule', 'list']), js((d) => d.ruleList()));
  same('rule list --all', bin(['rule', 'list', '--all']), js((d) => d.ruleList({ all: true })));

  // ---- patterns
  same('pattern list', bin(['pattern', 'list']), js((d) => d.patternList()));
  same('pattern list --type --kind', bin(['pattern', 'list', '--type', 'lang', '--kind', 'learned']),
    js((d) => d.patternList({ pattern_type: 'lang', kind: 'learned' })));
  same('pattern list --kind detected', bin(['pattern', 'list', '--kind', 'detected']),
    js((d) => d.patternList({ kind: 'detected' })));

  // The two files hold the same rows (times aside).
  const rows = (file) => {
    const s = new BetterSqlite3(file, { readonly: true });
    const out = {};
    for (const t of ['preferences', 'skills', 'ground_rules']) {
      out[t] = s.prepare(`SELECT * FROM ${t} ORDER BY 1`).all().map((r) => {
        for (const k of Object.keys(r)) if (k.endsWith('_at')) r[k] = r[k] === null ? null : '<time>';
        return r;
      });
    }
    out.audit = s.prepare("SELECT event_type, actor, resource_type, resource_id, action FROM audit_log WHERE event_type LIKE 'userland.%' ORDER BY id").all();
    s.close();
    return out;
  };
  sqlite.close();
  assert.deepEqual(rows(fileA), rows(fileB));
  noCommandLine();
  assert.equal(pairs.length, 36);
});

test('the API refuses what the binary refuses before anything runs: malformed options and numbers', () => {
  const { fileA } = seeded('userland-input');
  const { sqlite, db } = openHost(fileA);
  const before = sqlite.prepare('SELECT count(*) AS n FROM audit_log').get().n;
  for (const call of [
    (d) => d.prefSet('k', 'v', { sourse: 'cli' }),
    (d) => d.skillAdd('s', 1.5),
    (d) => d.ruleDelete(Number.NaN),
    (d) => d.patternList({ kind: 'guessed' }),
    (d) => d.prefList({ all: 'yes' }),
  ]) {
    let err;
    try {
      call(db);
    } catch (e) {
      err = e;
    }
    assert.ok(err, 'it threw');
    assert.equal(err.code, 'invalid_input', err.message);
    assert.doesNotMatch(err.message, /motus |--[a-z]/);
  }
  assert.equal(sqlite.prepare('SELECT count(*) AS n FROM audit_log').get().n, before);
  sqlite.close();
});

test('an option the call does not know is refused, as the binary refuses an unknown flag', () => {
  // A typo must not be ignored: { status } for status_key would list every item, { agentid }
  // would claim as the default agent, { dependson } would add an item without prerequisites.
  const { fileA, fileB } = seeded('unknown-keys');
  const { sqlite, db } = openHost(fileA);
  db.roadmapAdd({ title: 'a', phase_key: 'phase_a', id: 'K-1' });
  const before = sqlite.prepare('SELECT count(*) AS n FROM audit_log').get().n;
  const cases = [
    [(d) => d.roadmapList({ status: 'completed' }), ['roadmap', 'list', '--stauts', 'completed']],
    [(d) => d.roadmapAdd({ title: 'b', phase_key: 'phase_a', dependson: ['K-1'] }), ['roadmap', 'add', 'b', '--phase', 'phase_a', '--dependson', 'K-1']],
    [(d) => d.claimWork({ work_id: 'ADHOC-K', agentid: 'me' }), ['work', 'claim', 'ADHOC-K', '--agentid', 'me']],
    [(d) => d.prefList({ every: true }), ['pref', 'list', '--every']],
    [(d) => d.ruleList({ type: 'never' }), ['rule', 'list', '--tpye', 'never']],
    [(d) => d.roadmapReady({ limt: 1 }), ['roadmap', 'ready', '--limt', '1']],
  ];
  const bin = binary(fileB);
  for (const [call, argv] of cases) {
    const doc = api(db)(call);
    assert.equal(doc.ok, false, JSON.stringify(doc));
    assert.equal(doc.error.code, 'invalid_input', doc.error.message);
    assert.match(doc.error.message, /unknown field `[a-z_]+`, expected/);
    const native = bin(argv);
    assert.equal(native.ok, false);
    assert.equal(native.error.code, 'usage');
  }
  assert.equal(sqlite.prepare('SELECT count(*) AS n FROM audit_log').get().n, before);
  assert.equal(sqlite.prepare("SELECT count(*) AS n FROM coordination_leases").get().n, 0);
  sqlite.close();
  noCommandLine();
});

test('after `motus userland extract` the API follows the rows into an attached userland.db', () => {
  const { fileB } = seeded('userland-extracted');
  const bin = binary(fileB);
  bin(['pref', 'set', 'editor', 'vim']);
  bin(['rule', 'add', 'never', 'push to main']);
  const moved = bin(['userland', 'extract']);
  assert.equal(moved.ok, true, JSON.stringify(moved));
  const userland = moved.userland_path;
  assert.equal(path.dirname(userland), path.dirname(fileB));

  // Without userland.db on the connection: a clear refusal, nothing written.
  const bare = openHost(fileB);
  const js = api(bare.db);
  for (const call of [(d) => d.prefList(), (d) => d.prefSet('pager', 'less'), (d) => d.patternList()]) {
    const doc = js(call);
    assert.equal(doc.error.code, 'cannot_open', JSON.stringify(doc));
    assert.match(doc.error.message, /ATTACH DATABASE '<path>' AS userland/);
    assert.ok(doc.error.message.includes(userland), doc.error.message);
  }
  bare.sqlite.close();
  assert.equal(bin(['pref', 'get', 'pager']).error.code, 'not_found');

  // A different userland.db attached: refused, naming the one the rows went to.
  const other = path.join(path.dirname(fileB), 'other', 'coordination.db');
  fs.mkdirSync(path.dirname(other));
  const otherBin = binary(other);
  otherBin(['db', 'init']);
  otherBin(['pref', 'set', 'x', 'y']);
  assert.equal(otherBin(['userland', 'extract']).ok, true);
  const wrong = openHost(fileB);
  wrong.sqlite.exec(`ATTACH DATABASE '${path.join(path.dirname(other), 'userland.db')}' AS userland`);
  const refused = api(wrong.db)((d) => d.prefList());
  assert.equal(refused.error.code, 'invalid_input', JSON.stringify(refused));
  assert.match(refused.error.message, /different userland\.db/);
  wrong.sqlite.close();

  // Attached: the same documents as the binary, lives_in userland, writes land in userland.db.
  const host = openHost(fileB);
  host.sqlite.exec(`ATTACH DATABASE '${userland}' AS userland`);
  const attached = api(host.db);
  const list = attached((d) => d.prefList());
  assert.equal(list.lives_in, 'userland');
  assert.deepEqual(mask(list), mask(bin(['pref', 'list'])));
  assert.deepEqual(mask(attached((d) => d.ruleList())), mask(bin(['rule', 'list'])));
  assert.deepEqual(mask(attached((d) => d.patternList())), mask(bin(['pattern', 'list'])));
  const set = attached((d) => d.prefSet('pager', 'less'));
  assert.equal(set.ok, true, JSON.stringify(set));
  assert.equal(set.lives_in, 'userland');
  const got = bin(['pref', 'get', 'pager']);
  assert.deepEqual(attached((d) => d.prefGet('pager')), got);
  host.sqlite.close();
  assert.equal(got.preference.value, 'less');
  assert.equal(got.lives_in, 'userland');
  const inCoordination = new BetterSqlite3(fileB, { readonly: true });
  assert.equal(inCoordination.prepare('SELECT count(*) AS n FROM preferences').get().n, 0);
  inCoordination.close();
  const inUserland = new BetterSqlite3(userland, { readonly: true });
  assert.equal(inUserland.prepare("SELECT count(*) AS n FROM audit_log WHERE resource_id = 'pager'").get().n, 1);
  inUserland.close();
  noCommandLine();
});
