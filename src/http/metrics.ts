// /metrics in Prometheus text format. Every WebSocket value is read from the engine
// when scraped (collect callbacks), so nothing is counted twice or kept in sync.
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { SandboxPool } from '../sandbox/index.js';
import type { WebSocketServer } from '../websocket/index.js';
import { addSandboxMetrics } from './sandbox-metrics.js';

export function createMetricsRegistry(server: WebSocketServer, sandbox?: SandboxPool): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ringside_' });

  new Gauge({
    name: 'ringside_websocket_connections',
    help: 'Open WebSocket connections per route',
    labelNames: ['route'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [route, open] of Object.entries(server.openPerRoute())) this.set({ route }, open);
    },
  });
  new Gauge({
    name: 'ringside_websocket_rooms',
    help: 'Rooms with at least one member',
    registers: [registry],
    collect() {
      this.set(server.rooms.size);
    },
  });

  const stats = server.stats;
  const counters: Array<[string, string, () => number]> = [
    [
      'ringside_websocket_connections_opened_total',
      'WebSocket connections opened',
      () => stats.connectionsOpened,
    ],
    [
      'ringside_websocket_connections_closed_total',
      'WebSocket connections closed',
      () => stats.connectionsClosed,
    ],
    [
      'ringside_websocket_messages_received_total',
      'Messages received from clients',
      () => stats.messagesIn,
    ],
    [
      'ringside_websocket_received_bytes_total',
      'Payload bytes received from clients',
      () => stats.bytesIn,
    ],
    [
      'ringside_websocket_messages_sent_total',
      'Messages sent to clients (a room message counts once per member)',
      () => stats.messagesOut,
    ],
    ['ringside_websocket_sent_bytes_total', 'Payload bytes sent to clients', () => stats.bytesOut],
    [
      'ringside_websocket_rejected_handshakes_total',
      'Upgrade requests refused before the 101',
      () => stats.rejectedHandshakes,
    ],
    [
      'ringside_websocket_rate_limited_messages_total',
      'Messages over a rate limit',
      () => stats.rateLimitedMessages,
    ],
  ];
  for (const [name, help, read] of counters) {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }
  if (sandbox) addSandboxMetrics(registry, sandbox);
  return registry;
}

export function registerMetricsRoute(http: FastifyInstance, registry: Registry): void {
  http.get('/metrics', async (_request, reply) => {
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  });
}
