// The runner routes, /appws and /devws: the same protocol on both; /devws adds
// debugging detail (`details` on errors, on run outputs and on failed tasks) that
// /appws leaves out. Leaderboards are per game (games.ts): a connection's own, or the
// one named by `?game=<name>` on the address, whose members are one room, so a
// leaderboardUpdate is framed once and reaches all of them.
import type { SandboxOwner } from '../../sandbox/index.js';
import { UpgradeRejection, type ServerConnection } from '../../websocket/index.js';
import type { LocalConnection } from '../../broker/index.js';
import type { AppContext } from '../types.js';
import { GAME_NAME, Games, type Game } from './games.js';
import { UnknownPlayerError } from './leaderboard.js';
import { OrderedReplies } from './ordered-replies.js';
import {
  encode,
  encodeError,
  ERRORS,
  parseClientMessage,
  type ClientMessage,
  type Rejection,
  type TaskUpdate,
} from './protocol.js';
import { RunnerError, type RunnerService } from './service.js';
import { executeTask, taskExecutors } from './task-actions.js';
import { TaskQueue, type TaskOutcome } from './task-queue.js';

export const RUNNER_ROUTES = { '/appws': false, '/devws': true } as const;
export const NOT_GAME_OWNER = 'Only the owner of this game can restart it';

export interface RunnerLimits {
  /** tasks of one connection running at once (the rest wait) */
  concurrentTasks: number;
  /** tasks of one connection waiting or running */
  pendingTasks: number;
  /** runCode requests of one connection not yet answered */
  pendingRuns: number;
  messagesPerSecond: number;
  /** messages a client may send at once before the rate applies */
  burst: number;
}

export const RUNNER_LIMITS: RunnerLimits = {
  concurrentTasks: 4,
  pendingTasks: 200,
  pendingRuns: 32,
  messagesPerSecond: 20,
  burst: 60,
};

interface RunnerState {
  dev: boolean;
  game: Game | null;
  replies: OrderedReplies | null;
  tasks: TaskQueue | null;
  /** whose sandbox jobs these are: the user with a valid token, else this connection at its address */
  owner: SandboxOwner | undefined;
}

type Connection = ServerConnection<RunnerState>;

