// Operations: JSON log lines when stdout is a pipe or file (collectors), readable lines
// (pino-pretty) when it is a terminal; RINGSIDE_LOG_FORMAT=json|pretty overrides.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { logFormat } from '../../src/cli/logger.js';
import { CLI_PATH } from '../helpers/cli-process.js';

/** Runs serve until its start line, then stops it; returns what it wrote. */
function startLine(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    let out = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`no start line in 30 s:\n${out}`));
    }, 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const pid = /"pid":(\d+)|\((\d+)\)/.exec(out);
      if (/ringside serve listening/.test(out) && pid) {
        clearTimeout(timer);
        process.kill(Number(pid[1] ?? pid[2]), 'SIGTERM');
        proc.once('exit', () => resolve(out));
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
  });
}

test('the format: pretty on a terminal, JSON otherwise, the variable wins', () => {
  assert.equal(logFormat({}, true), 'pretty');
  assert.equal(logFormat({}, false), 'json');
  assert.equal(logFormat({ RINGSIDE_LOG_FORMAT: 'json' }, true), 'json');
  assert.equal(logFormat({ RINGSIDE_LOG_FORMAT: 'pretty' }, false), 'pretty');
});

test('ringside serve: JSON lines into a pipe, readable lines on a terminal', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ringside-log-'));
  const env: NodeJS.ProcessEnv = { ...process.env, RINGSIDE_SANDBOX_LAZY: '1' };
  delete env.RINGSIDE_LOG_FORMAT;
  const args = ['serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir];
  try {
    const piped = await startLine(process.execPath, [CLI_PATH, ...args], env);
    const line = piped.split('\n').find((l) => l.includes('ringside serve listening'))!;
    assert.equal(JSON.parse(line).msg, 'ringside serve listening');

    // util-linux `script` gives the server a pseudo-terminal as stdout.
    if (!existsSync('/usr/bin/script')) return;
    const command = [process.execPath, CLI_PATH, ...args].map((a) => `'${a}'`).join(' ');
    const tty = await startLine('/usr/bin/script', ['-qec', command, '/dev/null'], env);
    const pretty = tty.split('\n').find((l) => l.includes('ringside serve listening'))!;
    assert.match(pretty, /INFO/);
    assert.throws(() => JSON.parse(pretty));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
