// Python's `websockets` (Debian's python3-websockets) as an independent client of a real
// `ringside echo`. The exchange itself lives in fixtures/websockets_client.py, which prints
// a JSON report of what it sent and received; this file asserts on that report.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { startEcho, type EchoProcess } from '../helpers/echo-process.js';

// Tests run from dist/test/interop; the script stays in the source tree.
const SCRIPT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../test/interop/fixtures/websockets_client.py',
);

/** The first python3 that can import websockets (pyenv shims may shadow Debian's /usr/bin/python3). */
function findPython(): string {
  const candidates = [process.env.RINGSIDE_PYTHON, '/usr/bin/python3', 'python3'].filter(
    (c): c is string => !!c,
  );
  for (const py of candidates) {
    try {
      execFileSync(py, ['-c', 'import websockets'], { stdio: 'ignore', timeout: 10_000 });
      return py;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    `no python3 with the websockets module among ${candidates.join(', ')}; ` +
      'install Debian python3-websockets (scripts/ensure-test-deps.sh does)',
  );
}

interface Digest {
  type: 'text' | 'binary';
  length: number;
  sha256: string;
}
interface Report {
  error?: string;
  websockets_version: string;
  extensions: string[];
  response_extensions_header: string | null;
  text: string;
  unicode: { sent: string; received: string };
  binary: { type: string; equal: boolean; length: number };
  empty: Digest[];
  large_binary: { sent: Digest; received: Digest };
  large_text: { sent: Digest; received: Digest };
  fragmented_text: string;
  fragmented_binary: { sent: Digest; received: Digest };
  pong: boolean;
  close: { code: number; reason: string };
  broadcast: { a: string[]; b: string[] };
}

function runClient(python: string, url: string, mode: 'deflate' | 'plain'): Promise<Report> {
  return new Promise((resolve, reject) => {
    execFile(
      python,
      [SCRIPT, url, mode],
      { timeout: 30_000, killSignal: 'SIGKILL', maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        let report: Report | undefined;
        try {
          report = JSON.parse(stdout) as Report;
        } catch {
          // fall through
        }
        if (report?.error) return reject(new Error(`python client: ${report.error}\n${stderr}`));
        if (err || !report)
          return reject(
            new Error(
              `python client failed: ${err?.message}\nstdout: ${stdout}\nstderr: ${stderr}`,
            ),
          );
        resolve(report);
      },
    );
  });
}

const EMPTY_SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function assertExchange(r: Report): void {
  assert.equal(r.text, 'hello from python');
  assert.equal(r.unicode.received, r.unicode.sent);
  assert.deepEqual(r.binary, { type: 'bytes', equal: true, length: 256 });
  assert.deepEqual(r.empty, [
    { type: 'text', length: 0, sha256: EMPTY_SHA },
    { type: 'binary', length: 0, sha256: EMPTY_SHA },
  ]);
  assert.ok(r.large_binary.sent.length > 1024 * 1024);
  assert.deepEqual(r.large_binary.received, r.large_binary.sent);
  assert.ok(r.large_text.sent.length > 1024 * 1024);
  assert.deepEqual(r.large_text.received, r.large_text.sent);
  assert.equal(r.fragmented_text, 'fragmented ✓');
  assert.deepEqual(r.fragmented_binary.received, r.fragmented_binary.sent);
  assert.equal(r.pong, true);
  assert.equal(r.close.code, 4001, 'server must echo the close code');
  const expectedBroadcast = ["'from-a'", "b'from-b'"];
  assert.deepEqual(r.broadcast, { a: expectedBroadcast, b: expectedBroadcast });
}

describe('python websockets ↔ ringside echo', () => {
  let python: string;
  let plain: EchoProcess;
  let deflate: EchoProcess;
  before(async () => {
    python = findPython();
    [plain, deflate] = await Promise.all([
      startEcho(),
      startEcho(['--deflate', '--deflate-threshold', '0']),
    ]);
  });
  after(async () => {
    await Promise.all([plain?.stop(), deflate?.stop()]);
  });

  it('plain server, client offers deflate: offer declined, full exchange works', async () => {
    const r = await runClient(python, plain.url, 'deflate');
    assert.deepEqual(r.extensions, []);
    assert.equal(r.response_extensions_header, null);
    assertExchange(r);
  });

  it('plain server, compression=None: full exchange works', async () => {
    const r = await runClient(python, plain.url, 'plain');
    assert.deepEqual(r.extensions, []);
    assertExchange(r);
  });

  it('--deflate server, client offers deflate: permessage-deflate negotiated, full exchange works', async () => {
    const r = await runClient(python, deflate.url, 'deflate');
    assert.deepEqual(r.extensions, ['permessage-deflate']);
    assert.match(String(r.response_extensions_header), /^permessage-deflate\b/);
    assertExchange(r);
  });

  it('--deflate server, compression=None: no extension, full exchange works', async () => {
    const r = await runClient(python, deflate.url, 'plain');
    assert.deepEqual(r.extensions, []);
    assert.equal(r.response_extensions_header, null);
    assertExchange(r);
  });
});
