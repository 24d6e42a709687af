// Every REST error is JSON `{error: "message"}`. Route code throws HttpError (or
// answers itself); Fastify's own 4xx (bad JSON, wrong content type, body too large)
// keep their status; anything else is a 500 that is logged and not explained.
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function installErrorHandlers(http: FastifyInstance, logger: Logger): void {
  http.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      void reply.code(error.status).headers(error.headers).send({ error: error.message });
      return;
    }
    const status =
      'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      void reply.code(status).send({ error: error.message });
      return;
    }
    logger.error({ err: error, method: request.method, url: request.url }, 'request failed');
    void reply.code(500).send({ error: 'internal error' });
  });
  http.setNotFoundHandler((_request, reply) => {
    void reply.code(404).send({ error: 'not found' });
  });
}
