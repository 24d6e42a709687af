// Battles: the matchmaking queue, invitations, judging submissions in the sandbox,
// the three ways a battle ends (solved, time up, forfeit) and the Elo update. Live
// battles are kept in memory (their timers are here) and every change is stored.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  SandboxBusyError,
  SandboxOwnerLimitError,
  SandboxRequestError,
  SandboxUnavailableError,
  type JudgeResult,
  type SandboxPool,
} from '../../sandbox/index.js';
import type { AuthenticatedUser } from '../types.js';
import { updateRatings } from './elo.js';
import { ArenaError } from './errors.js';
import type { Hub } from './hub.js';
import { DEFAULT_WINDOW, Matchmaker, type QueueEntry, type WindowOptions } from './matchmaker.js';
import type { NotificationService } from './notifications.js';
import { battleProblem, type Problem, type ProblemBank } from './problems.js';
import {
  MAX_CODE_CHARS,
  type ArenaLanguage,
  type Difficulty,
  type Mode,
  type Reply,
} from './protocol.js';
import type { ArenaStore, BattleRow, RatingChange } from './store.js';

/** How long a battle lasts by difficulty (s), unless the problem or the server says otherwise. */
export const DEFAULT_BATTLE_SECONDS: Record<Difficulty, number> = {
  easy: 10 * 60,
  medium: 20 * 60,
  hard: 30 * 60,
};

export interface BattleOptions {
  /** Overrides every battle's duration (s): for tests and events. */
  battleSeconds?: number;
  /** How long a player may be without any open connection before forfeiting (ms). */
  forfeitGraceMs: number;
  window?: WindowOptions;
  /** How often waiting players are paired again as their windows widen (ms). */
  matchIntervalMs?: number;
  random?: () => number;
}

interface Player {
  userId: string;
  username: string;
  language: ArenaLanguage;
  /** Rating when the battle started. */
  rating: number;
  /** The best submission so far: highest score, earliest among equals. */
  score: number;
  /** ms from the start to the best submission; null before any submission. */
  elapsedMs: number | null;
  submissions: number;
  /** Judging (and scoring) of the submission in flight, if any. */
  judging: Promise<void> | null;
}

interface LiveBattle {
  id: string;
  /** pending: an invitation not yet accepted; ending: time is up, judging in flight. */
  status: 'pending' | 'active' | 'ending' | 'ended';
  mode: Mode;
  difficulty: Difficulty;
  problem: Problem;
  players: Player[];
  invitee: { userId: string; username: string } | null;
  /** The invitee's battle_invite notification. */
  notificationId: string | null;
  timeLimit: number;
  created: string;
  startedAt: number;
  timer: NodeJS.Timeout | null;
}

/** An invitation nobody answered is withdrawn after this long. */
export const INVITATION_TTL_MS = 10 * 60 * 1000;
const MAX_ERRORS = 10;
const MAX_ERROR_MESSAGE = 2000;

export class BattleService {
  private readonly battles = new Map<string, LiveBattle>();
  private readonly activeByUser = new Map<string, string>();
  private readonly forfeitTimers = new Map<string, NodeJS.Timeout>();
  readonly queue: Matchmaker;
  private matchTimer: NodeJS.Timeout | null = null;
  private readonly endings = new Set<Promise<void>>();

  constructor(
    private readonly store: ArenaStore,
    private readonly bank: ProblemBank,
    private readonly sandbox: SandboxPool,
    private readonly hub: Hub,
    private readonly notifications: NotificationService,
    private readonly logger: Logger,
    private readonly options: BattleOptions,
  ) {
    this.queue = new Matchmaker(options.window ?? DEFAULT_WINDOW);
  }

  // --- the queue -------------------------------------------------------------------

