// REST for the arena. Every route needs a token (`Authorization: Bearer …` or
// `?token=`) except the problem list, a problem and the leaderboard, which are public
// (what a battle site shows anyone); errors are `{error, code, details}` with the HTTP
// status of the code.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext, AuthenticatedUser } from '../types.js';
import type { BattleService } from './battle-service.js';
import { MAX_HISTORY_PAGE, type ArenaChatService } from './chat.js';
import { ArenaError } from './errors.js';
import type { NotificationService } from './notifications.js';
import { problemDetail, problemSummary, type ProblemBank } from './problems.js';
import { channelSchema, DIFFICULTIES, issuesOf } from './protocol.js';
import type { RatingStore } from './store/ratings.js';
import type { TeamService } from './teams.js';

export interface RouteDeps {
  bank: ProblemBank;
  ratings: RatingStore;
  battles: BattleService;
  chat: ArenaChatService;
  notifications: NotificationService;
  teams: TeamService;
  /** Lower-cased usernames allowed to send system notifications. */
  admins: Set<string>;
}

const page = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY_PAGE).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  before: z.string().min(1).max(64).optional(),
});
const problemsQuery = z.object({ difficulty: z.enum(DIFFICULTIES).optional() });
const systemNotificationBody = z.object({
  title: z.string().trim().min(1).max(200),
  message: z.string().trim().min(1).max(2000),
  priority: z.enum(['low', 'normal', 'high']).optional(),
  action: z
    .object({ type: z.string().min(1).max(32), url: z.string().max(500).optional() })
    .optional(),
});
const teamBody = z.object({ name: z.string().trim().min(1).max(100) });
const memberBody = z.object({
  username: z.string().min(1).max(64),
  role: z.enum(['member', 'admin']).default('member'),
});

type Params = { Params: Record<string, string> };

export function registerArenaRoutes(context: AppContext, deps: RouteDeps): void {
  const { http, auth } = context;
  const { bank, ratings, battles, chat, notifications, teams, admins } = deps;

  /** Public routes' handlers get no user (null) and must not need one. */
  function route(
    handler: (
      user: AuthenticatedUser,
      request: FastifyRequest<Params>,
      reply: FastifyReply,
    ) => Promise<unknown>,
    access: 'user' | 'public' = 'user',
  ) {
    return async (request: FastifyRequest<Params>, reply: FastifyReply) => {
      const user = (await auth.userOf(request))?.user;
      if (!user && access === 'user') {
        return reply
          .code(401)
          .send({ error: 'missing, invalid or expired token', code: 'UNAUTHORIZED', details: {} });
      }
      try {
        return await handler(user as AuthenticatedUser, request, reply);
      } catch (error) {
        if (error instanceof ArenaError)
          return reply
            .code(error.status)
            .send({ error: error.message, code: error.code, details: error.details });
        throw error;
      }
    };
  }

  function parse<T>(schema: z.ZodType<T>, value: unknown): T {
    const parsed = schema.safeParse(value ?? {});
    if (!parsed.success)
      throw new ArenaError('VALIDATION_ERROR', 'Invalid request', {
        issues: issuesOf(parsed.error),
      });
    return parsed.data;
  }

  http.get(
    '/api/problems',
    route(async (_user, request) => {
      const { difficulty } = parse(problemsQuery, request.query);
      return { problems: bank.list(difficulty).map(problemSummary) };
    }, 'public'),
  );

  http.get(
    '/api/problems/:id',
    route(async (_user, request) => {
      const problem = bank.get(request.params.id!);
      if (!problem)
        throw new ArenaError('NOT_FOUND', 'No such problem', { problemId: request.params.id });
      return { problem: problemDetail(problem) };
    }, 'public'),
  );

  http.get(
    '/api/leaderboard',
    route(async (_user, request) => {
      const { limit, offset } = parse(page, request.query);
      return { leaderboard: await ratings.leaderboard(limit, offset) };
    }, 'public'),
  );

  http.get(
    '/api/battles/:id',
    route(async (_user, request) => {
      const battle = await battles.view(request.params.id!);
      if (!battle)
        throw new ArenaError('INVALID_BATTLE_ID', 'Battle not found', {
          battleId: request.params.id,
          status: 'not_found',
        });
      return { battle };
    }),
  );

  http.get(
    '/api/channels/:channel/messages',
    route(async (user, request) => {
      const channel = request.params.channel!;
      if (!channelSchema.safeParse(channel).success)
        throw new ArenaError('VALIDATION_ERROR', 'Invalid channel name', { channel });
      const { limit, before } = parse(page, request.query);
      return { channel, messages: await chat.history(user, channel, { limit, before }) };
    }),
  );

  http.get(
    '/api/notifications',
    route(async (user, request) => {
      const { limit, before } = parse(page, request.query);
      return { notifications: await notifications.list(user.id, limit, before) };
    }),
  );

  http.post(
    '/api/admin/notifications',
    route(async (user, request, reply) => {
      if (!admins.has(user.username.toLowerCase()))
        throw new ArenaError('FORBIDDEN', 'Only an admin may send system notifications', {});
      const body = parse(systemNotificationBody, request.body);
      return reply.code(201).send(await notifications.notifySystem(body));
    }),
  );

  http.post(
    '/api/teams',
    route(async (user, request, reply) => {
      const { name } = parse(teamBody, request.body);
      return reply.code(201).send({ team: await teams.create(user, name) });
    }),
  );

  http.get(
    '/api/teams',
    route(async (user) => ({ teams: await teams.list(user) })),
  );

  http.get(
    '/api/teams/:id',
    route(async (user, request) => ({ team: await teams.describe(user, request.params.id!) })),
  );

  http.post(
    '/api/teams/:id/members',
    route(async (user, request, reply) => {
      const { username, role } = parse(memberBody, request.body);
      return reply
        .code(201)
        .send({ member: await teams.addMember(user, request.params.id!, username, role) });
    }),
  );

  http.get(
    '/api/teams/:id/shares',
    route(async (user, request) => {
      const { limit } = parse(page, request.query);
      return { shares: await teams.shares(user, request.params.id!, limit) };
    }),
  );
}
