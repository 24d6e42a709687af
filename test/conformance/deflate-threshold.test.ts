// --deflate-threshold: with permessage-deflate negotiated, messages below the threshold go
// out uncompressed (RSV1 clear) and messages at or above it compressed, whatever the client
// sent; without an offer nothing is ever compressed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Op } from '../helpers/raw-ws.js';
import { assertStillServing, jsonText, open, serverForThisFile } from './support.js';

const THRESHOLD = 100;
const server = serverForThisFile([
  '--close-timeout-ms',
  '1500',
  '--deflate',
  '--deflate-threshold',
  String(THRESHOLD),
]);

const deflated = () => open(server, { extensions: 'permessage-deflate' });

async function echoCompressed(
  size: number,
  opts: { compress?: boolean; fragments?: number; opcode?: number } = {},
): Promise<boolean> {
  const ws = await deflated();
  const data = jsonText(size, size);
  const opcode = opts.opcode ?? Op.TEXT;
  ws.sendMessage(opcode, data, {
    compress: opts.compress ?? true,
    ...(opts.fragments ? { fragments: opts.fragments } : {}),
  });
  const m = await ws.expectMessage(opcode, data);
  await ws.closeNormally();
  return m.compressed;
}

test(`12.10.1 text of ${THRESHOLD - 1} bytes (below the threshold) -> echoed with RSV1 clear`, async () => {
  assert.equal(await echoCompressed(THRESHOLD - 1), false);
});
test(`12.10.2 text of ${THRESHOLD} bytes (at the threshold) -> echoed compressed`, async () => {
  assert.equal(await echoCompressed(THRESHOLD), true);
});
test('12.10.3 binary of 5000 bytes -> echoed compressed', async () => {
  assert.equal(await echoCompressed(5000, { opcode: Op.BINARY }), true);
});
test(`12.10.4 text of ${THRESHOLD - 1} bytes sent uncompressed -> echoed uncompressed`, async () => {
  assert.equal(await echoCompressed(THRESHOLD - 1, { compress: false }), false);
});
test('12.10.5 text of 5000 bytes sent uncompressed -> echoed compressed', async () => {
  assert.equal(await echoCompressed(5000, { compress: false }), true);
});
test(`12.10.6 fragmented message of ${THRESHOLD + 50} bytes (3 uncompressed fragments) -> echoed compressed`, async () => {
  assert.equal(await echoCompressed(THRESHOLD + 50, { compress: false, fragments: 3 }), true);
});
test('12.10.7 empty message -> echoed uncompressed', async () => {
  assert.equal(await echoCompressed(0, { compress: false }), false);
});

test('12.10.8 no offer -> no extension in the 101 and 5000-byte messages come back uncompressed', async () => {
  const ws = await open(server);
  assert.equal(ws.negotiatedExtensions, undefined);
  const data = jsonText(5000, 1);
  ws.sendMessage(Op.TEXT, data);
  assert.equal((await ws.expectMessage(Op.TEXT, data)).compressed, false);
  await ws.closeNormally();
});

test('12.10.99 server still accepts and echoes after the threshold group', () =>
  assertStillServing(server));
