'use strict';
// Parity for the roadmap, program-kind and terminology writes and the roadmap's exports: the
// same scenario on two copies of one database — once through the binary, once through the
// JS API — gives deep-equal documents (times masked, the binary's command-line hint dropped).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const { motus, motusBin, tempDb, openHost, thrown, parityBinary, parityApi } = require('./helpers.cjs');

const TIME = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?Z?/g;

/** Times (generated on each side) replaced, everywhere, including inside exported text. */
function mask(v) {
  if (typeof v === 'string') return v.replace(TIME, '<time>');
  if (Array.isArray(v)) return v.map(mask);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mask(x)]));
  return v;
}

const binary = (file) => parityBinary(file);

const api = (db) => parityApi(db);

test('roadmap, program and terminology writes and the exports agree with the binary', () => {
  const seed = tempDb('parity-writes-seed');
  assert.equal(spawnSync(motusBin, ['--db', seed, 'db', 'init']).status, 0);
  const fileB = tempDb('parity-writes-bin');
  const fileA = tempDb('parity-writes-api');
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

  // ---- roadmap
  same('roadmap add', bin(['roadmap', 'add', 'Schema', '--phase', 'phase_a', '--id', 'W-1', '--description', 'tables']),
    js((d) => d.roadmapAdd({ id: 'W-1', title: 'Schema', phase_key: 'phase_a', description: 'tables' })));
  same('roadmap add --depends-on', bin(['roadmap', 'add', 'Kernel', '--phase', 'phase_a', '--id', 'W-2', '--depends-on', 'W-1']),
    js((d) => d.roadmapAdd({ id: 'W-2', title: 'Kernel', phase_key: 'phase_a', depends_on: ['W-1'] })));
  const upd = same('roadmap update', bin(['roadmap', 'update', 'W-1', '--title', 'The schema', '--description', '', '--status', 'in_progress']),
    js((d) => d.roadmapUpdate('W-1', { title: 'The schema', description: '', status_key: 'in_progress' })));
  assert.equal(upd.description, null);
  same('roadmap update --before', bin(['roadmap', 'update', 'W-2', '--before', 'W-1']),
    js((d) => d.roadmapUpdate('W-2', { before: 'W-1' })));
  same('roadmap update (unknown)', bin(['roadmap', 'update', 'W-9', '--title', 'x']),
    js((d) => d.roadmapUpdate('W-9', { title: 'x' })));
  same('roadmap update (bad status)', bin(['roadmap', 'update', 'W-1', '--status', 'donee']),
    js((d) => d.roadmapUpdate('W-1', { status_key: 'donee' })));
  same('roadmap delete', bin(['roadmap', 'delete', 'W-2', '--reason', 'dup']),
    js((d) => d.roadmapDelete('W-2', { reason: 'dup' })));
  same('roadmap delete (again)', bin(['roadmap', 'delete', 'W-2']), js((d) => d.roadmapDelete('W-2')));
  same('roadmap restore', bin(['roadmap', 'restore', 'W-2']), js((d) => d.roadmapRestore('W-2')));
  same('roadmap restore (unknown)', bin(['roadmap', 'restore', 'W-9']), js((d) => d.roadmapRestore('W-9')));
  same('roadmap list --status (typo)', bin(['roadmap', 'list', '--status', 'donee']),
    js((d) => d.roadmapList({ status_key: 'donee' })));
  same('roadmap export', bin(['roadmap', 'export']), js((d) => d.roadmapExport()));
  same('roadmap export json', bin(['roadmap', 'export', '--format', 'json', '--include-deleted']),
    js((d) => d.roadmapExport({ format: 'json', include_deleted: true })));
  same('roadmap graph', bin(['roadmap', 'graph']), js((d) => d.roadmapGraph()));
  same('roadmap graph mermaid --phase', bin(['roadmap', 'graph', '--format', 'mermaid', '--phase', 'phase_a']),
    js((d) => d.roadmapGraph({ format: 'mermaid', phase_key: 'phase_a' })));
  same('roadmap export (unknown phase)', bin(['roadmap', 'export', '--phase', 'phase_q']),
    js((d) => d.roadmapExport({ phase_key: 'phase_q' })));

  // ---- terminology
  same('terminology add', bin(['terminology', 'add', 'roadmap_phase', 'phase_z', 'Phase Z']),
    js((d) => d.terminologyAdd('roadmap_phase', 'phase_z', 'Phase Z')));
  same('terminology add (again)', bin(['terminology', 'add', 'roadmap_phase', 'phase_z', 'Phase Z']),
    js((d) => d.terminologyAdd('roadmap_phase', 'phase_z', 'Phase Z')));
  same('terms', bin(['terminology', 'list', 'roadmap_phase']), js((d) => d.terms('roadmap_phase')));

  // ---- program kinds
  same('program add', bin(['program', 'add', 'Platform', '--id', 'plat', '--description', 'all of it']),
    js((d) => d.programCreate('program', { name: 'Platform', description: 'all of it' }, { id: 'plat' })));
  same('program add (again)', bin(['program', 'add', 'Platform', '--id', 'plat']),
    js((d) => d.programCreate('program', { name: 'Platform' }, { id: 'plat' })));
  same('product add', bin(['product', 'add', 'Motus', '--id', 'motus', '--program', 'plat']),
    js((d) => d.programCreate('product', { name: 'Motus', program_id: 'plat' }, { id: 'motus' })));
  same('product add (unknown program)', bin(['product', 'add', 'Other', '--program', 'nope-x']),
    js((d) => d.programCreate('product', { name: 'Other', program_id: 'nope-x' })));
  same('charter add', bin(['charter', 'add', 'Ethos', '--id', 'eth', '--doc-type', 'ethos', '--version', '1', '--content-hash', 'abc']),
    js((d) => d.programCreate('charter', { title: 'Ethos', doc_type_key: 'ethos', version: '1', content_hash: 'abc' }, { id: 'eth' })));
  same('cr add', bin(['cr', 'add', 'Faster', '--id', 'cr-1']), js((d) => d.programCreate('cr', { title: 'Faster' }, { id: 'cr-1' })));
  same('program update', bin(['program', 'update', 'plat', '--description', 'the rebuild', '--owner', 'ana']),
    js((d) => d.programUpdate('program', 'plat', { description: 'the rebuild', owner: 'ana' })));
  same('program update (clear)', bin(['program', 'update', 'plat', '--owner', '']),
    js((d) => d.programUpdate('program', 'plat', { owner: '' })));
  same('program update (bad status)', bin(['program', 'update', 'plat', '--status', 'sleeping']),
    js((d) => d.programUpdate('program', 'plat', { status_key: 'sleeping' })));
  same('program delete (live child)', bin(['program', 'delete', 'plat']), js((d) => d.programDelete('program', 'plat')));
  same('product delete', bin(['product', 'delete', 'motus', '--reason', 'merged']),
    js((d) => d.programDelete('product', 'motus', { reason: 'merged' })));
  same('product restore', bin(['product', 'restore', 'motus']), js((d) => d.programRestore('product', 'motus')));
  same('product show', bin(['product', 'show', 'motus']), js((d) => d.programShow('product', 'motus')));
  same('cr show', bin(['cr', 'show', 'cr-1']), js((d) => d.programShow('cr', 'cr-1')));
  same('product list', bin(['product', 'list', '--program', 'plat']), js((d) => d.programList('product', { parent: 'plat' })));
  same('program list --status (typo)', bin(['program', 'list', '--status', 'sleeping']),
    js((d) => d.programList('program', { status: 'sleeping' })));
  same('program history', bin(['program', 'history', 'plat']), js((d) => d.programHistory('program', 'plat')));
  sqlite.close();
  assert.equal(pairs.length, 36);
});

