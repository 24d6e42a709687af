// Issue 11, defect 10: `npm start` ran the server under `sh -c`, so stopping npm (what
// a process manager does) killed the shell and left node orphaned, still bound to its
// port, its clients never closed. The start script now execs node, so the signal npm
// forwards reaches the server, which shuts down gracefully (clients get 1001).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TestClient } from '../apps/ws-client.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

test('SIGTERM to the npm of `npm start` stops the server gracefully', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ringside-npm-'));
  const env: NodeJS.ProcessEnv = { ...process.env, RINGSIDE_SANDBOX_LAZY: '1' };
  for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key];
  const npm = spawn(
    'npm',
    ['start', '--', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  npm.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  npm.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  let serverPid = 0;
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start line in 30 s:\n${out}`)), 30_000);
      npm.stdout.on('data', () => {
        const line = /"pid":(\d+)[^\n]*"port":(\d+)/.exec(out);
        if (line) {
          clearTimeout(timer);
          serverPid = Number(line[1]);
          resolve(Number(line[2]));
        }
      });
    });
    assert.notEqual(serverPid, npm.pid, 'the server is a child of npm, as under a process manager');
    const client = await TestClient.connect(`ws://127.0.0.1:${port}/appws`);

    npm.kill('SIGTERM');
    const closed = await Promise.race([
      client.closed,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 15_000)),
    ]);
    assert.ok(closed, 'the client was never closed');
    assert.equal(closed.code, 1001);
    const deadline = Date.now() + 15_000;
    while (alive(serverPid) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(alive(serverPid), false, 'the server outlived npm');
    assert.equal(await portOpen(port), false, 'the port is still bound');
    assert.match(out, /ringside serve stopped/);
  } finally {
    if (serverPid && alive(serverPid)) process.kill(serverPid, 'SIGKILL');
    if (npm.exitCode === null) npm.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
