// REST for collab: create a session, read one. No account needed (spec 001).
import { z } from 'zod';
import type { AppContext } from '../types.js';
import { languageSchema, MAX_CODE_LENGTH } from './protocol.js';
import type { CollabService } from './service.js';

const createBody = z
  .object({ language: languageSchema.optional(), code: z.string().max(MAX_CODE_LENGTH).optional() })
  .optional();

export function registerCollabRoutes(context: AppContext, service: CollabService): void {
  const { http } = context;

  http.post('/api/sessions', async (request, reply) => {
    const body = createBody.safeParse(request.body ?? undefined);
    if (!body.success)
      return reply
        .code(400)
        .send({ error: `Invalid body: ${body.error.issues[0]?.message ?? ''}` });
    const sessionId = await service.createSession(body.data ?? {});
    return reply.code(201).send({ sessionId });
  });

  http.get<{ Params: { id: string } }>('/api/sessions/:id', async (request, reply) => {
    const view = await service.describe(request.params.id);
    if (!view) return reply.code(404).send({ error: 'Session not found' });
    return reply.send(view);
  });
}
