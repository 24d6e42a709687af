// `ringside serve` as a process: --help, environment variables and flags, a bad flag,
// and SIGTERM (exit 0 with the stop line).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SignJWT } from 'jose';
import { CLI_PATH } from '../helpers/echo-process.js';
import { api, registerUser } from '../helpers/http.js';
import { startServe } from '../helpers/serve-process.js';

const run = promisify(execFile);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function tokenSignedWith(secret: string, sub: string, username: string): Promise<string> {
  return new SignJWT({ username })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer('ringside')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));
}

describe('ringside serve', () => {
  it('prints every flag with --help', async () => {
    const { stdout } = await run(process.execPath, [CLI_PATH, 'serve', '--help']);
    for (const flag of [
      '--port',
      '--host',
      '--data-dir',
      '--database',
      '--jwt-secret',
      '--origin',
      '--rate-limit',
      '--deflate',
      '--max-message-bytes',
      '--heartbeat-ms',
      '--log-level',
    ]) {
      assert.ok(stdout.includes(flag), `--help lacks ${flag}`);
    }
    assert.match(stdout, /RINGSIDE_DATA_DIR/);
    const { stdout: top } = await run(process.execPath, [CLI_PATH, '--help']);
    assert.match(top, /serve/);
  });

  it('exits 2 with a message on a bad flag', async () => {
    await assert.rejects(
      run(process.execPath, [CLI_PATH, 'serve', '--port', 'abc']),
      (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 2);
        assert.match(error.stderr, /--port must be/);
        return true;
      },
    );
  });

  it('takes the data dir and secret from RINGSIDE_* variables, and flags over them', async () => {
    const envDir = mkdtempSync(path.join(os.tmpdir(), 'ringside-env-'));
    const flagDir = mkdtempSync(path.join(os.tmpdir(), 'ringside-flag-'));
    const envSecret = 'secret-from-the-environment';
    const flagSecret = 'secret-from-the-command-line';
    const env = { RINGSIDE_DATA_DIR: envDir, RINGSIDE_JWT_SECRET: envSecret };
    try {
      const fromEnv = await startServe(['--data-dir', envDir], env);
      try {
        assert.ok(existsSync(path.join(envDir, 'ringside.sqlite')));
        const { user } = await registerUser(fromEnv.url, 'env_user');
        const token = await tokenSignedWith(envSecret, user.id, user.username);
        assert.equal(
          (await api(fromEnv.url, 'GET', '/api/me', undefined, token)).status,
          200,
          'RINGSIDE_JWT_SECRET is the secret',
        );
        assert.ok(
          !existsSync(path.join(envDir, 'jwt-secret')),
          'no secret is generated when one is given',
        );
      } finally {
        await fromEnv.stop();
      }

      const fromFlags = await startServe(['--data-dir', flagDir, '--jwt-secret', flagSecret], env);
      try {
        assert.match(fromFlags.output(), new RegExp(`"dataDir":"${flagDir}"`));
        assert.ok(existsSync(path.join(flagDir, 'ringside.sqlite')));
        const { user } = await registerUser(fromFlags.url, 'flag_user');
        const flagToken = await tokenSignedWith(flagSecret, user.id, user.username);
        const envToken = await tokenSignedWith(envSecret, user.id, user.username);
        assert.equal(
          (await api(fromFlags.url, 'GET', '/api/me', undefined, flagToken)).status,
          200,
        );
        assert.equal((await api(fromFlags.url, 'GET', '/api/me', undefined, envToken)).status, 401);
      } finally {
        await fromFlags.stop();
      }
    } finally {
      rmSync(envDir, { recursive: true, force: true });
      rmSync(flagDir, { recursive: true, force: true });
    }
  });

  it('listens on RINGSIDE_PORT when no --port is given', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ringside-port-'));
    const port = await freePort();
    const proc = spawn(process.execPath, [CLI_PATH, 'serve', '--host', '127.0.0.1'], {
      env: { ...process.env, RINGSIDE_PORT: String(port), RINGSIDE_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      proc.stderr.on('data', (d) => (out += d));
      const line = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no start line within 15 s:\n${out}`)),
          15_000,
        );
        proc.stdout.on('data', (d) => {
          out += d;
          const m = /^.*"port":\d+.*$/m.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[0]);
          }
        });
        proc.once('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
      });
      assert.equal(JSON.parse(line).port, port);
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    } finally {
      proc.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('exits 0 on SIGTERM with the stop line', async () => {
    const serve = await startServe();
    const code = await serve.stop();
    assert.equal(code, 0);
    const lines = serve.output().trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1]!);
    assert.equal(last.msg, 'ringside serve stopped');
    assert.equal(last.signal, 'SIGTERM');
  });
});
