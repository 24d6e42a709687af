// Engine.IO v4 against `ringside echo --socketio-ping-interval-ms 300
// --socketio-ping-timeout-ms 200`, the way the socket.io-protocol test suite drives a
// server under test: raw HTTP requests for polling, a plain `ws` socket for WebSocket.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEcho, type EchoProcess } from '../helpers/echo-process.js';
import { http, openPolling, RS, sleep, WsPeer } from './peers.js';

const PING_INTERVAL = 300;
const PING_TIMEOUT = 200;

let echo: EchoProcess;
let base: string;
let wsBase: string;

before(async () => {
  echo = await startEcho([
    '--socketio-ping-interval-ms',
    String(PING_INTERVAL),
    '--socketio-ping-timeout-ms',
    String(PING_TIMEOUT),
  ]);
  base = `http://127.0.0.1:${echo.port}`;
  wsBase = `ws://127.0.0.1:${echo.port}`;
});

after(async () => {
  assert.equal(await echo.stop(), 0);
});

describe('handshake over HTTP long-polling', () => {
  it('opens a session with sid, upgrades, pingInterval, pingTimeout and maxPayload', async () => {
    const answer = await http(`${base}/socket.io/?EIO=4&transport=polling`);
    assert.equal(answer.status, 200);
    assert.match(answer.contentType ?? '', /^text\/plain/);
    assert.ok(answer.body.startsWith('0'), answer.body);
    const open = JSON.parse(answer.body.slice(1));
    assert.deepEqual(Object.keys(open).sort(), [
      'maxPayload',
      'pingInterval',
      'pingTimeout',
      'sid',
      'upgrades',
    ]);
    assert.equal(typeof open.sid, 'string');
    assert.deepEqual(open.upgrades, ['websocket']);
    assert.equal(open.pingInterval, PING_INTERVAL);
    assert.equal(open.pingTimeout, PING_TIMEOUT);
    assert.equal(open.maxPayload, 1_000_000);
  });

  it('refuses a missing or unsupported EIO version with 400 and code 5', async () => {
    for (const query of [
      'transport=polling',
      'EIO=abc&transport=polling',
      'EIO=3&transport=polling',
    ]) {
      const answer = await http(`${base}/socket.io/?${query}`);
      assert.equal(answer.status, 400, query);
      assert.deepEqual(JSON.parse(answer.body), {
        code: 5,
        message: 'Unsupported protocol version',
      });
    }
  });

  it('refuses a missing or unknown transport with 400 and code 0', async () => {
    for (const query of ['EIO=4', 'EIO=4&transport=abc']) {
      const answer = await http(`${base}/socket.io/?${query}`);
      assert.equal(answer.status, 400, query);
      assert.deepEqual(JSON.parse(answer.body), { code: 0, message: 'Transport unknown' });
    }
  });

  it('refuses a handshake that is not a GET with 400 and code 2', async () => {
    for (const method of ['POST', 'PUT']) {
      const answer = await http(`${base}/socket.io/?EIO=4&transport=polling`, { method });
      assert.equal(answer.status, 400, method);
      assert.equal(JSON.parse(answer.body).code, 2);
    }
  });

  it('refuses an unknown sid with 400 and code 1', async () => {
    const answer = await http(`${base}/socket.io/?EIO=4&transport=polling&sid=nope`);
    assert.equal(answer.status, 400);
    assert.deepEqual(JSON.parse(answer.body), { code: 1, message: 'Session ID unknown' });
  });

  it('leaves every other path to the http.Server', async () => {
    const answer = await http(`${base}/socket.io/other`);
    assert.equal(answer.status, 426);
  });
});

describe('handshake over WebSocket', () => {
  it('opens a session with no upgrades', async () => {
    const peer = await WsPeer.open(`${wsBase}/socket.io/?EIO=4&transport=websocket`);
    const message = (await peer.next()) as string;
    assert.ok(message.startsWith('0'), message);
    const open = JSON.parse(message.slice(1));
    assert.deepEqual(open.upgrades, []);
    assert.equal(open.pingInterval, PING_INTERVAL);
    assert.equal(open.pingTimeout, PING_TIMEOUT);
    assert.equal(open.maxPayload, 1_000_000);
    peer.close();
  });

  it('refuses a bad EIO version or transport before the upgrade', async () => {
    for (const query of [
      'transport=websocket',
      'EIO=abc&transport=websocket',
      'EIO=4',
      'EIO=4&transport=abc',
      'EIO=4&transport=polling',
    ]) {
      await assert.rejects(WsPeer.open(`${wsBase}/socket.io/?${query}`), /status 400/, query);
    }
  });

  it('refuses an unknown sid', async () => {
    await assert.rejects(
      WsPeer.open(`${wsBase}/socket.io/?EIO=4&transport=websocket&sid=nope`),
      /status 400/,
    );
  });
});

