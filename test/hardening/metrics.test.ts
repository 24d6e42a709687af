// Operations: /metrics carries HTTP request metrics (by route pattern, not by path)
// and the protocols' own numbers: arena battles running and queue length, live collab
// sessions, chat messages.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectArena, nextEvent, ok } from '../apps/arena-client.js';
import { TestClient } from '../apps/ws-client.js';
import { api, registerUser } from '../helpers/http.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';

function value(metrics: string, series: string): number | undefined {
  for (const line of metrics.split('\n'))
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  return undefined;
}

describe('/metrics', () => {
  let serve: ServeProcess;
  before(async () => {
    serve = await startServe();
  });
  after(() => serve.stop());

  const scrape = async () => (await api(serve.url, 'GET', '/metrics')).body as string;

  test('HTTP requests by method, route pattern and status', async () => {
    const user = await registerUser(serve.url);
    await api(serve.url, 'GET', '/api/me', undefined, user.token);
    await api(serve.url, 'GET', '/api/sessions/nope-1');
    await api(serve.url, 'GET', '/api/sessions/nope-2');
    // Every GET is a route (the app answers client-side paths): a POST is what no route takes.
    await api(serve.url, 'POST', '/no/such/path', {});
    const metrics = await scrape();
    assert.equal(
      value(
        metrics,
        'ringside_http_requests_total{method="POST",route="/api/auth/register",status="201"}',
      ),
      1,
    );
    assert.equal(
      value(
        metrics,
        'ringside_http_requests_total{method="GET",route="/api/sessions/:id",status="404"}',
      ),
      2,
      'one series for the pattern, whatever the ids',
    );
    assert.equal(
      value(metrics, 'ringside_http_requests_total{method="POST",route="unmatched",status="404"}'),
      1,
    );
    assert.ok(
      (value(
        metrics,
        'ringside_http_request_duration_seconds_count{method="GET",route="/api/me"}',
      ) ?? 0) >= 1,
    );
  });

  test('protocol numbers: battles running, queue length, collab sessions live, chat messages', async () => {
    const [a, b, c] = await Promise.all([
      registerUser(serve.url),
      registerUser(serve.url),
      registerUser(serve.url),
    ]);
    const clients: TestClient[] = [];
    try {
      const [ca, cb, cc] = await Promise.all(
        [a, b, c].map((u) => connectArena(serve.wsUrl, u.token)),
      );
      clients.push(ca!, cb!, cc!);
      await ok(ca!, 'battle:join', { difficulty: 'easy', language: 'javascript' });
      await ok(cb!, 'battle:join', { difficulty: 'easy', language: 'javascript' });
      await nextEvent(ca!, 'battle:matched', 10_000);
      await ok(cc!, 'battle:join', { difficulty: 'hard', language: 'javascript' });

      const session = await api(serve.url, 'POST', '/api/sessions', {});
      clients.push(await TestClient.connect(`${serve.wsUrl}/ws/${session.body.sessionId}`));

      const room = await api(
        serve.url,
        'POST',
        '/api/rooms',
        { slug: 'metrics', name: 'M' },
        a.token,
      );
      assert.equal(room.status, 201);
      const chat = await TestClient.connect(
        `${serve.wsUrl}/ws/chat/${a.user.username}/metrics/?token=${a.token}`,
      );
      clients.push(chat);
      chat.send({ type: 'text', message: 'one' });
      chat.send({ type: 'text', message: 'two' });
      await chat.next((m) => m.body === 'two');

      const metrics = await scrape();
      assert.equal(value(metrics, 'ringside_arena_battles_running'), 1);
      assert.equal(value(metrics, 'ringside_arena_queue_length'), 1);
      assert.equal(value(metrics, 'ringside_collab_sessions_live'), 1);
      assert.equal(value(metrics, 'ringside_chat_messages_total'), 2);
      assert.equal(value(metrics, 'ringside_arena_chat_messages_total'), 0);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });
});
