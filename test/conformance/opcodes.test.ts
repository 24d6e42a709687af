// Autobahn group 4 (opcodes): reserved non-control opcodes 3-7 and control opcodes 11-15
// fail the connection with 1002; a message echoed before the bad frame still arrives.
import { test } from 'node:test';
import { encodeFrame, Op } from '../helpers/raw-ws.js';
import { assertStillServing, open, serverForThisFile } from './support.js';

const server = serverForThisFile(['--close-timeout-ms', '1500']);

// Autobahn's pattern per opcode: 1 = bare frame, 2 = frame with payload, 3 = text, bad frame,
// ping, 4 = the same with a payload, 5 = the same sent one byte at a time.
async function reservedOpcodeCase(opcode: number, pattern: number): Promise<void> {
  const ws = await open(server);
  const bad = encodeFrame({
    opcode,
    payload: pattern === 1 || pattern === 3 ? '' : 'reserved opcode payload',
  });
  if (pattern <= 2) {
    ws.sendRaw(bad);
    await ws.expectClose(1002);
    return;
  }
  const bytes = Buffer.concat([
    encodeFrame({ opcode: Op.TEXT, payload: 'Hello, world!' }),
    bad,
    encodeFrame({ opcode: Op.PING, payload: 'ping' }),
  ]);
  if (pattern === 5) await ws.sendChunked(bytes, 1, 1);
  else ws.sendRaw(bytes);
  await ws.expectMessage(Op.TEXT, 'Hello, world!');
  await ws.expectClose(1002);
}

[3, 4, 5, 6, 7].forEach((opcode, i) => {
  test(`4.1.${i + 1} reserved non-control opcode ${opcode} -> 1002`, () =>
    reservedOpcodeCase(opcode, i + 1));
});
[11, 12, 13, 14, 15].forEach((opcode, i) => {
  test(`4.2.${i + 1} reserved control opcode ${opcode} -> 1002`, () =>
    reservedOpcodeCase(opcode, i + 1));
});

test('4.99 server still accepts and echoes after the opcode group', () =>
  assertStillServing(server));