  async joinQueue(
    user: AuthenticatedUser,
    connectionId: string,
    request: { difficulty: Difficulty; language: ArenaLanguage; mode: Mode },
  ): Promise<Reply> {
    this.checkFree(user.id);
    if (this.bank.list(request.difficulty).length === 0) {
      throw new ArenaError('NOT_FOUND', `No ${request.difficulty} problem is available`, {
        difficulty: request.difficulty,
      });
    }
    const { rating } = await this.store.rating(user.id);
    this.checkFree(user.id); // again: another request may have won the race meanwhile
    this.queue.add({ userId: user.id, username: user.username, rating, connectionId, ...request });
    return {
      data: {
        status: 'queued',
        ...request,
        rating,
        position: this.queue.positionOf(user.id),
      },
      after: () => this.match(),
    };
  }

  private checkFree(userId: string): void {
    const battleId = this.activeByUser.get(userId);
    if (battleId !== undefined)
      throw new ArenaError('ALREADY_IN_BATTLE', 'You are already in a battle', { battleId });
    if (this.queue.has(userId)) {
      const entry = this.queue.get(userId)!;
      throw new ArenaError('ALREADY_QUEUED', 'You are already waiting for a battle', {
        difficulty: entry.difficulty,
        mode: entry.mode,
      });
    }
  }

  /** Pairs whoever can be paired; keeps a timer going while anyone waits. */
  private match(): void {
    for (const [a, b] of this.queue.takeMatches()) this.track(this.startQueued(a, b));
    if (this.queue.size > 0 && this.matchTimer === null) {
      this.matchTimer = setInterval(() => {
        this.match();
        if (this.queue.size === 0 && this.matchTimer !== null) {
          clearInterval(this.matchTimer);
          this.matchTimer = null;
        }
      }, this.options.matchIntervalMs ?? 1000);
      this.matchTimer.unref();
    }
  }

  private async startQueued(a: QueueEntry, b: QueueEntry): Promise<void> {
    const problem = this.bank.pick(a.difficulty, this.options.random)!;
    const battle: LiveBattle = {
      id: randomUUID(),
      status: 'pending',
      mode: a.mode,
      difficulty: a.difficulty,
      problem,
      players: [
        player(a.userId, a.username, a.language, a.rating),
        player(b.userId, b.username, b.language, b.rating),
      ],
      invitee: null,
      notificationId: null,
      timeLimit: this.timeLimitFor(problem),
      created: new Date().toISOString(),
      startedAt: 0,
      timer: null,
    };
    // Registered at once, so neither player can queue or accept an invitation meanwhile.
    this.battles.set(battle.id, battle);
    for (const p of battle.players) this.activeByUser.set(p.userId, battle.id);
    try {
      await this.store.insertBattle(this.rowOf(battle));
    } catch (error) {
      this.logger.error({ err: error, battleId: battle.id }, 'arena: could not store a new battle');
      this.battles.delete(battle.id);
      for (const p of battle.players) this.activeByUser.delete(p.userId);
      return;
    }
    await this.start(battle);
  }

  leaveQueue(userId: string): boolean {
    return this.queue.remove(userId) !== undefined;
  }

  // --- invitations ---------------------------------------------------------------

  async invite(
    inviter: AuthenticatedUser,
    request: { username: string; difficulty: Difficulty; language: ArenaLanguage; mode: Mode },
  ): Promise<Reply> {
    const invitee = await this.store.findUserByUsername(request.username);
    if (!invitee) throw new ArenaError('NOT_FOUND', 'No such user', { username: request.username });
    if (invitee.id === inviter.id)
      throw new ArenaError('VALIDATION_ERROR', 'You cannot invite yourself', {});
    const busy = this.activeByUser.get(inviter.id);
    if (busy !== undefined)
      throw new ArenaError('ALREADY_IN_BATTLE', 'You are already in a battle', { battleId: busy });
    const problem = this.bank.pick(request.difficulty, this.options.random);
    if (!problem) {
      throw new ArenaError('NOT_FOUND', `No ${request.difficulty} problem is available`, {
        difficulty: request.difficulty,
      });
    }
    const { rating } = await this.store.rating(inviter.id);
    const battle: LiveBattle = {
      id: randomUUID(),
      status: 'pending',
      mode: request.mode,
      difficulty: request.difficulty,
      problem,
      players: [player(inviter.id, inviter.username, request.language, rating)],
      invitee: { userId: invitee.id, username: invitee.username },
      notificationId: null,
      timeLimit: this.timeLimitFor(problem),
      created: new Date().toISOString(),
      startedAt: 0,
      timer: null,
    };
    await this.store.insertBattle(this.rowOf(battle));
    this.battles.set(battle.id, battle);
    battle.timer = setTimeout(() => this.track(this.expire(battle)), INVITATION_TTL_MS);
    battle.timer.unref();
    const notification = await this.notifications.notifyUser(invitee.id, {
      type: 'battle_invite',
      title: 'Battle Invitation',
      message: `${inviter.username} invited you to a battle`,
      data: {
        battleId: battle.id,
        inviterId: inviter.id,
        inviter: inviter.username,
        difficulty: request.difficulty,
        mode: request.mode,
      },
      actions: ['accept', 'decline'],
    });
    battle.notificationId = notification.id;
    return {
      data: {
        battleId: battle.id,
        notificationId: notification.id,
        invitee: { userId: invitee.id, username: invitee.username },
        difficulty: request.difficulty,
        mode: request.mode,
        status: 'pending',
      },
    };
  }

