// Issue 11, defect 6: the data dir holds the password hashes (the SQLite file and its
// -wal/-shm) and the JWT secret; none of it may be readable by other local users.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { registerUser } from '../helpers/http.js';
import { startServe } from '../helpers/serve-process.js';

const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);

describe('data dir permissions', () => {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'ringside-perms-'));
  after(() => rmSync(parent, { recursive: true, force: true }));

  test('a data dir the server creates is 0700; the database, -wal, -shm and jwt-secret are 0600', async () => {
    const dataDir = path.join(parent, 'new', 'data');
    const serve = await startServe(['--data-dir', dataDir]);
    try {
      await registerUser(serve.url); // a write, so the WAL exists
      assert.equal(mode(dataDir), '700');
      for (const name of [
        'ringside.sqlite',
        'ringside.sqlite-wal',
        'ringside.sqlite-shm',
        'jwt-secret',
      ])
        assert.equal(mode(path.join(dataDir, name)), '600', name);
    } finally {
      await serve.stop();
    }
  });

  test('a database file left world-readable by an older version is made 0600 on start', async () => {
    const dataDir = path.join(parent, 'old');
    const first = await startServe(['--data-dir', dataDir]);
    await first.stop();
    chmodSync(path.join(dataDir, 'ringside.sqlite'), 0o644);
    writeFileSync(path.join(dataDir, 'unrelated.txt'), 'left alone');
    chmodSync(dataDir, 0o755); // an existing dir is the operator's choice: not changed
    const serve = await startServe(['--data-dir', dataDir]);
    try {
      await registerUser(serve.url);
      assert.equal(mode(path.join(dataDir, 'ringside.sqlite')), '600');
      assert.equal(mode(path.join(dataDir, 'ringside.sqlite-wal')), '600');
      assert.equal(mode(dataDir), '755');
    } finally {
      await serve.stop();
    }
  });
});
