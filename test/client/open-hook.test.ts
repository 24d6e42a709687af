// An open hook that throws must not take down the Node process using the SDK: the
// socket reports it as an 'error' event and carries on (against a real ringside serve).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'throwing-hook-child.js');

let serve: ServeProcess;
before(async () => {
  serve = await startServe();
});
after(async () => {
  await serve?.stop();
});

test('a throwing open hook becomes an error event; the process lives on', async () => {
  // execFile rejects if the child exits non-zero (an uncaught exception) or hangs.
  const { stdout } = await promisify(execFile)(process.execPath, [CHILD, serve.wsUrl], {
    timeout: 30_000,
  });
  const report = JSON.parse(stdout.trim()) as { errors: string[]; leaderboard: boolean };
  assert.deepEqual(report.errors, ['open hook failed on purpose']);
  assert.equal(report.leaderboard, true, 'the request queued before the open was answered');
});
