// The opening handshake (RFC 6455 section 4.2): which requests are WebSocket
// upgrades, whether they are valid, and the bytes of every answer.
import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { WEBSOCKET_GUID } from './constants.js';
import { hasToken, type RequestHead } from './http-head.js';

export class HandshakeError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A request that tries to open a WebSocket, valid or not (others go to the HTTP server). */
export function isUpgradeAttempt(head: RequestHead): boolean {
  const h = head.headers;
  return (
    hasToken(h['upgrade'], 'websocket') ||
    h['sec-websocket-key'] !== undefined ||
    h['sec-websocket-version'] !== undefined
  );
}

const BASE64 = /^[A-Za-z0-9+/]{22}==$/;

/** Checks a WebSocket upgrade request; returns its Sec-WebSocket-Key. */
export function validateUpgrade(head: RequestHead): string {
  const h = head.headers;
  if (head.method !== 'GET') throw new HandshakeError(405, 'Method Not Allowed', { Allow: 'GET' });
  if (head.versionMajor !== 1 || head.versionMinor < 1) {
    throw new HandshakeError(400, 'WebSocket needs HTTP/1.1 or later');
  }
  if (!h['host']) throw new HandshakeError(400, 'Missing Host header');
  if (!hasToken(h['upgrade'], 'websocket')) {
    throw new HandshakeError(400, 'Upgrade header must include "websocket"');
  }
  if (!hasToken(h['connection'], 'upgrade')) {
    throw new HandshakeError(400, 'Connection header must include "Upgrade"');
  }
  const version = h['sec-websocket-version'];
  if (version !== '13') {
    throw new HandshakeError(426, 'Unsupported WebSocket version', {
      'Sec-WebSocket-Version': '13',
    });
  }
  const key = h['sec-websocket-key'];
  if (key === undefined || !BASE64.test(key)) {
    throw new HandshakeError(400, 'Sec-WebSocket-Key must be base64 of 16 bytes');
  }
  return key;
}

export function acceptValue(key: string): string {
  return createHash('sha1')
    .update(key + WEBSOCKET_GUID)
    .digest('base64');
}

const RESPONSE_PREFIX = Buffer.from(
  'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ',
  'latin1',
);

/** The 101 answer. */
export function switchingProtocols(
  key: string,
  protocol: string | undefined,
  extensions: string | undefined,
): Buffer {
  let tail = '\r\n';
  if (protocol !== undefined) tail += `Sec-WebSocket-Protocol: ${protocol}\r\n`;
  if (extensions !== undefined) tail += `Sec-WebSocket-Extensions: ${extensions}\r\n`;
  tail += '\r\n';
  // One allocation: the fixed prefix copied in, the 28-character Accept value and the tail written after it.
  const response = Buffer.allocUnsafe(RESPONSE_PREFIX.length + 28 + tail.length);
  RESPONSE_PREFIX.copy(response, 0);
  response.write(acceptValue(key), RESPONSE_PREFIX.length, 'latin1');
  response.write(tail, RESPONSE_PREFIX.length + 28, 'latin1');
  return response;
}

/** A refusal with a short text body; the connection closes after it. */
export function httpRejection(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Buffer {
  const body = Buffer.from(message + '\n', 'utf8');
  let response =
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    'Connection: close\r\n' +
    'Content-Type: text/plain; charset=utf-8\r\n' +
    `Content-Length: ${body.length}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    // Header values come from our code, but never let one split the response.
    response += `${name}: ${String(value).replace(/[\r\n]/g, ' ')}\r\n`;
  }
  return Buffer.concat([Buffer.from(response + '\r\n', 'latin1'), body]);
}