  /** notification:respond on a battle_invite. */
  async respond(
    user: AuthenticatedUser,
    request: { notificationId: string; action: 'accept' | 'decline'; language?: ArenaLanguage },
  ): Promise<Reply> {
    const row = await this.store.notification(request.notificationId);
    if (!row || row.user_id !== user.id)
      throw new ArenaError('NOT_FOUND', 'No such notification', {
        notificationId: request.notificationId,
      });
    if (row.type !== 'battle_invite') {
      throw new ArenaError('VALIDATION_ERROR', 'This notification takes no answer', {
        notificationId: row.id,
        type: row.type,
      });
    }
    const battleId = String((JSON.parse(row.data) as { battleId?: unknown }).battleId);
    const battle = await this.pendingInvitation(battleId, user.id);
    if (request.action === 'accept') this.checkCanAccept(battle, user.id);
    await this.notifications.answer(user.id, row.id, request.action);
    if (request.action === 'decline') {
      await this.decline(battle, user);
      return { data: { notificationId: row.id, action: 'decline', battleId, status: 'declined' } };
    }
    const after = await this.accept(battle, user, request.language);
    return {
      data: { notificationId: row.id, action: 'accept', battleId, status: 'active' },
      after,
    };
  }

  private async pendingInvitation(battleId: string, userId: string): Promise<LiveBattle> {
    const battle = this.battles.get(battleId);
    if (!battle || battle.status !== 'pending' || battle.invitee?.userId !== userId)
      throw await this.invalidBattle(battleId);
    return battle;
  }

  private checkCanAccept(battle: LiveBattle, userId: string): void {
    const mine = this.activeByUser.get(userId);
    if (mine !== undefined)
      throw new ArenaError('ALREADY_IN_BATTLE', 'You are already in a battle', { battleId: mine });
    const inviter = battle.players[0]!;
    const theirs = this.activeByUser.get(inviter.userId);
    if (theirs !== undefined) {
      throw new ArenaError('ALREADY_IN_BATTLE', `${inviter.username} is in another battle`, {
        userId: inviter.userId,
      });
    }
  }

  /** The invitee takes the second seat; returns what starts the battle after the response. */
  private async accept(
    battle: LiveBattle,
    user: AuthenticatedUser,
    language: ArenaLanguage | undefined,
  ): Promise<() => Promise<void>> {
    this.checkCanAccept(battle, user.id);
    const { rating } = await this.store.rating(user.id);
    if (battle.status !== 'pending' || battle.players.length !== 1)
      throw await this.invalidBattle(battle.id);
    this.checkCanAccept(battle, user.id);
    battle.players.push(
      player(user.id, user.username, language ?? battle.players[0]!.language, rating),
    );
    for (const p of battle.players) {
      this.queue.remove(p.userId);
      this.activeByUser.set(p.userId, battle.id);
    }
    return () => this.start(battle);
  }

