// The engine's limits as command-line flags, shared by `echo` and `serve`.
import { readFileSync } from 'node:fs';
import type { ServerOptions } from '../websocket/index.js';
import { intFlag, listFlag, UsageError, type FlagSpec } from './flags.js';

export const ENGINE_FLAGS = {
  deflate: { type: 'boolean' },
  'deflate-threshold': { type: 'string' },
  'max-message-bytes': { type: 'string' },
  'max-fragments': { type: 'string' },
  'rate-limit': { type: 'string' },
  'heartbeat-ms': { type: 'string' },
  'max-connections-per-ip': { type: 'string' },
  'max-queued-bytes': { type: 'string' },
  'slow-consumer': { type: 'string' },
  origin: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'handshake-timeout-ms': { type: 'string' },
  'max-head-bytes': { type: 'string' },
  'close-timeout-ms': { type: 'string' },
} as const satisfies FlagSpec;

export const ENGINE_FLAGS_HELP = `
  --deflate                    offer permessage-deflate (RFC 7692)
  --deflate-threshold N        send messages under N bytes uncompressed (default 1024)
  --max-message-bytes N        largest message accepted, else close 1009
  --max-fragments N            most frames in one message, else close 1009 (default 1024)
  --rate-limit N               messages/s per connection, burst 2N; 0 = off
  --heartbeat-ms N             ping every N ms, drop a peer that missed its pong; 0 = off (default 30000)
  --max-connections-per-ip N   0 = unlimited (default 1000)
  --max-queued-bytes N         bytes queued for one slow peer before --slow-consumer applies
  --slow-consumer drop|close   what happens past --max-queued-bytes (default close)
  --origin a,b                 allowed Origin values (default: any)
  --tls-cert FILE --tls-key FILE   serve wss:// (PEM files)
  --handshake-timeout-ms N     time to send the request head (default 10000)
  --max-head-bytes N           largest request head (default 16384)
  --close-timeout-ms N         wait for the peer's close before dropping it (default 5000)`;

type EngineValues = { [K in keyof typeof ENGINE_FLAGS]?: string | boolean };

export function engineOptions(
  values: EngineValues,
  defaults: { maxMessageBytes: number; rateLimit: number },
): ServerOptions {
  const rate = intFlag(values['rate-limit'], 'rate-limit', defaults.rateLimit);
  const slow = values['slow-consumer'] ?? 'close';
  if (slow !== 'drop' && slow !== 'close')
    throw new UsageError('--slow-consumer must be drop or close');
  const cert = values['tls-cert'];
  const key = values['tls-key'];
  if ((cert === undefined) !== (key === undefined))
    throw new UsageError('--tls-cert and --tls-key go together');
  const options: ServerOptions = {
    maxMessageBytes: intFlag(
      values['max-message-bytes'],
      'max-message-bytes',
      defaults.maxMessageBytes,
      1,
    ),
    maxFragments: intFlag(values['max-fragments'], 'max-fragments', 1024, 1),
    heartbeatIntervalMs: intFlag(values['heartbeat-ms'], 'heartbeat-ms', 30_000),
    maxConnectionsPerIp: intFlag(values['max-connections-per-ip'], 'max-connections-per-ip', 1000),
    slowConsumer: slow,
    handshakeTimeoutMs: intFlag(values['handshake-timeout-ms'], 'handshake-timeout-ms', 10_000, 1),
    maxHeadBytes: intFlag(values['max-head-bytes'], 'max-head-bytes', 16 * 1024, 64),
    closeTimeoutMs: intFlag(values['close-timeout-ms'], 'close-timeout-ms', 5_000, 1),
    rateLimit:
      rate === 0 ? false : { messagesPerSecond: rate, burst: 2 * rate, onExceeded: 'close' },
    origins: listFlag(values.origin),
  };
  if (values['max-queued-bytes'] !== undefined) {
    options.maxQueuedBytes = intFlag(values['max-queued-bytes'], 'max-queued-bytes', 0, 1);
  }
  if (values.deflate) {
    options.deflate = {
      threshold: intFlag(values['deflate-threshold'], 'deflate-threshold', 1024),
    };
  }
  if (typeof cert === 'string' && typeof key === 'string') {
    options.tls = { cert: readFileSync(cert), key: readFileSync(key) };
  }
  return options;
}
