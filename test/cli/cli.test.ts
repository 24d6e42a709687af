// The `ringside` command line: help texts, bad flags, and `connect` against a real echo server.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { CLI_PATH, startEcho, type EchoProcess } from '../helpers/echo-process.js';

const run = promisify(execFile);
let echo: EchoProcess;
before(async () => {
  echo = await startEcho();
});
after(async () => {
  assert.equal(await echo.stop(), 0);
  // One line at start and one at stop, nothing per message.
  const lines = echo.output().trim().split('\n');
  assert.equal(lines.length, 2, echo.output());
  assert.match(lines[0]!, /"msg":"ringside echo listening"/);
  assert.match(lines[1]!, /"msg":"ringside echo stopped"/);
});

test('every command has --help', async () => {
  const top = await run(process.execPath, [CLI_PATH, '--help']);
  assert.match(top.stdout, /Commands:[\s\S]*echo[\s\S]*connect/);
  for (const command of ['echo', 'connect']) {
    const { stdout } = await run(process.execPath, [CLI_PATH, command, '--help']);
    assert.match(stdout, new RegExp(`Usage: ringside ${command}`));
  }
  const echoHelp = await run(process.execPath, [CLI_PATH, 'echo', '--help']);
  for (const flag of ['--port', '--deflate', '--max-message-bytes', '--rate-limit', '--tls-cert']) {
    assert.ok(echoHelp.stdout.includes(flag), `echo --help mentions ${flag}`);
  }
});

test('bad flags and commands exit 2 with a message, not a stack trace', async () => {
  for (const args of [
    ['nope'],
    ['echo', '--port', 'x'],
    ['echo', '--bogus'],
    ['echo', '--slow-consumer', 'maybe'],
  ]) {
    const error = await run(process.execPath, [CLI_PATH, ...args]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal((error as { code: number }).code, 2, args.join(' '));
    assert.match((error as { stderr: string }).stderr, /^ringside: /);
    assert.doesNotMatch((error as { stderr: string }).stderr, /\n\s+at /);
  }
});

test('connect --execute sends one message and prints the echo', async () => {
  const { stdout } = await run(process.execPath, [
    CLI_PATH,
    'connect',
    `${echo.url}/echo`,
    '-x',
    'héllo',
    '--wait',
    '300',
  ]);
  assert.equal(stdout, '< héllo\nclosed: 1000\n');
});

test('connect is interactive: lines out, messages in, /ping and /close', async () => {
  const child = spawn(process.execPath, [CLI_PATH, 'connect', `${echo.url}/echo`], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const waitFor = async (pattern: RegExp): Promise<void> => {
    const deadline = Date.now() + 5000;
    while (!pattern.test(out)) {
      if (Date.now() > deadline) throw new Error(`no ${pattern} in:\n${out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await waitFor(/connected to/);
  child.stdin.write('first line\n');
  await waitFor(/< first line/);
  child.stdin.write('/ping hey\n');
  await waitFor(/< pong hey/);
  child.stdin.write('/close 4000 done\n');
  await waitFor(/closed: 4000/);
  const [code] = await exited;
  assert.equal(code, 0);
});

test('connect reports a refused upgrade and exits 1', async () => {
  const error = await run(process.execPath, [
    CLI_PATH,
    'connect',
    `${echo.url}/nowhere`,
    '-x',
    'x',
  ]).catch((e: { code: number; stderr: string }) => e);
  assert.equal((error as { code: number }).code, 1);
  assert.match((error as { stderr: string }).stderr, /404/);
});
