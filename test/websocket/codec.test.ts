// Unit properties of the codec pieces: masking, UTF-8 streaming, the receiver under
// arbitrary chunking, extension headers and deflate negotiation.
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { test } from 'node:test';
import fc from 'fast-check';
import { encodeFrame } from '../../src/websocket/frame-encoder.js';
import { parseExtensionHeader } from '../../src/websocket/extension-header.js';
import { applyMask } from '../../src/websocket/mask.js';
import {
  DEFAULT_DEFLATE_OPTIONS,
  negotiateDeflate,
} from '../../src/websocket/permessage-deflate.js';
import { Receiver } from '../../src/websocket/receiver.js';
import { Utf8StreamValidator } from '../../src/websocket/utf8.js';

test('applyMask equals the byte-by-byte definition at every alignment and offset', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 0, maxLength: 300 }),
      fc.uint8Array({ minLength: 4, maxLength: 4 }),
      fc.nat(7),
      fc.nat(3),
      (bytes, key, shift, offset) => {
        const backing = new Uint8Array(bytes.length + 8);
        backing.set(bytes, shift);
        const view = backing.subarray(shift, shift + bytes.length);
        applyMask(view, key, offset);
        const expected = bytes.map((b, i) => b ^ key[(offset + i) & 3]!);
        assert.deepEqual([...view], [...expected]);
        applyMask(view, key, offset);
        assert.deepEqual([...view], [...bytes]);
      },
    ),
    { numRuns: 300 },
  );
});

test('streaming UTF-8 validation agrees with the whole-buffer check under any split', () => {
  const bytes = fc.oneof(
    fc.string({ unit: 'binary' }).map((s) => Buffer.from(s, 'utf8')),
    fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
    fc.constantFrom(
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from([0xf4, 0x90, 0x80, 0x80]),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from([0xe0, 0x80, 0xaf]),
      Buffer.from([0xf0, 0x9f, 0x98, 0x80]),
      Buffer.from([0xce, 0xba, 0xe1, 0xbd, 0xb9]),
    ),
  );
  fc.assert(
    fc.property(
      fc.array(bytes, { maxLength: 4 }),
      fc.array(fc.nat(50), { maxLength: 6 }),
      (parts, cuts) => {
        const whole = Buffer.concat(parts);
        const validator = new Utf8StreamValidator();
        let ok = true;
        let at = 0;
        for (const cut of [
          ...cuts.map((c) => c % (whole.length + 1)).sort((a, b) => a - b),
          whole.length,
        ]) {
          if (cut < at) continue;
          ok = validator.write(whole.subarray(at, cut)) && ok;
          at = cut;
        }
        assert.equal(ok && validator.isComplete(), isUtf8(whole));
      },
    ),
    { numRuns: 500 },
  );
});

test('the streaming validator rejects an invalid sequence at its first bad byte', () => {
  const validator = new Utf8StreamValidator();
  assert.equal(validator.write(Buffer.from('κόσμε', 'utf8')), true);
  assert.equal(validator.write(Buffer.from([0xed])), true); // could still be valid
  assert.equal(validator.write(Buffer.from([0xa0])), false); // a surrogate: never valid
});

interface Event {
  kind: string;
  data?: Buffer;
  code?: number | undefined;
  binary?: boolean;
}

function collect(maxMessageBytes = 1 << 20, maxFragments = 100) {
  const events: Event[] = [];
  const receiver = new Receiver({ maxMessageBytes, maxFragments }, null, true, {
    onMessage: (data, binary) => events.push({ kind: 'message', data: Buffer.from(data), binary }),
    onPing: (data) => events.push({ kind: 'ping', data: Buffer.from(data) }),
    onPong: (data) => events.push({ kind: 'pong', data: Buffer.from(data) }),
    onClose: (code) => events.push({ kind: 'close', code }),
    onProtocolError: (code) => events.push({ kind: 'error', code }),
  });
  return { events, receiver };
}

