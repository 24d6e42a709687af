// REST for collab: create a session, read one. No account needed (spec 001), so
// creation is what the limits guard: sessions per client address per hour (429 with
// Retry-After), the code of one session, and the total stored (503).
import { z } from 'zod';
import { WindowLimiter } from '../../auth/index.js';
import type { AppContext } from '../types.js';
import { isWellFormed } from '../well-formed-text.js';
import { languageSchema, MAX_CODE_LENGTH } from './protocol.js';
import { CollabLimitError, type CollabService } from './service.js';

const HOUR_MS = 60 * 60 * 1000;

export function registerCollabRoutes(
  context: AppContext,
  service: CollabService,
  limits: { sessionsPerHour: number },
): void {
  const { http } = context;
  const creations = new WindowLimiter(limits.sessionsPerHour, HOUR_MS);
  const maxCode = service.maxCodeChars;
  const createBody = z
    .object({
      language: languageSchema.optional(),
      code: z
        .string()
        .max(Math.min(maxCode, MAX_CODE_LENGTH), { error: `code exceeds ${maxCode} characters` })
        .refine(isWellFormed, { error: 'code has lone UTF-16 surrogates' })
        .optional(),
    })
    .optional();

  http.post('/api/sessions', async (request, reply) => {
    const body = createBody.safeParse(request.body ?? undefined);
    if (!body.success)
      return reply
        .code(400)
        .send({ error: `Invalid body: ${body.error.issues[0]?.message ?? ''}` });
    const waitSeconds = creations.hit(request.ip);
    if (waitSeconds > 0)
      return reply
        .code(429)
        .header('retry-after', String(waitSeconds))
        .send({ error: 'Too many sessions created from this address; try again later' });
    try {
      const sessionId = await service.createSession(body.data ?? {});
      return reply.code(201).send({ sessionId });
    } catch (error) {
      if (!(error instanceof CollabLimitError)) throw error;
      return reply.code(error.status).send({ error: error.message });
    }
  });

  http.get<{ Params: { id: string } }>('/api/sessions/:id', async (request, reply) => {
    const view = await service.describe(request.params.id);
    if (!view) return reply.code(404).send({ error: 'Session not found' });
    return reply.send(view);
  });
}
