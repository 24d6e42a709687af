// Concurrent editing never loses an edit: editors built on @codemirror/collab type at
// once, each change made against whatever version its editor had, and the server
// rebases late ones. First the authority alone under many generated interleavings
// (every delivery order TCP allows), then real clients over real sockets.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { createCollabModule } from '../../src/apps/collab/index.js';
import { LiveSession } from '../../src/apps/collab/live-session.js';
import { CollabEditor } from './collab-editor.js';
import { startTestApp, type TestApp } from './context.js';
import { TestClient } from './ws-client.js';

/** A character no one else types: the n-th edit of the whole run. */
function mark(n: number): string {
  return String.fromCodePoint(0x4e00 + n);
}

type Step =
  | { kind: 'edit'; client: number; at: number; remove: number }
  | { kind: 'deliver'; client: number };

const stepArb = (clients: number, withDeletes: boolean): fc.Arbitrary<Step> =>
  fc.oneof(
    fc.record({
      kind: fc.constant('edit' as const),
      client: fc.integer({ min: 0, max: clients - 1 }),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      remove: withDeletes ? fc.integer({ min: 0, max: 3 }) : fc.constant(0),
    }),
    fc.record({
      kind: fc.constant('deliver' as const),
      client: fc.integer({ min: 0, max: clients - 1 }),
    }),
  );

interface Inbound {
  type: 'code-update' | 'code-ack';
  payload: { changes: unknown; clientID: string };
}

/**
 * Runs the steps against one LiveSession: each editor has its own FIFO inbox (what
 * TCP would deliver, in order), and the steps decide when each one reads it.
 */
function simulate(initial: string, clients: number, steps: Step[]) {
  const session = new LiveSession({ id: 's', code: initial, language: 'text', version: 0 });
  const inboxes: Inbound[][] = Array.from({ length: clients }, () => []);
  const editors: CollabEditor[] = [];
  for (let i = 0; i < clients; i++) {
    editors.push(
      new CollabEditor(`client-${i}`, initial, 0, (change) => {
        const accepted = session.applyChangesJson(
          `user-${i}`,
          change.clientID,
          change.version,
          change.changes as never,
        );
        const changes = accepted.changes.toJSON();
        for (let j = 0; j < clients; j++) {
          inboxes[j]!.push({
            type: j === i ? 'code-ack' : 'code-update',
            payload: { changes, clientID: accepted.clientID },
          });
        }
      }),
    );
  }
  let typed = 0;
  const inserted: string[] = [];
  for (const step of steps) {
    if (step.kind === 'edit') {
      const text = mark(typed++);
      inserted.push(text);
      editors[step.client]!.edit(step.at, text, step.remove);
    } else {
      const message = inboxes[step.client]!.shift();
      if (message) editors[step.client]!.receive(message.type, message.payload);
    }
  }
  // Everyone reads everything, until nothing is in flight.
  for (let rounds = 0; inboxes.some((box) => box.length > 0); rounds++) {
    assert.ok(rounds < 10_000, 'the exchange settles');
    for (let i = 0; i < clients; i++) {
      const message = inboxes[i]!.shift();
      if (message) editors[i]!.receive(message.type, message.payload);
    }
  }
  return { session, editors, inserted };
}

