// Socket.IO v5 framing against `ringside echo`'s reference contract, packet by packet,
// as the socket.io-protocol test suite checks a server: CONNECT (with and without an
// auth payload, custom and unknown namespaces), DISCONNECT, events, acknowledgements,
// binary attachments, malformed packets, and the connect timeout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEcho, type EchoProcess } from '../helpers/echo-process.js';
import { http, openPolling, RS, WsPeer } from './peers.js';

let echo: EchoProcess;
let wsUrl: string;

before(async () => {
  echo = await startEcho([
    '--socketio-ping-interval-ms',
    '300',
    '--socketio-ping-timeout-ms',
    '200',
    '--socketio-connect-timeout-ms',
    '500',
    '--socketio-max-payload',
    '2000',
  ]);
  wsUrl = `ws://127.0.0.1:${echo.port}/socket.io/?EIO=4&transport=websocket`;
});

after(async () => {
  assert.equal(await echo.stop(), 0);
});

async function openSocket(): Promise<WsPeer> {
  const peer = await WsPeer.open(wsUrl);
  assert.match((await peer.next()) as string, /^0\{/);
  return peer;
}

/** A socket connected to the main namespace, its "auth" event read. */
async function connected(): Promise<WsPeer> {
  const peer = await openSocket();
  peer.send('40');
  assert.match((await peer.nextNotPing()) as string, /^40\{"sid":/);
  assert.equal(await peer.nextNotPing(), '42["auth",{}]');
  return peer;
}

describe('connect', () => {
  it('connects to the main namespace and emits auth with {}', async () => {
    const peer = await openSocket();
    peer.send('40');
    const handshake = (await peer.nextNotPing()) as string;
    assert.ok(handshake.startsWith('40'));
    const body = JSON.parse(handshake.slice(2));
    assert.deepEqual(Object.keys(body), ['sid']);
    assert.equal(typeof body.sid, 'string');
    assert.equal(await peer.nextNotPing(), '42["auth",{}]');
    peer.close();
  });

  it('hands the CONNECT payload to the namespace as auth', async () => {
    const peer = await openSocket();
    peer.send('40{"token":"123"}');
    assert.match((await peer.nextNotPing()) as string, /^40\{"sid":/);
    assert.equal(await peer.nextNotPing(), '42["auth",{"token":"123"}]');
    peer.close();
  });

  it('connects to /custom, with and without a payload', async () => {
    const peer = await openSocket();
    peer.send('40/custom,');
    assert.match((await peer.nextNotPing()) as string, /^40\/custom,\{"sid":"[^"]+"\}$/);
    assert.equal(await peer.nextNotPing(), '42/custom,["auth",{}]');
    peer.close();
    const withAuth = await openSocket();
    withAuth.send('40/custom,{"token":"abc"}');
    assert.match((await withAuth.nextNotPing()) as string, /^40\/custom,\{"sid":/);
    assert.equal(await withAuth.nextNotPing(), '42/custom,["auth",{"token":"abc"}]');
    withAuth.close();
  });

  it('refuses an unknown namespace with "Invalid namespace"', async () => {
    const peer = await openSocket();
    peer.send('40/random');
    assert.equal(await peer.nextNotPing(), '44/random,{"message":"Invalid namespace"}');
    peer.close();
  });

  it('closes on an invalid handshake packet', async () => {
    const peer = await openSocket();
    peer.send('4abc');
    await peer.closedWithin(2000);
  });

  it('closes a session that joins no namespace within the connect timeout', async () => {
    const peer = await openSocket();
    const started = Date.now();
    // Pongs keep the Engine.IO session alive; only the connect timeout can end it.
    let open = true;
    void peer.closed.then(() => (open = false));
    void (async () => {
      for (let i = 0; i < 20 && open; i++)
        if ((await peer.next(1000).catch(() => null)) === '2') peer.send('3');
    })();
    await peer.closedWithin(3000);
    assert.ok(Date.now() - started >= 400, 'not before the timeout');
  });
});

describe('--socketio-max-payload', () => {
  it('is announced in the handshake and enforced on both transports', async () => {
    const base = `http://127.0.0.1:${echo.port}`;
    const { sid, open } = await openPolling(base);
    assert.equal(open.maxPayload, 2000);
    const url = `${base}/socket.io/?EIO=4&transport=polling&sid=${sid}`;
    const fits = await http(url, {
      method: 'POST',
      body: `40${RS}42["message","${'x'.repeat(1900)}"]`,
    });
    assert.equal(fits.status, 200);
    const tooLarge = await http(url, {
      method: 'POST',
      body: `42["message","${'x'.repeat(2000)}"]`,
    });
    assert.equal(tooLarge.status, 413);
    assert.equal((await http(url)).status, 400, 'the session is gone');

    const peer = await connected();
    peer.send(`42["message","${'y'.repeat(1900)}"]`);
    assert.match((await peer.nextNotPing()) as string, /^42\["message-back","y{1900}"\]$/);
    peer.send(`42["message","${'y'.repeat(2000)}"]`);
    assert.equal(await peer.closedWithin(2000), 1009);
  });
});

describe('disconnect', () => {
  it('leaving the only namespace closes the connection', async () => {
    const peer = await connected();
    peer.send('41');
    await peer.closedWithin(2000);
  });

  it('leaving /custom keeps the main namespace working', async () => {
    const peer = await connected();
    peer.send('40/custom,');
    assert.match((await peer.nextNotPing()) as string, /^40\/custom,/);
    assert.equal(await peer.nextNotPing(), '42/custom,["auth",{}]');
    peer.send('41/custom,');
    peer.send('42/custom,["message","to custom after leaving"]');
    peer.send('42["message","message to main namespace"]');
    assert.equal(await peer.nextNotPing(), '42["message-back","message to main namespace"]');
    peer.close();
  });
});

describe('message', () => {
  it('answers message with message-back and the same arguments', async () => {
    const peer = await connected();
    peer.send('42["message",1,"2",{"3":[true]}]');
    assert.equal(await peer.nextNotPing(), '42["message-back",1,"2",{"3":[true]}]');
    peer.close();
  });

  it('sends binary attachments back as binary frames', async () => {
    const peer = await connected();
    peer.send('452-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
    peer.send(Buffer.from([1, 2, 3]));
    peer.send(Buffer.from([4, 5, 6]));
    assert.equal(
      await peer.nextNotPing(),
      '452-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]',
    );
    assert.deepEqual(await peer.nextNotPing(), Buffer.from([1, 2, 3]));
    assert.deepEqual(await peer.nextNotPing(), Buffer.from([4, 5, 6]));
    peer.close();
  });

  it('acknowledges message-with-ack with the same arguments', async () => {
    const peer = await connected();
    peer.send('42456["message-with-ack",1,"2",{"3":[false]}]');
    assert.equal(await peer.nextNotPing(), '43456[1,"2",{"3":[false]}]');
    peer.close();
  });

  it('acknowledges with binary attachments', async () => {
    const peer = await connected();
    peer.send(
      '452-789["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]',
    );
    peer.send(Buffer.from([1, 2, 3]));
    peer.send(Buffer.from([4, 5, 6]));
    assert.equal(
      await peer.nextNotPing(),
      '462-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]',
    );
    assert.deepEqual(await peer.nextNotPing(), Buffer.from([1, 2, 3]));
    assert.deepEqual(await peer.nextNotPing(), Buffer.from([4, 5, 6]));
    peer.close();
  });

  for (const [name, packet] of [
    ['unknown packet type', '4abc'],
    ['payload that is not an array', '42{}'],
    ['invalid ack id', '42abc["message-with-ack",1,"2",{"3":[false]}]'],
    [
      'attachment count over the limit',
      `4511-["message"${',{"_placeholder":true,"num":0}'.repeat(11)}]`,
    ],
  ]) {
    it(`closes the connection on a malformed packet (${name})`, async () => {
      const peer = await connected();
      peer.send(packet!);
      await peer.closedWithin(2000);
    });
  }

  it('carries events and binary over polling (base64 "b" packets)', async () => {
    const base = `http://127.0.0.1:${echo.port}`;
    const { sid } = await openPolling(base);
    const url = `${base}/socket.io/?EIO=4&transport=polling&sid=${sid}`;
    const body = [
      '40{"token":"p"}',
      '451-["message","text",{"_placeholder":true,"num":0}]',
      'bAQID',
      '421["message-with-ack","polled"]',
    ].join(RS);
    assert.equal((await http(url, { method: 'POST', body })).body, 'ok');
    const received: string[] = [];
    for (let i = 0; i < 5 && received.length < 5; i++) {
      const poll = await http(url);
      assert.equal(poll.status, 200);
      for (const packet of poll.body.split(RS)) {
        if (packet === '2') await http(url, { method: 'POST', body: '3' });
        else received.push(packet);
      }
    }
    assert.match(received[0]!, /^40\{"sid":/);
    assert.deepEqual(received.slice(1), [
      '42["auth",{"token":"p"}]',
      '451-["message-back","text",{"_placeholder":true,"num":0}]',
      'bAQID',
      '431["polled"]',
    ]);
  });
});
