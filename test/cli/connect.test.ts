// `ringside connect` as people use wscat, as a real child process against an in-process
// engine server: early frames and a 4401 close, refusals with their status and body,
// one-line errors, exit statuses, visible control characters, slash commands, binary
// and hex input, and the server's pings.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { UpgradeRejection, WebSocketServer } from '../../src/websocket/index.js';
import { CLI_PATH } from '../helpers/echo-process.js';

const execFileAsync = promisify(execFile);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function connect(args: string[], timeout = 15_000): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      [CLI_PATH, 'connect', ...args],
      {
        timeout,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let base = '';
let pingingBase = '';
const servers: WebSocketServer[] = [];
before(async () => {
  const server = new WebSocketServer({ heartbeatIntervalMs: 0 });
  server.route('/echo', {
    onMessage: (connection, data, isBinary) => connection.send(data, { binary: isBinary }),
  });
  server.route('/v1', {
    onConnect: (connection) => {
      connection.send('{"type":"error","code":"UNAUTHORIZED"}');
      connection.close(4401, 'unauthorized');
    },
  });
  server.route('/deny', {
    onConnect: () => {
      throw new UpgradeRejection(401, 'a token is required (?token=…)');
    },
  });
  server.route('/colors', {
    onConnect: (connection) => connection.send('\x1b[31mred\x1b[0m\rover\u202eevil\x07'),
  });
  server.route('/bye', { onConnect: (connection) => connection.close(1000, 'done') });
  const { port } = await server.listen(0, '127.0.0.1');
  servers.push(server);
  base = `ws://127.0.0.1:${port}`;
  const pinging = new WebSocketServer({ heartbeatIntervalMs: 150 });
  pinging.route('/echo', {});
  pingingBase = `ws://127.0.0.1:${(await pinging.listen(0, '127.0.0.1')).port}`;
  servers.push(pinging);
});
after(() => Promise.all(servers.map((s) => s.close(200))));

const noStackTrace = (text: string): void => assert.doesNotMatch(text, /\n\s+at /);

test('a message and a 4401 close that come with the 101 are printed; exit 1', async () => {
  const started = Date.now();
  const r = await connect([`${base}/v1`, '-x', 'hello', '--wait', '5000']);
  assert.equal(r.stdout, '< {"type":"error","code":"UNAUTHORIZED"}\nclosed: 4401 unauthorized\n');
  assert.equal(r.code, 1);
  assert.ok(Date.now() - started < 4500, 'it stops when the server closes, not after --wait');
});

test('a normal close by the server exits 0', async () => {
  const r = await connect([`${base}/bye`, '-x', 'x', '--wait', '5000']);
  assert.equal(r.stdout, 'closed: 1000 done\n');
  assert.equal(r.code, 0);
});

test('a refused upgrade prints its status line and body in one go; exit 1', async () => {
  const r = await connect([`${base}/deny`, '-x', 'x']);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    'ringside connect: upgrade refused: HTTP/1.1 401 Unauthorized\na token is required (?token=…)\n',
  );
  const missing = await connect([`${base}/nowhere`, '-x', 'x']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^ringside connect: upgrade refused: HTTP\/1\.1 404 Not Found\n/);
});

test('a malformed URL or a refused connection is one line, exit 1', async () => {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const freePort = (probe.address() as net.AddressInfo).port;
  probe.close();
  await once(probe, 'close');
  for (const [url, pattern] of [
    ['not a url', /^ringside connect: invalid URL "not a url": /],
    ['http://127.0.0.1:1/', /^ringside connect: invalid URL "http:\/\/127\.0\.0\.1:1\/": /],
    [`ws://127.0.0.1:${freePort}/`, /^ringside connect: cannot connect to .*ECONNREFUSED/],
  ] as const) {
    const r = await connect([url, '-x', 'x']);
    assert.equal(r.code, 1, url);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    noStackTrace(r.stderr);
  }
});

test('control characters in a message are shown, never written raw', async () => {
  const r = await connect([`${base}/colors`, '-x', 'x', '--wait', '300']);
  assert.equal(r.stdout.split('\n')[0], '< \\x1b[31mred\\x1b[0m\\rover\\u{202e}evil\\x07');
  assert.doesNotMatch(r.stdout, /[\x00-\x08\x0b-\x1f\x7f\u202e]/);
});

/** Runs an interactive session on pipes: writes each line once `waitFor` matched. */
async function session(
  url: string,
  extra: string[],
  steps: Array<[line: string | null, waitFor: RegExp]>,
): Promise<{ out: string; code: number | null }> {
  const child = spawn(process.execPath, [CLI_PATH, 'connect', url, ...extra], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
  try {
    for (const [line, pattern] of steps) {
      if (line !== null) child.stdin.write(line + '\n');
      const deadline = Date.now() + 5000;
      while (!pattern.test(out)) {
        if (Date.now() > deadline) throw new Error(`no ${pattern} in:\n${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    child.stdin.end();
    const [code] = (await exited) as [number | null];
    return { out, code };
  } finally {
    clearTimeout(kill);
  }
}

test('slash commands: /help, /hex, //, unknown ones, and end of input closes with 1000', async () => {
  const { out, code } = await session(
    `${base}/echo`,
    [],
    [
      [null, /connected to/],
      ['/help', /\/hex HEX[\s\S]*\/close \[code\][\s\S]*\/quit/],
      ['/hex 00ff 10', /< 00ff10/],
      ['/hex 0g', /not hex: 0g/],
      ['//slash', /< \/slash/],
      ['/nope', /unknown command \/nope/],
      ['/close 999', /a close code must be 1000 or 3000-4999/],
    ],
  );
  assert.match(out, /closed: 1000/);
  assert.equal(code, 0);
});

test('--binary sends lines as binary messages (echoed as hex)', async () => {
  const { code } = await session(
    `${base}/echo`,
    ['--binary'],
    [
      [null, /connected to/],
      ['abc', /< 616263/],
    ],
  );
  assert.equal(code, 0);
});

test('--show-ping-pong prints the server heartbeat pings', async () => {
  const { out } = await session(
    `${pingingBase}/echo`,
    ['--show-ping-pong'],
    [
      [null, /connected to/],
      [null, /< ping/],
    ],
  );
  assert.match(out, /< ping/);
  const quiet = await connect([`${pingingBase}/echo`, '-x', 'x', '--wait', '700']);
  assert.doesNotMatch(quiet.stdout, /ping/);
});