  private async expire(battle: LiveBattle): Promise<void> {
    if (battle.status !== 'pending' || battle.players.length !== 1) return;
    battle.status = 'ended';
    this.battles.delete(battle.id);
    await this.store.updateBattle(battle.id, {
      status: 'expired',
      ended: new Date().toISOString(),
    });
  }

  private async decline(battle: LiveBattle, user: AuthenticatedUser): Promise<void> {
    battle.status = 'ended';
    if (battle.timer) clearTimeout(battle.timer);
    this.battles.delete(battle.id);
    await this.store.updateBattle(battle.id, {
      status: 'declined',
      ended: new Date().toISOString(),
    });
    const inviter = battle.players[0]!;
    await this.notifications.notifyUser(inviter.userId, {
      type: 'battle_declined',
      title: 'Invitation declined',
      message: `${user.username} declined your battle invitation`,
      data: { battleId: battle.id, userId: user.id, username: user.username },
    });
  }

  // --- joining and leaving a battle by id --------------------------------------------

  async joinBattle(
    user: AuthenticatedUser,
    battleId: string,
    language: ArenaLanguage | undefined,
  ): Promise<Reply> {
    const battle = this.battles.get(battleId);
    if (!battle || battle.status === 'ended') throw await this.invalidBattle(battleId);
    const me = battle.players.find((p) => p.userId === user.id);
    if (me && battle.status !== 'pending') {
      // A player back on a new connection: the battle as it stands.
      return {
        data: { status: battle.status, ...this.matchedData(battle, me), you: this.standing(me) },
      };
    }
    if (me && battle.status === 'pending') {
      const invitee = battle.invitee;
      return { data: { status: 'pending', battleId: battle.id, invitee } };
    }
    if (battle.status === 'pending' && battle.invitee?.userId === user.id) {
      this.checkCanAccept(battle, user.id);
      const after = await this.accept(battle, user, language);
      // Joining the battle answers the invitation too.
      if (battle.notificationId)
        await this.store.answerNotification(battle.notificationId, 'accept');
      return { data: { status: 'matched', battleId: battle.id }, after };
    }
    if (battle.players.length >= 2 || battle.status !== 'pending') {
      throw new ArenaError('BATTLE_FULL', 'Battle room is full', {
        battleId,
        players: battle.players.length,
      });
    }
    throw new ArenaError('FORBIDDEN', 'This battle is an invitation for another player', {
      battleId,
    });
  }

  /** battle:leave with a battleId: a player gives up (forfeit); an inviter cancels. */
  async leaveBattle(user: AuthenticatedUser, battleId: string): Promise<Reply> {
    const battle = this.battles.get(battleId);
    if (!battle || battle.status === 'ended') throw await this.invalidBattle(battleId);
    const me = battle.players.find((p) => p.userId === user.id);
    if (battle.status === 'pending') {
      if (me) {
        battle.status = 'ended';
        if (battle.timer) clearTimeout(battle.timer);
        this.battles.delete(battle.id);
        await this.store.updateBattle(battle.id, {
          status: 'cancelled',
          ended: new Date().toISOString(),
        });
        return { data: { battleId, status: 'cancelled' } };
      }
      if (battle.invitee?.userId === user.id) {
        if (battle.notificationId)
          await this.store.answerNotification(battle.notificationId, 'decline');
        await this.decline(battle, user);
        return { data: { battleId, status: 'declined' } };
      }
    }
    if (!me) throw new ArenaError('FORBIDDEN', 'You are not a player of this battle', { battleId });
    if (battle.status !== 'active') throw await this.invalidBattle(battleId);
    const winner = battle.players.find((p) => p !== me)!;
    return {
      data: { battleId, status: 'forfeited' },
      after: () => this.end(battle, winner.userId, 'forfeit'),
    };
  }

  // --- the battle itself ---------------------------------------------------------

