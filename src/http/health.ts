// /healthz: the process answers. /readyz: it should get traffic: migrations ran, the
// database answers, and it is not shutting down (503 with the reason otherwise). Its
// `sandbox` field tells where the sandbox pool is (warming, ready, ...); it does not
// change the status: chat and collab serve without it, and runs wait for warm-up.
import type { FastifyInstance } from 'fastify';
import type { SandboxState } from '../sandbox/index.js';

/** Resolves with null when ready, else the reason it is not. */
export type ReadinessCheck = () => Promise<string | null>;

export function registerHealthRoutes(
  http: FastifyInstance,
  readiness: ReadinessCheck,
  sandboxState?: () => SandboxState,
): void {
  http.get('/healthz', async () => ({ status: 'ok' }));
  http.get('/readyz', async (_request, reply) => {
    const reason = await readiness();
    const sandbox = sandboxState ? { sandbox: sandboxState() } : {};
    if (reason) return reply.code(503).send({ error: reason, ...sandbox });
    return { status: 'ready', ...sandbox };
  });
}
