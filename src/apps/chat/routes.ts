// REST for chat: create a room, add participants (host only), read one, page its history.
// Every route needs a token (`Authorization: Bearer …` or `?token=`).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext, AuthenticatedUser } from '../types.js';
import { ChatError, MAX_PAGE, type ChatService } from './service.js';

const slugSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a slug of 1-64 letters, digits, _ or -');
const createRoomBody = z.object({ slug: slugSchema, name: z.string().trim().min(1).max(200) });
const addParticipantBody = z.object({ username: z.string().min(1).max(64) });
const pageQuery = z.object({
  before: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
});

type RoomParams = { Params: { host: string; slug: string } };

export function registerChatRoutes(context: AppContext, service: ChatService): void {
  const { http, auth } = context;

  // Runs a handler for a signed-in user; ChatErrors become their status.
  function authed<T>(
    handler: (
      user: AuthenticatedUser,
      request: FastifyRequest<T & RoomParams>,
      reply: FastifyReply,
    ) => Promise<unknown>,
  ) {
    return async (request: FastifyRequest<T & RoomParams>, reply: FastifyReply) => {
      const user = (await auth.userOf(request))?.user;
      if (!user) return reply.code(401).send({ error: 'Authentication required' });
      try {
        return await handler(user, request, reply);
      } catch (error) {
        if (error instanceof ChatError)
          return reply.code(error.status).send({ error: error.message });
        throw error;
      }
    };
  }

  http.post(
    '/api/rooms',
    authed(async (user, request, reply) => {
      const body = createRoomBody.safeParse(request.body);
      if (!body.success) return reply.code(400).send({ error: invalidText(body.error) });
      return reply.code(201).send(await service.createRoom(user, body.data));
    }),
  );

  http.get(
    '/api/rooms/:host/:slug',
    authed(async (user, request, reply) =>
      reply.send(await service.describeRoom(user, request.params.host, request.params.slug)),
    ),
  );

  http.post(
    '/api/rooms/:host/:slug/participants',
    authed(async (user, request, reply) => {
      const body = addParticipantBody.safeParse(request.body);
      if (!body.success) return reply.code(400).send({ error: invalidText(body.error) });
      const { created, participant } = await service.addParticipant(
        user,
        request.params.host,
        request.params.slug,
        body.data.username,
      );
      return reply
        .code(created ? 201 : 200)
        .send({ user_id: participant.id, username: participant.username });
    }),
  );

  http.get(
    '/api/rooms/:host/:slug/messages',
    authed(async (user, request, reply) => {
      const query = pageQuery.safeParse(request.query);
      if (!query.success) return reply.code(400).send({ error: invalidText(query.error) });
      const messages = await service.listMessages(
        user,
        request.params.host,
        request.params.slug,
        query.data,
      );
      return reply.send({ messages });
    }),
  );
}

function invalidText(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `Invalid ${issue.path.join('.') || 'body'}: ${issue.message}` : 'Invalid request';
}
