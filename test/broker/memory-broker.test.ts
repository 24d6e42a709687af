// The memory broker on a real engine, with the `ws` package as the clients: rooms with
// sender exclusion, sending to every connection of a user, one frame for many users,
// presence that follows connections as they close, and modules kept apart.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import { MemoryBroker, type Broker } from '../../src/broker/index.js';
import { WebSocketServer } from '../../src/websocket/index.js';

const servers: WebSocketServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close(200)));
});

interface Setup {
  url: string;
  server: WebSocketServer;
  chat: Broker;
  arena: Broker;
}

/**
 * /chat/:user/:room and /arena/:user/:room: each connection is identified as :user and
 * joins :room in its module's broker before the 101. A message "say:TEXT" publishes
 * TEXT to the sender's room, everyone but the sender.
 */
async function start(): Promise<Setup> {
  const server = new WebSocketServer({ heartbeatIntervalMs: 0 });
  const node = new MemoryBroker(server.rooms);
  const brokers = { chat: node.forModule('chat'), arena: node.forModule('arena') };
  for (const [name, broker] of Object.entries(brokers)) {
    server.route(`/${name}/:user/:room`, {
      onConnect(connection, request) {
        broker.identify(connection, request.params.user!);
        broker.join(connection, request.params.room!);
      },
      onMessage(connection, data) {
        const text = data.toString();
        if (text.startsWith('say:'))
          broker.publish(connection.request.params.room!, text.slice(4), { except: connection });
      },
    });
  }
  const { port } = await server.listen(0, '127.0.0.1');
  servers.push(server);
  return { url: `ws://127.0.0.1:${port}`, server, ...brokers };
}

async function open(url: string): Promise<WebSocket & { inbox: string[] }> {
  const ws = new WebSocket(url) as WebSocket & { inbox: string[] };
  ws.inbox = [];
  ws.on('message', (data) => ws.inbox.push(data.toString()));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function closed(ws: WebSocket): Promise<void> {
  ws.close();
  await new Promise((resolve) => ws.once('close', resolve));
}

test('a room publish reaches every member but the sender, in order', async () => {
  const { url } = await start();
  const a = await open(`${url}/chat/ann/r1`);
  const b = await open(`${url}/chat/bob/r1`);
  const c = await open(`${url}/chat/cat/r2`);
  for (let i = 0; i < 20; i++) a.send(`say:${i}`);
  await until(() => b.inbox.length === 20, 'b to get 20');
  assert.deepEqual(
    b.inbox,
    Array.from({ length: 20 }, (_, i) => String(i)),
  );
  assert.deepEqual(a.inbox, [], 'the sender is excluded');
  assert.deepEqual(c.inbox, [], 'another room hears nothing');
  await Promise.all([a, b, c].map(closed));
});

test('sending to a user reaches each of its connections once, in this module only', async () => {
  const { url, chat, arena } = await start();
  const tab1 = await open(`${url}/arena/ann/x`);
  const tab2 = await open(`${url}/arena/ann/y`);
  const other = await open(`${url}/arena/bob/x`);
  const annInChat = await open(`${url}/chat/ann/x`);

  assert.equal(arena.publishToUser('ann', 'hello ann'), 2);
  // Listed twice, and two users: one frame each, each connection once.
  assert.equal(arena.publishToUsers(['ann', 'bob', 'ann', 'nobody'], 'to both'), 3);
  await until(() => tab2.inbox.length === 2 && other.inbox.length === 1, 'user messages');
  assert.deepEqual(tab1.inbox, ['hello ann', 'to both']);
  assert.deepEqual(tab2.inbox, ['hello ann', 'to both']);
  assert.deepEqual(other.inbox, ['to both']);
  assert.deepEqual(annInChat.inbox, [], "the arena's user addressing does not reach chat");

  // The same room name in two modules is two rooms.
  assert.equal(chat.publish('x', 'chat x'), 1);
  await until(() => annInChat.inbox.length === 1, 'the chat room message');
  assert.deepEqual(tab1.inbox, ['hello ann', 'to both']);
  assert.equal(chat.publishToUser('bob', 'nobody here'), 0);
  await Promise.all([tab1, tab2, other, annInChat].map(closed));
});

test('presence follows connections as they open and close', async () => {
  const { url, arena, chat } = await start();
  assert.equal(await arena.isOnline('ann'), false);
  const tab1 = await open(`${url}/arena/ann/lobby`);
  const tab2 = await open(`${url}/arena/ann/lobby`);
  const bob = await open(`${url}/arena/bob/lobby`);
  assert.equal(await arena.isOnline('ann'), true);
  assert.equal(await chat.isOnline('ann'), false, 'online in arena is not online in chat');
  const presence = await arena.presence('lobby');
  assert.equal(presence.connections, 3);
  assert.deepEqual(presence.users.sort(), ['ann', 'bob']);
  assert.equal(arena.hasLocalMembers('lobby'), true);
  assert.equal(chat.hasLocalMembers('lobby'), false);

  await closed(tab1);
  await until(async () => (await arena.presence('lobby')).connections === 2, 'one close');
  assert.equal(await arena.isOnline('ann'), true, 'still one tab open');
  await closed(tab2);
  await until(async () => !(await arena.isOnline('ann')), 'ann offline');
  assert.deepEqual((await arena.presence('lobby')).users, ['bob']);
  await closed(bob);
  await until(() => !arena.hasLocalMembers('lobby'), 'the room to empty');
  assert.deepEqual(await arena.presence('lobby'), { connections: 0, users: [] });
});

test('leave takes a connection out of a room; identify again moves it to another user', async () => {
  const { url, server, arena } = await start();
  const ws = await open(`${url}/arena/ann/r`);
  const connection = [...server.connections][0]!;
  arena.leave(connection, 'r');
  assert.equal(arena.publish('r', 'gone'), 0);
  arena.identify(connection, 'bob');
  assert.equal(await arena.isOnline('ann'), false);
  assert.equal(await arena.isOnline('bob'), true);
  assert.equal(arena.publishToUser('bob', 'now bob'), 1);
  await until(() => ws.inbox.length === 1, 'the message to bob');
  assert.deepEqual(ws.inbox, ['now bob']);
  await closed(ws);
});

test('module names are checked', () => {
  const node = new MemoryBroker(new WebSocketServer({ heartbeatIntervalMs: 0 }).rooms);
  assert.throws(() => node.forModule('Bad#Name'), /bad module name/);
});
