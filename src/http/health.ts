// /healthz: the process answers. /readyz: it should get traffic: migrations ran, the
// database answers, and it is not shutting down (503 with the reason otherwise).
import type { FastifyInstance } from 'fastify';

/** Resolves with null when ready, else the reason it is not. */
export type ReadinessCheck = () => Promise<string | null>;

export function registerHealthRoutes(http: FastifyInstance, readiness: ReadinessCheck): void {
  http.get('/healthz', async () => ({ status: 'ok' }));
  http.get('/readyz', async (_request, reply) => {
    const reason = await readiness();
    if (reason) return reply.code(503).send({ error: reason });
    return { status: 'ready' };
  });
}
