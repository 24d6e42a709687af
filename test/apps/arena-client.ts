// Test helpers for the arena protocol (/v1): a `ws` peer per connection, requests with
// fresh ids answered by the response or error that echoes them, and a small problem
// bank on disk whose answers the tests know.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestClient, type Json } from './ws-client.js';

export type { Json } from './ws-client.js';

let counter = 0;

export async function connectArena(wsUrl: string, token: string): Promise<TestClient> {
  return TestClient.connect(`${wsUrl}/v1?token=${encodeURIComponent(token)}`);
}

/** Sends a request and resolves with the response or error that echoes its id. */
export async function request(
  client: TestClient,
  event: string,
  data: Json = {},
  timeoutMs = 5000,
): Promise<Json> {
  const id = `req-${++counter}`;
  client.send({
    id,
    type: event.endsWith(':join') ? 'subscribe' : 'action',
    event,
    data,
    timestamp: new Date().toISOString(),
  });
  return client.next(
    (m) => m.id === id && (m.type === 'response' || m.type === 'error'),
    timeoutMs,
  );
}

/** Like request(), but fails unless the answer is a success. */
export async function ok(
  client: TestClient,
  event: string,
  data: Json = {},
  timeoutMs = 5000,
): Promise<Json> {
  const answer = await request(client, event, data, timeoutMs);
  if (answer.type !== 'response') throw new Error(`${event} failed: ${JSON.stringify(answer)}`);
  return answer;
}

export function nextEvent(client: TestClient, event: string, timeoutMs = 5000): Promise<Json> {
  return client.next((m) => m.type === 'event' && m.event === event, timeoutMs);
}

/** The hidden tests' numbers: they must never show up in anything a client receives. */
export const HIDDEN_MARKERS = ['918273', '564738', '1483011'];

export const SOLUTIONS = {
  right: 'function add(a, b) {\n  return a + b;\n}\n',
  /** Passes only the test whose second argument is 0. */
  wrong: 'function add(a, b) {\n  return a - b;\n}\n',
  /** Passes every test but the hidden ones. */
  partial: 'function add(a, b) {\n  return a > 1000 ? 0 : a + b;\n}\n',
  python: 'def add(a, b):\n    return a + b\n',
  syntaxError: 'function add(a, b) {\n  return a +;\n}\n',
};

/**
 * A problem bank with one problem per difficulty: `add` (easy and medium: four tests,
 * two of them hidden) and `add-fast` (hard, a 4-second battle for the timeout test).
 */
export function writeTestProblems(extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-problems-'));
  const tests = [
    { input: [1, 2], output: 3 },
    { input: [7, 0], output: 7 },
    { input: [918273, 564738], output: 1483011, hidden: true },
    { input: [-5, 5], output: 0, hidden: true },
  ];
  const problem = (id: string, difficulty: string, more: Json = {}) => ({
    id,
    title: `Add (${difficulty})`,
    difficulty,
    description: 'Return a + b.',
    function: 'add',
    starter: {
      python: 'def add(a, b):\n    pass\n',
      javascript: 'function add(a, b) {\n}\n',
    },
    tests,
    timeLimitMs: 2000,
    ...more,
  });
  writeFileSync(path.join(dir, 'add-easy.json'), JSON.stringify(problem('add-easy', 'easy')));
  writeFileSync(path.join(dir, 'add-medium.json'), JSON.stringify(problem('add-medium', 'medium')));
  writeFileSync(
    path.join(dir, 'add-fast.json'),
    JSON.stringify(problem('add-fast', 'hard', { battleSeconds: 4 })),
  );
  for (const [name, text] of Object.entries(extra)) writeFileSync(path.join(dir, name), text);
  return dir;
}
