// Operations: a port in use or a bad flag ends `ringside serve` with one line on stderr
// that says what is wrong, not a Node stack trace.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { CLI_PATH } from '../helpers/cli-process.js';

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CLI_PATH, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, RINGSIDE_SANDBOX_LAZY: '1' },
    });
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    proc.once('error', reject);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

test('a port in use: one line naming the address, exit 1', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const { port } = blocker.address() as net.AddressInfo;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ringside-cli-'));
  try {
    const { code, stderr } = await run([
      'serve',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--data-dir',
      dataDir,
    ]);
    assert.equal(code, 1);
    assert.equal(
      stderr,
      `ringside: 127.0.0.1:${port} is already in use (another server on that port?)\n`,
    );
  } finally {
    blocker.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('an unknown flag and a bad value: one line each, exit 2', async () => {
  const unknown = await run(['serve', '--bogus']);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr, 'ringside: unknown flag --bogus (see ringside serve --help)\n');
  const bad = await run(['serve', '--port', 'eighty']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'ringside: --port must be a whole number from 0 to 65535\n');
});