test('the receiver yields the same messages whatever the TCP chunking', () => {
  const message = fc.record({
    binary: fc.boolean(),
    text: fc.string({ unit: 'grapheme', maxLength: 300 }),
    pieces: fc.integer({ min: 1, max: 4 }),
  });
  fc.assert(
    fc.property(
      fc.array(message, { minLength: 1, maxLength: 5 }),
      fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 20 }),
      (messages, chunkSizes) => {
        const frames: Buffer[] = [];
        for (const m of messages) {
          const payload = Buffer.from(m.text, 'utf8');
          const step = Math.ceil(payload.length / m.pieces) || 1;
          let first = true;
          for (let at = 0; at < payload.length || first; at += step) {
            const piece = payload.subarray(at, at + step);
            const last = at + step >= payload.length;
            frames.push(
              encodeFrame(first ? (m.binary ? 2 : 1) : 0, piece, { fin: last, mask: true }),
            );
            // A ping between fragments must not disturb the message.
            if (!last) frames.push(encodeFrame(9, Buffer.from('p'), { mask: true }));
            first = false;
          }
        }
        const stream = Buffer.concat(frames);
        const { events, receiver } = collect();
        let at = 0;
        for (let i = 0; at < stream.length; i++) {
          const size = chunkSizes[i % chunkSizes.length]!;
          // Copy: the receiver unmasks in place, as it may with socket buffers it owns.
          receiver.push(Buffer.from(stream.subarray(at, at + size)));
          at += size;
        }
        const got = events.filter((e) => e.kind === 'message');
        assert.equal(events.filter((e) => e.kind === 'error').length, 0);
        assert.deepEqual(
          got.map((e) => [e.binary, e.data!.toString('utf8')]),
          messages.map((m) => [m.binary, m.text]),
        );
      },
    ),
    { numRuns: 200 },
  );
});

test('a frame announcing more than maxMessageBytes fails with 1009 before its payload', () => {
  const { events, receiver } = collect(1000);
  const header = encodeFrame(2, Buffer.alloc(2000), { mask: true }).subarray(0, 8); // header + mask only
  receiver.push(Buffer.from(header));
  assert.deepEqual(events, [{ kind: 'error', code: 1009 }]);
});

test('more fragments than maxFragments fail with 1009', () => {
  const { events, receiver } = collect(1 << 20, 3);
  for (let i = 0; i < 4; i++)
    receiver.push(encodeFrame(i === 0 ? 1 : 0, Buffer.from('a'), { fin: false, mask: true }));
  assert.deepEqual(events, [{ kind: 'error', code: 1009 }]);
});

test('a 64-bit length with the top bit set is a protocol error', () => {
  const { events, receiver } = collect();
  receiver.push(Buffer.from([0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1]));
  assert.deepEqual(events, [{ kind: 'error', code: 1002 }]);
});

test('extension headers: lists, parameters, quoted values and syntax errors', () => {
  assert.deepEqual(
    parseExtensionHeader(
      'permessage-deflate; client_max_window_bits, permessage-deflate; server_max_window_bits="10"',
    ),
    [
      { name: 'permessage-deflate', params: [['client_max_window_bits', true]] },
      { name: 'permessage-deflate', params: [['server_max_window_bits', '10']] },
    ],
  );
  assert.throws(() => parseExtensionHeader('permessage-deflate; ="x"'), SyntaxError);
  assert.throws(() => parseExtensionHeader('permessage-deflate; a="unterminated'), SyntaxError);
});

test('deflate negotiation answers each kind of offer per RFC 7692', () => {
  const answer = (header: string) =>
    negotiateDeflate(parseExtensionHeader(header), DEFAULT_DEFLATE_OPTIONS)?.response ?? null;
  assert.equal(answer('permessage-deflate'), 'permessage-deflate');
  assert.equal(
    answer('permessage-deflate; server_no_context_takeover'),
    'permessage-deflate; server_no_context_takeover',
  );
  assert.equal(
    answer('permessage-deflate; client_no_context_takeover'),
    'permessage-deflate; client_no_context_takeover',
  );
  assert.equal(
    answer('permessage-deflate; server_max_window_bits=10'),
    'permessage-deflate; server_max_window_bits=10',
  );
  assert.equal(answer('permessage-deflate; client_max_window_bits'), 'permessage-deflate');
  assert.equal(
    answer('permessage-deflate; client_max_window_bits=9'),
    'permessage-deflate; client_max_window_bits=9',
  );
  assert.equal(answer('permessage-deflate; server_max_window_bits=8'), null);
  assert.equal(
    answer('permessage-deflate; server_max_window_bits=8, permessage-deflate'),
    'permessage-deflate',
  );
  assert.equal(answer('permessage-deflate; server_max_window_bits=16'), null);
  assert.equal(answer('permessage-deflate; foo'), null);
  assert.equal(
    answer('permessage-deflate; server_no_context_takeover; server_no_context_takeover'),
    null,
  );
  assert.equal(answer('x-webkit-deflate-frame'), null);
});
