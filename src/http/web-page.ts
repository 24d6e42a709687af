// The browser app at `/`: web/index.html, read once at start.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

export function registerWebPage(http: FastifyInstance, webDir: string, logger: Logger): void {
  let page: string;
  try {
    page = readFileSync(path.join(webDir, 'index.html'), 'utf8');
  } catch (error) {
    logger.warn({ err: error, webDir }, 'no web/index.html: "/" will answer 404');
    return;
  }
  const send = async (_request: unknown, reply: import('fastify').FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page);
  http.get('/', send);
  http.get('/index.html', send);
}
