// The arena module (spec 000): battles, chat, notifications and teams over one
// WebSocket route, /v1, plus REST under /api (problems, leaderboard, battles, channels,
// notifications, teams). docs/protocols/arena.md describes every message.
import { valuesOf } from '../settings.js';
import type { AppContext, AppModule } from '../types.js';
import { BattleService } from './battle-service.js';
import { ArenaChatService } from './chat.js';
import { createRequestRunner, registerArenaGateway } from './gateway.js';
import { registerArenaSocketIo } from './socketio-gateway.js';
import type { EngineServerOptions, SocketIoServer } from '../../socketio/index.js';
import { Outbox } from './outbox.js';
import type { WindowOptions } from './matchmaker.js';
import { arenaMigrations } from './migrations.js';
import { NotificationService } from './notifications.js';
import { BUILTIN_PROBLEMS_DIR, loadProblemDir, ProblemBank } from './problems.js';
import { DEFAULT_REQUEST_RATE, type RequestRate } from './rate-limit.js';
import { registerArenaRoutes } from './routes.js';
import { createArenaStores } from './store/index.js';
import { TeamService } from './teams.js';
import { arenaSettings, type ArenaSettings } from './settings.js';

export interface ArenaOptions extends Partial<ArenaSettings> {
  /** Requests per connection (default: a burst of 100, then 20 a second). */
  requestRate?: RequestRate;
  /** Matchmaking's rating window. */
  window?: WindowOptions;
  /** How often the queue is paired again as windows widen (ms, default 1000). */
  matchIntervalMs?: number;
  /** The Socket.IO endpoint's Engine.IO settings (ping interval and timeout, maxPayload). */
  socketIo?: EngineServerOptions;
}

/** Explicit options win over the server's settings (`ringside serve` flags). */
function settingsOf(context: AppContext, options: ArenaOptions): ArenaOptions & ArenaSettings {
  const merged: ArenaOptions & ArenaSettings = valuesOf(arenaSettings, context.settings);
  for (const [key, value] of Object.entries(options))
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  return merged;
}

export function createArenaModule(options: ArenaOptions = {}): AppModule {
  let battles: BattleService | null = null;
  let chat: ArenaChatService | null = null;
  let notifications: NotificationService | null = null;
  let socketIo: SocketIoServer | null = null;
  return {
    name: 'arena',
    migrations: arenaMigrations,
    async register(context) {
      const settings = settingsOf(context, options);
      const dir = settings.problemsDir ?? BUILTIN_PROBLEMS_DIR;
      const report = loadProblemDir(dir);
      for (const { file, reason } of report.rejected)
        context.logger.warn(
          { dir, file, reason },
          `arena: skipped problem file ${file}: ${reason}`,
        );
      const bank = new ProblemBank(report.problems);
      context.logger.info(
        { dir, problems: bank.size, skipped: report.rejected.length },
        'arena: problems loaded',
      );

      const stores = createArenaStores(context.db);
      const aborted = await stores.battles.abortUnfinished();
      if (aborted > 0)
        context.logger.warn(
          { battles: aborted },
          'arena: battles left open by a previous run were aborted',
        );
      const outbox = new Outbox(context.broker);
      notifications = new NotificationService(stores.notifications, outbox);
      battles = new BattleService(
        stores,
        context.users,
        bank,
        context.sandbox,
        outbox,
        notifications,
        context.logger,
        {
          battleSeconds: settings.battleSeconds,
          forfeitGraceMs: settings.forfeitGraceMs,
          maxPendingInvitations: settings.maxPendingInvitations,
          window: settings.window,
          matchIntervalMs: settings.matchIntervalMs,
        },
      );
      chat = new ArenaChatService(stores.messages, stores.teams, outbox, battles);
      const teams = new TeamService(stores.teams, context.users, outbox);
      const admins = new Set((settings.adminUsers ?? []).map((name) => name.toLowerCase()));
      // A listed name nobody registered yet could be taken by anyone: say so loudly.
      for (const name of settings.adminUsers ?? []) {
        if (!(await context.users.findByUsername(name)))
          context.logger.warn(
            { username: name },
            'admin user is not registered yet: register it before anyone else can take the name',
          );
      }
      registerArenaRoutes(context, {
        bank,
        ratings: stores.ratings,
        battles,
        chat,
        notifications,
        teams,
        admins,
      });
      const services = { battles, chat, notifications, teams, outbox };
      const requestRate = settings.requestRate ?? DEFAULT_REQUEST_RATE;
      const run = createRequestRunner(services, context.logger);
      registerArenaGateway(context, services, requestRate, run);
      socketIo = registerArenaSocketIo(context, services, requestRate, run, options.socketIo);
    },
    metrics: () => [
      {
        name: 'ringside_arena_battles_running',
        help: 'Arena battles being played now',
        type: 'gauge',
        value: battles?.counts.running ?? 0,
      },
      {
        name: 'ringside_arena_queue_length',
        help: 'Players waiting in the arena matchmaking queue',
        type: 'gauge',
        value: battles?.counts.queued ?? 0,
      },
      {
        name: 'ringside_arena_chat_messages_total',
        help: 'Arena chat messages stored and sent',
        type: 'counter',
        value: chat?.sentCount ?? 0,
      },
    ],
    async close() {
      socketIo?.close();
      await battles?.close();
      await chat?.idle();
      await notifications?.idle();
    },
  };
}

export const arenaModule: AppModule = createArenaModule();