/** An export's header without what differs between two runs (when, from which file). */
function header(text) {
  const { exported_at, source, ...rest } = JSON.parse(text.split('\n')[0]);
  void exported_at;
  void source;
  return rest;
}

test('JSON Lines: the API loads the binary\'s export into a new database and exports it back unchanged', () => {
  const file = tempDb('jsonl');
  const bin = binary(file);
  bin(['db', 'init']);
  bin(['roadmap', 'add', 'Schema', '--phase', 'phase_a', '--id', 'J-1']);
  bin(['roadmap', 'add', 'Kernel', '--phase', 'phase_a', '--id', 'J-2', '--depends-on', 'J-1']);
  bin(['program', 'add', 'Platform', '--id', 'plat']);
  const native = spawnSync(motusBin, ['--db', file, 'db', 'export', '--out', '-'], { encoding: 'utf8' });
  assert.equal(native.status, 0, native.stderr);
  const text = native.stdout;
  // Loaded into an empty in-module database, it answers what the binary's import answers.
  const copy = motus.Database.openInMemory();
  const loaded = copy.importJsonl(text);
  const imported = tempDb('jsonl-imported');
  const exportFile = `${imported}.jsonl`;
  fs.writeFileSync(exportFile, native.stdout);
  const ib = binary(imported)(['db', 'import', exportFile]);
  assert.deepEqual(
    { ok: loaded.ok, schema_version: loaded.schema_version, tables: loaded.tables, rows: loaded.rows },
    { ok: ib.ok, schema_version: ib.schema_version, tables: ib.tables, rows: ib.rows },
  );
  const after = binary(imported);
  assert.deepEqual(mask(copy.roadmapList()), mask(after(['roadmap', 'list'])));
  assert.deepEqual(mask(copy.roadmapShow('J-2')), mask(after(['roadmap', 'show', 'J-2'])));
  assert.deepEqual(mask(copy.programList('program')), mask(after(['program', 'list'])));

  // Refused: a database that holds data, an edited export (fingerprints), nothing written.
  // Exported again from the module, it is the binary's export (the same round trip through a
  // host driver: parity_db.test.cjs).
  const again = copy.exportJsonl();
  assert.deepEqual(header(again), header(text));
  assert.deepEqual(again.split('\n').slice(1), text.split('\n').slice(1));
  assert.equal(thrown(() => copy.importJsonl(text)).code, 'invalid_input');
  const edited = text.replace('"Kernel"', '"Kernal"');
  const fresh = motus.Database.openInMemory();
  const err = thrown(() => fresh.importJsonl(edited));
  assert.ok(['invalid_input', 'corrupt', 'unexpected_data'].includes(err.code), `${err.code}: ${err.message}`);
});