  private async start(battle: LiveBattle): Promise<void> {
    if (battle.timer) clearTimeout(battle.timer); // an invitation's expiry
    battle.status = 'active';
    battle.startedAt = Date.now();
    try {
      await this.store.updateBattle(battle.id, {
        status: 'active',
        started: new Date(battle.startedAt).toISOString(),
        player2_id: battle.players[1]!.userId,
        player2_language: battle.players[1]!.language,
      });
    } catch (error) {
      this.logger.error(
        { err: error, battleId: battle.id },
        'arena: could not store a battle start',
      );
    }
    battle.timer = setTimeout(() => this.track(this.timeUp(battle)), battle.timeLimit * 1000);
    battle.timer.unref();
    for (const p of battle.players)
      this.hub.toUser(p.userId, 'battle:matched', this.matchedData(battle, p));
    // A player with no connection (an invitation accepted while the inviter was away)
    // has the grace period to come back, as after a disconnect.
    for (const p of battle.players) if (!this.hub.isOnline(p.userId)) this.userOffline(p.userId);
  }

  /** The spec's battle:matched for one player (their language's starter; their opponent). */
  private matchedData(battle: LiveBattle, me: Player) {
    const opponent = battle.players.find((p) => p !== me)!;
    return {
      battleId: battle.id,
      opponent: { userId: opponent.userId, username: opponent.username, rating: opponent.rating },
      problem: battleProblem(battle.problem, me.language),
      timeLimit: battle.timeLimit,
      language: me.language,
      mode: battle.mode,
      difficulty: battle.difficulty,
      startedAt: new Date(battle.startedAt).toISOString(),
      endsAt: new Date(battle.startedAt + battle.timeLimit * 1000).toISOString(),
    };
  }

  private standing(p: Player) {
    return {
      score: p.score,
      time: p.elapsedMs === null ? null : p.elapsedMs / 1000,
      submissions: p.submissions,
    };
  }

  async submit(
    user: AuthenticatedUser,
    request: { battleId: string; code: string; language: ArenaLanguage },
  ): Promise<Reply> {
    const battle = this.battles.get(request.battleId);
    if (!battle || battle.status === 'ended' || battle.status === 'ending')
      throw await this.invalidBattle(request.battleId);
    const me = battle.players.find((p) => p.userId === user.id);
    if (!me)
      throw new ArenaError('FORBIDDEN', 'You are not a player of this battle', {
        battleId: battle.id,
      });
    if (battle.status === 'pending') {
      throw new ArenaError('INVALID_BATTLE_ID', 'The battle has not started', {
        battleId: battle.id,
        status: 'pending',
      });
    }
    if (me.judging)
      throw new ArenaError('SUBMISSION_PENDING', 'Your previous submission is still being judged', {
        battleId: battle.id,
      });
    if (request.code.trim() === '')
      throw new ArenaError('INVALID_CODE', 'The code is empty', {
        battleId: battle.id,
        reason: 'empty',
      });
    if (request.code.length > MAX_CODE_CHARS) {
      throw new ArenaError('INVALID_CODE', `The code is longer than ${MAX_CODE_CHARS} characters`, {
        battleId: battle.id,
        reason: 'too_large',
        limit: MAX_CODE_CHARS,
      });
    }
    const elapsedMs = Date.now() - battle.startedAt;
    const opponent = battle.players.find((p) => p !== me)!;
    this.hub.toUser(opponent.userId, 'battle:submission', {
      battleId: battle.id,
      userId: me.userId,
      status: 'submitted',
      timestamp: new Date().toISOString(),
    });
    const work = this.judgeAndScore(battle, me, request, elapsedMs);
    me.judging = work.then(
      () => {},
      () => {},
    );
    try {
      return await work;
    } finally {
      me.judging = null;
    }
  }