describe('the authority under generated interleavings', () => {
  test('insertions only: every editor ends with the server text and every typed character is there once', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 12 }),
        fc
          .integer({ min: 2, max: 4 })
          .chain((n) => fc.tuple(fc.constant(n), fc.array(stepArb(n, false), { maxLength: 80 }))),
        (initial, [clients, steps]) => {
          const { session, editors, inserted } = simulate(initial, clients, steps);
          for (const editor of editors) {
            assert.ok(editor.synced);
            assert.equal(editor.doc, session.code);
            assert.equal(editor.version, session.version);
          }
          for (const ch of inserted)
            assert.equal(session.code.split(ch).length - 1, 1, `typed ${ch} once`);
          assert.equal(
            session.code.length,
            initial.replace(/\r\n?/g, '\n').length + inserted.length,
          );
        },
      ),
      { numRuns: 400 },
    );
  });

  test('insertions and deletions: every editor converges to the server text', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc
          .integer({ min: 2, max: 4 })
          .chain((n) => fc.tuple(fc.constant(n), fc.array(stepArb(n, true), { maxLength: 80 }))),
        (initial, [clients, steps]) => {
          const { session, editors } = simulate(initial, clients, steps);
          for (const editor of editors) {
            assert.equal(editor.doc, session.code);
            assert.equal(editor.version, session.version);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('full code sent with its version: concurrent edits of the same version both survive', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (base, p, q) => {
          const doc = base.replace(/\r\n?/g, '\n');
          const session = new LiveSession({ id: 's', code: doc, language: 'text', version: 0 });
          const at = (f: number) => Math.floor(f * (doc.length + 1));
          // Two simple clients edit the text they both had at version 0.
          const a = doc.slice(0, at(p)) + '甲' + doc.slice(at(p));
          const b = doc.slice(0, at(q)) + '乙' + doc.slice(at(q));
          session.applyFullText('a', 'a', a, 0);
          session.applyFullText('b', 'b', b, 0);
          assert.equal(session.code.length, doc.length + 2);
          assert.equal(session.code.replace('甲', '').replace('乙', ''), doc);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('real editors over real sockets', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp([createCollabModule()]);
  });
  after(async () => {
    await app.stop();
  });

  async function connectEditor(sessionId: string, n: number) {
    const client = await TestClient.connect(`${app.wsUrl}/ws/${sessionId}`);
    client.send({ type: 'join-session', payload: { userId: `u${n}`, username: `User ${n}` } });
    const state = await client.nextOfType('session-state');
    const editor = new CollabEditor(
      `editor-${n}`,
      state.payload.code,
      state.payload.version,
      (change) => client.send({ type: 'code-change', payload: { userId: `u${n}`, ...change } }),
    );
    client.socket.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (message.type === 'code-update' || message.type === 'code-ack')
        editor.receive(message.type, message.payload);
      if (message.type === 'error') throw new Error(`server error: ${message.payload.message}`);
    });
    return { client, editor };
  }

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  test('three editors typing at once with random timing converge with no edit lost', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.array(
            fc.record({
              at: fc.double({ min: 0, max: 1, noNaN: true }),
              pause: fc.integer({ min: 0, max: 3 }),
            }),
            {
              minLength: 1,
              maxLength: 12,
            },
          ),
          { minLength: 3, maxLength: 3 },
        ),
        async (scripts) => {
          const created = await fetch(`${app.url}/api/sessions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ code: 'start\n' }),
          });
          const { sessionId } = (await created.json()) as { sessionId: string };
          const peers = await Promise.all(scripts.map((_, i) => connectEditor(sessionId, i)));
          const inserted: string[] = [];
          const base = run++ * 100;
          await Promise.all(
            scripts.map(async (script, i) => {
              for (const [k, step] of script.entries()) {
                const text = mark(base + i * 20 + k);
                inserted.push(text);
                peers[i]!.editor.edit(step.at, text);
                if (step.pause > 0) await sleep(step.pause);
              }
            }),
          );
          // Wait until every editor is confirmed and has seen every change.
          const deadline = Date.now() + 5000;
          const total = inserted.length;
          while (!peers.every((p) => p.editor.synced && p.editor.version === total)) {
            assert.ok(Date.now() < deadline, 'editors settle within 5 s');
            await sleep(5);
          }
          const read = await fetch(`${app.url}/api/sessions/${sessionId}`);
          const server = (await read.json()) as { code: string; version: number };
          assert.equal(server.version, total);
          for (const peer of peers) assert.equal(peer.editor.doc, server.code);
          for (const ch of inserted)
            assert.equal(server.code.split(ch).length - 1, 1, `typed ${ch} once`);
          assert.equal(server.code.replace(/[\u4e00-\u9fff]/g, ''), 'start\n');
          await Promise.all(peers.map((p) => p.client.close()));
        },
      ),
      { numRuns: 15 },
    );
  });
});
