// The memory broker's sinks (members the engine does not hold, as Socket.IO sockets
// are): rooms and users deliver to sinks next to WebSocket connections, one delivery
// per sink for several users, sender exclusion, presence, the per-member room limit,
// modules kept apart, and `release` taking a sink out of everything.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import {
  MemoryBroker,
  RoomLimitError,
  type Message,
  type MessageSink,
} from '../../src/broker/index.js';
import { WebSocketServer } from '../../src/websocket/index.js';

class RecordingSink implements MessageSink {
  readonly inbox: Message[] = [];
  deliver(message: Message): void {
    this.inbox.push(message);
  }
}

const server = new WebSocketServer({ heartbeatIntervalMs: 0 });
const node = new MemoryBroker(server.rooms, { maxRoomsPerSink: 3 });
const arena = node.forModule('arena');
const chat = node.forModule('chat');
server.route('/arena/:user', {
  onConnect(connection, request) {
    arena.identify(connection, request.params.user!);
    arena.join(connection, 'lobby');
  },
});

after(async () => {
  await server.close(200);
});

test('sinks and connections share rooms, users and presence', async () => {
  const { port } = await server.listen(0, '127.0.0.1');
  const ws = new WebSocket(`ws://127.0.0.1:${port}/arena/alice`);
  const wsInbox: string[] = [];
  ws.on('message', (data) => wsInbox.push(data.toString()));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));

  const alice = new RecordingSink();
  const bob = new RecordingSink();
  arena.identify(alice, 'alice');
  arena.identify(bob, 'bob');
  arena.join(alice, 'lobby');
  arena.join(bob, 'lobby');

  assert.equal(arena.publish('lobby', 'to the lobby', { except: bob }), 2);
  assert.deepEqual(alice.inbox, ['to the lobby']);
  assert.deepEqual(bob.inbox, []);

  assert.equal(arena.publishToUser('alice', 'to alice'), 2, 'her socket and her sink');
  assert.equal(arena.publishToUsers(['alice', 'bob', 'alice'], 'to both'), 3, 'each member once');
  assert.deepEqual(alice.inbox, ['to the lobby', 'to alice', 'to both']);
  assert.deepEqual(bob.inbox, ['to both']);

  const presence = await arena.presence('lobby');
  assert.equal(presence.connections, 3);
  assert.deepEqual(presence.users.sort(), ['alice', 'bob']);
  assert.equal(await arena.isOnline('bob'), true);
  assert.equal(await chat.isOnline('bob'), false, 'modules are kept apart');
  assert.equal(chat.publishToUser('bob', 'wrong module'), 0);

  arena.release(bob);
  assert.equal(await arena.isOnline('bob'), false);
  assert.equal(arena.publishToUsers(['bob'], 'after release'), 0);
  assert.equal((await arena.presence('lobby')).connections, 2);
  assert.deepEqual(bob.inbox, ['to both']);

  const deadline = Date.now() + 3000;
  while (wsInbox.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(wsInbox, ['to the lobby', 'to alice', 'to both']);
  ws.terminate();
});

test('a sink is held to the per-member room limit', () => {
  const sink = new RecordingSink();
  arena.join(sink, 'a');
  arena.join(sink, 'b');
  arena.join(sink, 'c');
  assert.throws(() => arena.join(sink, 'd'), RoomLimitError);
  arena.leave(sink, 'a');
  arena.join(sink, 'd');
  assert.equal(arena.hasLocalMembers('a'), false);
  assert.equal(arena.hasLocalMembers('d'), true);
  arena.release(sink);
  assert.equal(arena.hasLocalMembers('d'), false);
});