  private async judgeAndScore(
    battle: LiveBattle,
    me: Player,
    request: { code: string; language: ArenaLanguage },
    elapsedMs: number,
  ): Promise<Reply> {
    const problem = battle.problem;
    let result: JudgeResult;
    try {
      result = await this.sandbox.judge({
        language: request.language,
        code: request.code,
        function: problem.function,
        tests: problem.tests,
        timeoutMs: problem.timeLimitMs,
        // Battle judging: served before runner traffic, which cannot take its workers.
        class: 'judge',
        owner: { kind: 'user', key: me.userId },
      });
    } catch (error) {
      throw judgeFailure(error, battle.id);
    }
    const score =
      result.totalTests === 0 ? 0 : Math.floor((100 * result.testsPassed) / result.totalTests);
    const submissionId = randomUUID();
    me.submissions++;
    await this.store.insertSubmission({
      id: submissionId,
      battle_id: battle.id,
      user_id: me.userId,
      language: request.language,
      code: request.code,
      verdict: result.verdict,
      tests_passed: result.testsPassed,
      total_tests: result.totalTests,
      score,
      execution_time: seconds(result.executionTime),
      memory_used: round1(result.memoryUsed),
      elapsed_ms: elapsedMs,
      submitted: new Date().toISOString(),
    });
    if (result.verdict === 'Compilation Error') {
      throw new ArenaError('INVALID_CODE', 'Code submission failed validation', {
        battleId: battle.id,
        submissionId,
        verdict: result.verdict,
        message: clip(result.error ?? 'compilation error'),
      });
    }
    // Counts while the battle is live, and also when time ran out during judging (the
    // end waits for it): it was submitted in time.
    const counts = battle.status === 'active' || battle.status === 'ending';
    if (counts && (me.elapsedMs === null || score > me.score)) {
      me.score = score;
      me.elapsedMs = elapsedMs;
    }
    const data = {
      battleId: battle.id,
      testsPassed: result.testsPassed,
      totalTests: result.totalTests,
      executionTime: seconds(result.executionTime),
      memoryUsed: round1(result.memoryUsed),
      errors: errorsOf(result),
    };
    this.hub.toUser(me.userId, 'battle:execution_result', data);
    const solved = result.totalTests > 0 && result.testsPassed === result.totalTests;
    return {
      data: { ...data, submissionId, verdict: result.verdict, score },
      after:
        solved && battle.status === 'active'
          ? () => this.end(battle, me.userId, 'solved')
          : undefined,
    };
  }

  /** Time is up: wait for submissions being judged, then best score wins, then earliest. */
  private async timeUp(battle: LiveBattle): Promise<void> {
    if (battle.status !== 'active') return;
    battle.status = 'ending';
    await Promise.all(battle.players.map((p) => p.judging));
    const [a, b] = battle.players as [Player, Player];
    let winner: string | null = null;
    if (a.score !== b.score) winner = a.score > b.score ? a.userId : b.userId;
    else if (a.score > 0 && a.elapsedMs !== b.elapsedMs)
      winner = a.elapsedMs! < b.elapsedMs! ? a.userId : b.userId;
    await this.end(battle, winner, 'timeout');
  }

  private async end(
    battle: LiveBattle,
    winner: string | null,
    reason: 'solved' | 'timeout' | 'forfeit',
  ) {
    if (battle.status === 'ended') return;
    battle.status = 'ended';
    if (battle.timer) clearTimeout(battle.timer);
    this.battles.delete(battle.id);
    for (const p of battle.players) {
      if (this.activeByUser.get(p.userId) === battle.id) this.activeByUser.delete(p.userId);
      const timer = this.forfeitTimers.get(p.userId);
      if (timer) clearTimeout(timer);
      this.forfeitTimers.delete(p.userId);
    }
    const results = Object.fromEntries(
      battle.players.map((p) => [p.userId, { score: p.score, time: this.standing(p).time }]),
    );
    const ended = new Date().toISOString();
    let ratings: Record<string, { before: number; after: number }> = {};
    try {
      const changes = await this.store.finishBattle(
        battle.id,
        {
          status: 'ended',
          ended,
          winner_id: winner,
          end_reason: reason,
          results: JSON.stringify(results),
        },
        battle.mode === 'practice' ? null : (current) => rate(battle, current, winner),
        battle.players.map((p) => p.userId),
      );
      ratings = Object.fromEntries(changes);
    } catch (error) {
      this.logger.error(
        { err: error, battleId: battle.id },
        'arena: could not store the end of a battle',
      );
    }
    this.hub.toUsers(
      battle.players.map((p) => p.userId),
      'battle:ended',
      { battleId: battle.id, winner, results, reason, ratings },
    );
  }

