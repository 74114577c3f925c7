'use strict';
// A claim race on one file between this Node host (the API on better-sqlite3) and the native
// binary: for each work item both claim it at once, and exactly one is granted.
const test = require('node:test');
const assert = require('node:assert/strict');
const { setTimeout: sleep } = require('node:timers/promises');
const { tempDb, runMotus, startMotus, openHost, BetterSqlite3 } = require('./helpers.cjs');

const ROUNDS = 12;

test(`a claim race between Node and the native binary grants exactly one, ${ROUNDS} times out of ${ROUNDS}`, async (t) => {
  const file = tempDb('race');
  assert.equal(runMotus(file, ['db', 'init']).status, 0);
  const { sqlite, db } = openHost(file);
  const gate = new BetterSqlite3(file);
  const wins = { node: 0, native: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const workId = `ADHOC-RACE-${round}`;
    // Hold the write lock so the binary starts and waits for it; then let go and claim
    // from Node at once, so both wait on the same release.
    gate.exec('BEGIN IMMEDIATE');
    const native = startMotus(file, ['work', 'claim', workId, '--agent', 'native-agent']);
    await sleep(250);
    gate.exec('ROLLBACK');
    if (round % 2 === 1) await sleep(Math.random() * 3);
    const mine = db.claimWork({ work_id: workId, agent_id: 'node-agent' });
    const theirs = await native;
    const granted = [mine.decision, theirs.json.decision].filter((d) => d === 'GRANTED').length;
    assert.equal(granted, 1, `round ${round}: ${JSON.stringify(mine)} / ${JSON.stringify(theirs.json)}`);
    const loser = mine.decision === 'GRANTED' ? theirs.json : mine;
    assert.notEqual(loser.reason_code, undefined);
    assert.equal(theirs.status, theirs.json.decision === 'GRANTED' ? 0 : 1);
    wins[mine.decision === 'GRANTED' ? 'node' : 'native'] += 1;
    const live = sqlite
      .prepare("SELECT count(*) AS n FROM coordination_leases WHERE status = 'active' AND work_id = ?")
      .get(workId).n;
    assert.equal(live, 1, `round ${round}: one live lease`);
  }
  t.diagnostic(`granted to Node ${wins.node} times, to the binary ${wins.native} times`);
  gate.close();
  sqlite.close();
});
