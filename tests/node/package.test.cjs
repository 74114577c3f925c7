'use strict';
// The package folder is what a user installs: pack it, install the tarball into a fresh
// project (offline), and use it from CommonJS and from an ES module.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { tempDir } = require('./helpers.cjs');

const repo = path.resolve(__dirname, '..', '..');
const pkgDir = process.env.MOTUS_JS_PKG || path.join(repo, 'web', 'js-api', 'pkg');

test('npm pack + npm install of the package folder works from CommonJS and ESM', () => {
  const project = tempDir('install');
  const npm = (...args) => execFileSync('npm', [...args, '--offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, encoding: 'utf8' });
  const tarball = npm('pack', pkgDir, '--pack-destination', project).trim().split('\n').pop();
  fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "consumer", "private": true }');
  npm('install', path.join(project, tarball));
  const installed = path.join(project, 'node_modules', 'motus-js');
  for (const f of ['package.json', 'README.md', 'node/index.cjs', 'node/index.d.ts', 'node/motus_js.d.ts', 'node/motus_js_bg.wasm', 'web/motus_js.js', 'web/motus_js.d.ts', 'web/motus_js_bg.wasm']) {
    assert.ok(fs.existsSync(path.join(installed, f)), f);
  }
  const types = fs.readFileSync(path.join(installed, 'node', 'motus_js.d.ts'), 'utf8');
  for (const name of ['export class Database', 'claimWork(request: ClaimInput): ClaimAnswer', 'export type ClaimAnswer = {', 'export interface HostConnection', 'roadmapWhy(id: string)']) {
    assert.ok(types.includes(name), name);
  }
  const script = `
    const motus = require('motus-js');
    const db = motus.Database.openInMemory();
    const c = db.claimWork({ work_id: 'ADHOC-INSTALLED' });
    db.recordEvidence(c.lease_id, { evidence_type: 'test_result', passed: 1 });
    console.log(JSON.stringify([c.decision, db.releaseWork(c.lease_id, 'success').lease_status, typeof motus.openBetterSqlite3]));`;
  const cjs = execFileSync(process.execPath, ['-e', script], { cwd: project, encoding: 'utf8' });
  assert.deepEqual(JSON.parse(cjs), ['GRANTED', 'released', 'function']);
  fs.writeFileSync(path.join(project, 'esm.mjs'), `
    import motus from 'motus-js';
    import { Database } from 'motus-js';
    console.log(JSON.stringify([typeof motus.hashFile, Database.openInMemory().status().is_current]));`);
  const esm = execFileSync(process.execPath, ['esm.mjs'], { cwd: project, encoding: 'utf8' });
  assert.deepEqual(JSON.parse(esm), ['function', false]);
});