export function registerRunnerGateway(
  context: AppContext,
  service: RunnerService,
  games: Games,
  limits: RunnerLimits,
): void {
  const { server, logger, broker, auth } = context;

  const send = (connection: Connection, text: string) => {
    if (connection.isOpen) connection.send(text);
  };
  /** An invalid message: counted against the error budget, then answered (unless closed). */
  const reject = (
    connection: Connection,
    rejection: Rejection,
    answer = (t: string) => send(connection, t),
  ) => {
    if (server.reportInvalid(connection as ServerConnection<unknown>)) {
      const { dev } = connection.state;
      const details = Object.keys(rejection.details).length > 0 ? rejection.details : undefined;
      answer(encodeError(rejection.error, dev ? details : undefined));
    }
  };
  const failure = (connection: Connection, error: unknown): string => {
    const dev = connection.state.dev;
    if (error instanceof RunnerError)
      return encodeError(error.clientMessage, dev ? error.details : undefined);
    logger.error({ err: error, connection: connection.id }, 'runner request failed');
    return encodeError(ERRORS.internal, dev ? { message: (error as Error).message } : undefined);
  };
  const withDetails = <T>(connection: Connection, data: T, details: object | undefined): T =>
    connection.state.dev &&
    details &&
    typeof data === 'object' &&
    data !== null &&
    !Array.isArray(data)
      ? ({ ...data, details } as T)
      : data;

  const handle = (connection: Connection, message: ClientMessage) => {
    const state = connection.state;
    switch (message.action) {
      case 'runCode': {
        const answer = state.replies!.reserve();
        if (state.replies!.pending > limits.pendingRuns)
          return answer(
            encodeError(`Too many runs in progress: at most ${limits.pendingRuns} per connection`),
          );
        service.runCode(message.data, state.tasks!.signal, state.owner).then(
          ({ output, debug }) => answer(encode('output', withDetails(connection, output, debug))),
          (error: unknown) => answer(failure(connection, error)),
        );
        return;
      }
      case 'startTasks': {
        const problem = state.tasks!.add(message.data.tasks);
        if (problem) reject(connection, { error: problem, details: {} });
        return;
      }
      case 'startGame': {
        const game = state.game!;
        if (!games.isOwner(game, connection.id))
          return send(connection, encodeError(NOT_GAME_OWNER));
        broker.publish(game.room, encode('leaderboardUpdate', game.board.start(message.data)));
        return;
      }
      case 'updateScore': {
        const { board, room } = state.game!;
        try {
          const standings = board.update(message.data.playerId, message.data.change);
          broker.publish(room, encode('leaderboardUpdate', standings));
        } catch (error) {
          if (!(error instanceof UnknownPlayerError)) throw error;
          const players = board
            .standings()
            .map((p) => p.id)
            .sort((x, y) => x - y);
          send(
            connection,
            encodeError(ERRORS.unknownPlayer(error.playerId), state.dev ? { players } : undefined),
          );
        }
        return;
      }
      case 'getLeaderboard':
        send(connection, encode('leaderboardUpdate', state.game!.board.standings()));
        return;
    }
  };

  for (const [pattern, dev] of Object.entries(RUNNER_ROUTES)) {
    server.route<RunnerState>(pattern, {
      initialState: () => ({ dev, game: null, replies: null, tasks: null, owner: undefined }),
      async onConnect(connection, request) {
        const name = request.query.get('game');
        if (name !== null && !GAME_NAME.test(name))
          throw new UpgradeRejection(400, 'game must be 1-64 of A-Z a-z 0-9 _ -');
        // No account needed; a valid token makes the runs the user's (fair share per user).
        const user = (await auth.userOf(request))?.user;
        const owner: SandboxOwner = user
          ? { kind: 'user', key: user.id }
          : { kind: 'anonymous', key: connection.id, address: request.remoteAddress };
        connection.state.owner = owner;
        const executors = taskExecutors(service, owner);
        const game = name === null ? games.own(connection.id) : games.join(name, connection.id);
        connection.state.game = game;
        connection.state.replies = new OrderedReplies((text) => send(connection, text));
        connection.state.tasks = new TaskQueue({
          concurrency: limits.concurrentTasks,
          maxPending: limits.pendingTasks,
          execute: (task, taskContext) => executeTask(executors, task, taskContext),
          emit: (taskId, status, progress, outcome?: TaskOutcome) => {
            const update: TaskUpdate = { taskId, status, progress };
            if (outcome) update.result = withDetails(connection, outcome.result, outcome.details);
            send(connection, encode('taskUpdate', update));
          },
        });
        broker.join(connection as LocalConnection, game.room);
      },
      onMessage(connection, data, isBinary) {
        if (isBinary) return reject(connection, { error: ERRORS.binary, details: {} });
        const parsed = parseClientMessage(data.toString());
        if (parsed.ok) return handle(connection, parsed.message);
        // Every runCode gets its answer in order, a refusal included.
        if (parsed.action === 'runCode')
          return reject(connection, parsed, connection.state.replies!.reserve());
        reject(connection, parsed);
      },
      onClose(connection) {
        if (connection.state.game) games.leave(connection.state.game, connection.id);
        connection.state.tasks?.cancel();
        connection.state.replies?.clear();
      },
      // Bursts (a class pressing Run together, a batch of runs) fit; past them each
      // message is dropped with an error in the protocol's shape, the socket stays.
      rateLimit: {
        messagesPerSecond: limits.messagesPerSecond,
        burst: limits.burst,
        onExceeded: 'error',
      },
      onRateLimited: (connection) => send(connection, encodeError(ERRORS.rateLimited)),
    });
  }
}