  // --- presence --------------------------------------------------------------------

  /** A connection closed: out of the queue if it queued; a grace period if it was the last. */
  connectionClosed(connectionId: string, userId: string): void {
    this.queue.removeByConnection(connectionId);
    if (!this.hub.isOnline(userId)) this.userOffline(userId);
  }

  private userOffline(userId: string): void {
    const battleId = this.activeByUser.get(userId);
    if (battleId === undefined) return;
    const previous = this.forfeitTimers.get(userId);
    if (previous) clearTimeout(previous);
    const timer = setTimeout(() => {
      this.forfeitTimers.delete(userId);
      // Checked when the grace period ends, not cancelled on reconnect: a reconnect
      // that never completes its handshake then cannot save a player by mistake.
      if (this.hub.isOnline(userId)) return;
      const battle = this.battles.get(battleId);
      if (!battle || battle.status !== 'active') return;
      const winner = battle.players.find((p) => p.userId !== userId);
      if (winner) this.track(this.end(battle, winner.userId, 'forfeit'));
    }, this.options.forfeitGraceMs);
    timer.unref();
    this.forfeitTimers.set(userId, timer);
  }

  // --- reading ---------------------------------------------------------------------

  /** Whether the user plays (or played) in that battle: its chat channel is theirs. */
  async isPlayer(battleId: string, userId: string): Promise<boolean | null> {
    const live = this.battles.get(battleId);
    if (live)
      return live.players.some((p) => p.userId === userId) || live.invitee?.userId === userId;
    const row = await this.store.battle(battleId);
    if (!row) return null;
    return row.player1_id === userId || row.player2_id === userId;
  }

  /** GET /api/battles/<id>. */
  async view(battleId: string) {
    const row = await this.store.battle(battleId);
    if (!row) return null;
    const live = this.battles.get(battleId);
    const ids = [row.player1_id, row.player2_id].filter((id): id is string => id !== null);
    const [names, counts] = await Promise.all([
      this.store.usernames(ids),
      this.store.submissionCounts(battleId),
    ]);
    const results = row.results
      ? (JSON.parse(row.results) as Record<string, { score: number; time: number | null }>)
      : {};
    const ratings = row.ratings
      ? (JSON.parse(row.ratings) as Record<string, { before: number; after: number }>)
      : {};
    const problem = this.bank.get(row.problem_id);
    const players = ids.map((id, i) => {
      const livePlayer = live?.players.find((p) => p.userId === id);
      return {
        userId: id,
        username: names.get(id) ?? null,
        language: i === 0 ? row.player1_language : row.player2_language,
        score: livePlayer ? livePlayer.score : (results[id]?.score ?? 0),
        time: livePlayer ? this.standing(livePlayer).time : (results[id]?.time ?? null),
        submissions: counts.get(id) ?? 0,
        rating: ratings[id] ?? null,
      };
    });
    return {
      id: row.id,
      status: live && live.status === 'ending' ? 'active' : row.status,
      mode: row.mode,
      difficulty: row.difficulty,
      problem: { id: row.problem_id, title: problem?.title ?? null, difficulty: row.difficulty },
      timeLimit: row.time_limit,
      createdAt: row.created,
      startedAt: row.started,
      endedAt: row.ended,
      winner: row.winner_id,
      reason: row.end_reason,
      players,
      results: row.status === 'ended' ? results : null,
    };
  }

  private async invalidBattle(battleId: string): Promise<ArenaError> {
    const live = this.battles.get(battleId);
    const status = live
      ? live.status
      : ((await this.store.battle(battleId))?.status ?? 'not_found');
    return new ArenaError('INVALID_BATTLE_ID', 'Battle not found or already ended', {
      battleId,
      status,
    });
  }

  private timeLimitFor(problem: Problem): number {
    return (
      this.options.battleSeconds ??
      problem.battleSeconds ??
      DEFAULT_BATTLE_SECONDS[problem.difficulty]
    );
  }