describe('heartbeat', () => {
  it('polling: the server pings, the client pongs, the session stays', async () => {
    const { sid } = await openPolling(base);
    const url = `${base}/socket.io/?EIO=4&transport=polling&sid=${sid}`;
    for (let i = 0; i < 3; i++) {
      const poll = await http(url);
      assert.equal(poll.status, 200);
      assert.equal(poll.body, '2');
      const push = await http(url, { method: 'POST', body: '3' });
      assert.equal(push.status, 200);
      assert.equal(push.body, 'ok');
    }
  });

  it('polling: a session without a pong is closed after pingInterval + pingTimeout', async () => {
    const { sid } = await openPolling(base);
    await sleep(PING_INTERVAL + PING_TIMEOUT + 300);
    const poll = await http(`${base}/socket.io/?EIO=4&transport=polling&sid=${sid}`);
    assert.equal(poll.status, 400);
    assert.equal(JSON.parse(poll.body).code, 1);
  });

  it('WebSocket: pings answered by pongs keep the session', async () => {
    const peer = await WsPeer.open(`${wsBase}/socket.io/?EIO=4&transport=websocket`);
    await peer.next(); // open
    for (let i = 0; i < 3; i++) {
      assert.equal(await peer.next(2000), '2');
      peer.send('3');
    }
    peer.close();
  });

  it('WebSocket: a client that never pongs is dropped', async () => {
    const peer = await WsPeer.open(`${wsBase}/socket.io/?EIO=4&transport=websocket`);
    await peer.closedWithin(3000);
  });

  it('a ping from the client is the wrong direction in v4 and ends the session', async () => {
    const peer = await WsPeer.open(`${wsBase}/socket.io/?EIO=4&transport=websocket`);
    await peer.next();
    peer.send('2');
    await peer.closedWithin(2000);
  });
});

describe('close', () => {
  it('polling: a close packet ends the pending GET with a noop and the session', async () => {
    const { sid } = await openPolling(base);
    const url = `${base}/socket.io/?EIO=4&transport=polling&sid=${sid}`;
    const pending = http(url);
    await sleep(50);
    const push = await http(url, { method: 'POST', body: '1' });
    assert.equal(push.status, 200);
    const poll = await pending;
    assert.equal(poll.status, 200);
    assert.equal(poll.body, '6');
    assert.equal((await http(url)).status, 400);
  });

  it('polling: two GETs at once end the session (the first gets the close packet)', async () => {
    const { sid } = await openPolling(base);
    const url = `${base}/socket.io/?EIO=4&transport=polling&sid=${sid}`;
    const first = http(url);
    await sleep(50);
    const second = await http(`${url}&t=burst`);
    assert.equal(second.status, 400);
    assert.equal((await first).body, '1');
    assert.equal((await http(url)).status, 400);
  });

  it('polling: a body that is not a payload gets 400 and ends the session', async () => {
    const { sid } = await openPolling(base);
    const url = `${base}/socket.io/?EIO=4&transport=polling&sid=${sid}`;
    const push = await http(url, { method: 'POST', body: 'abc' });
    assert.equal(push.status, 400);
    assert.equal((await http(url)).status, 400);
  });

  it('polling: a body over maxPayload gets 413 and ends the session', async () => {
    const { sid } = await openPolling(base);
    const url = `${base}/socket.io/?EIO=4&transport=polling&sid=${sid}`;
    const push = await http(url, { method: 'POST', body: `4${'x'.repeat(1_000_001)}` });
    assert.equal(push.status, 413);
    assert.equal((await http(url)).status, 400);
  });

  it('WebSocket: a close packet closes the socket', async () => {
    const peer = await WsPeer.open(`${wsBase}/socket.io/?EIO=4&transport=websocket`);
    await peer.next();
    peer.send('1');
    await peer.closedWithin(2000);
  });

  it('WebSocket: a message over maxPayload closes the socket with 1009', async () => {
    const peer = await WsPeer.open(`${wsBase}/socket.io/?EIO=4&transport=websocket`);
    await peer.next();
    peer.send(`4${'x'.repeat(1_000_001)}`);
    assert.equal(await peer.closedWithin(3000), 1009);
  });
});

describe('upgrade from polling to WebSocket', () => {
  it('probes, ends the pending GET with a noop, then carries the session on the socket', async () => {
    const { sid } = await openPolling(base);
    const url = `${base}/socket.io/?EIO=4&transport=polling&sid=${sid}`;
    const peer = await WsPeer.open(`${wsBase}/socket.io/?EIO=4&transport=websocket&sid=${sid}`);
    const pending = http(url);
    await sleep(30);
    peer.send('2probe');
    assert.equal(await peer.next(), '3probe');
    assert.equal((await pending).body, '6');
    peer.send('5');
    // The session (not a new one) answers on the socket now.
    peer.send('40');
    const connected = (await peer.nextNotPing()) as string;
    assert.match(connected, /^40\{"sid":"[^"]+"\}$/);
    assert.equal(await peer.nextNotPing(), '42["auth",{}]');
    // Polling requests for the sid are refused from now on, and a second socket too.
    assert.equal((await http(url)).status, 400);
    await assert.rejects(
      WsPeer.open(`${wsBase}/socket.io/?EIO=4&transport=websocket&sid=${sid}`),
      /status 400/,
    );
    // The heartbeat goes on over the socket.
    assert.equal(await peer.next(2000), '2');
    peer.send('3');
    peer.close();
  });

  it('a socket that drops before the upgrade packet leaves the session on polling', async () => {
    const { sid } = await openPolling(base);
    const url = `${base}/socket.io/?EIO=4&transport=polling&sid=${sid}`;
    const peer = await WsPeer.open(`${wsBase}/socket.io/?EIO=4&transport=websocket&sid=${sid}`);
    peer.send('2probe');
    assert.equal(await peer.next(), '3probe');
    peer.close();
    await sleep(50);
    const push = await http(url, { method: 'POST', body: `40${RS}42["message","still polling"]` });
    assert.equal(push.status, 200);
    const received: string[] = [];
    for (let i = 0; i < 5 && received.length < 3; i++) {
      const poll = await http(url);
      assert.equal(poll.status, 200);
      for (const packet of poll.body.split(RS)) {
        if (packet === '2') await http(url, { method: 'POST', body: '3' });
        else received.push(packet);
      }
    }
    assert.match(received[0]!, /^40\{"sid"/);
    assert.deepEqual(received.slice(1), ['42["auth",{}]', '42["message-back","still polling"]']);
  });
});