  private rowOf(battle: LiveBattle): BattleRow {
    const [first, second] = battle.players;
    return {
      id: battle.id,
      status: battle.status,
      mode: battle.mode,
      difficulty: battle.difficulty,
      problem_id: battle.problem.id,
      player1_id: first!.userId,
      player1_language: first!.language,
      player2_id: second?.userId ?? null,
      player2_language: second?.language ?? null,
      time_limit: battle.timeLimit,
      created: battle.created,
      started: null,
      ended: null,
      winner_id: null,
      end_reason: null,
      results: null,
      ratings: null,
    };
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.logger.error({ err: error }, 'arena: battle task failed');
    });
    this.endings.add(tracked);
    void tracked.then(() => this.endings.delete(tracked));
  }

  /** Stops the timers and waits for endings in flight (live battles stay open in the store). */
  async close(): Promise<void> {
    if (this.matchTimer) clearInterval(this.matchTimer);
    this.matchTimer = null;
    for (const battle of this.battles.values()) if (battle.timer) clearTimeout(battle.timer);
    for (const timer of this.forfeitTimers.values()) clearTimeout(timer);
    this.forfeitTimers.clear();
    await Promise.all(this.endings);
  }
}

function player(userId: string, username: string, language: ArenaLanguage, rating: number): Player {
  return {
    userId,
    username,
    language,
    rating,
    score: 0,
    elapsedMs: null,
    submissions: 0,
    judging: null,
  };
}

function rate(
  battle: LiveBattle,
  current: Map<string, number>,
  winner: string | null,
): RatingChange[] {
  const [a, b] = battle.players as [Player, Player];
  const score = winner === null ? 0.5 : winner === a.userId ? 1 : 0;
  const [ra, rb] = updateRatings(current.get(a.userId)!, current.get(b.userId)!, score);
  const outcome = (mine: number) =>
    (mine === 1 ? 'win' : mine === 0 ? 'loss' : 'draw') as RatingChange['outcome'];
  return [
    { userId: a.userId, rating: ra, outcome: outcome(score) },
    { userId: b.userId, rating: rb, outcome: outcome(1 - score) },
  ];
}

function judgeFailure(error: unknown, battleId: string): ArenaError {
  if (error instanceof SandboxOwnerLimitError)
    return new ArenaError('RATE_LIMITED', 'Too many submissions being judged', { battleId });
  if (error instanceof SandboxRequestError)
    return new ArenaError('INVALID_CODE', error.message, { battleId, reason: 'rejected' });
  if (error instanceof SandboxBusyError || error instanceof SandboxUnavailableError)
    return new ArenaError('UNAVAILABLE', 'The judge is busy; submit again shortly', { battleId });
  return new ArenaError('INTERNAL_ERROR', 'The submission could not be judged', { battleId });
}

/**
 * What went wrong, per failing test. A visible test shows its data; a hidden one only
 * its number and verdict (the judge never hands out more about it anyway).
 */
export function errorsOf(result: JudgeResult) {
  const errors: Array<Record<string, unknown>> = [];
  for (const test of result.results) {
    if (test.passed || test.verdict === 'Not Run') continue;
    if (errors.length >= MAX_ERRORS) break;
    const number = test.index + 1;
    if (test.hidden) {
      errors.push({
        test: number,
        hidden: true,
        verdict: test.verdict,
        message: `${test.verdict} on hidden test ${number}`,
      });
    } else {
      errors.push({
        test: number,
        hidden: false,
        verdict: test.verdict,
        message: clip(
          test.error ?? `Expected ${preview(test.expected)}, got ${preview(test.actual)}`,
        ),
        input: test.input,
        expected: test.expected,
        actual: test.actual,
      });
    }
  }
  if (errors.length === 0 && result.verdict !== 'Accepted') {
    errors.push({
      test: null,
      hidden: false,
      verdict: result.verdict,
      message: clip(result.error ?? result.verdict),
    });
  }
  return errors;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function clip(text: string): string {
  return text.length > MAX_ERROR_MESSAGE ? `${text.slice(0, MAX_ERROR_MESSAGE)}…` : text;
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
