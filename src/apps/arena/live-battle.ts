// A battle while it is live: its players' standing, what a player is shown, and the row
// it is stored as. Pure data and functions; the services below change it.
import { randomUUID } from 'node:crypto';
import { battleProblem, type Problem } from './problems.js';
import type { ArenaLanguage, Difficulty, Mode } from './protocol.js';
import type { BattleRow } from './store/battles.js';

/** How long a battle lasts by difficulty (s), unless the problem or the server says otherwise. */
export const DEFAULT_BATTLE_SECONDS: Record<Difficulty, number> = {
  easy: 10 * 60,
  medium: 20 * 60,
  hard: 30 * 60,
};

export interface Player {
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

export interface LiveBattle {
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

/** A new battle, pending until it starts (a pair from the queue, or an invitation). */
export function newBattle(fields: {
  mode: Mode;
  difficulty: Difficulty;
  problem: Problem;
  players: Player[];
  invitee: { userId: string; username: string } | null;
  timeLimit: number;
}): LiveBattle {
  return {
    id: randomUUID(),
    status: 'pending',
    ...fields,
    notificationId: null,
    created: new Date().toISOString(),
    startedAt: 0,
    timer: null,
  };
}

export function newPlayer(
  userId: string,
  username: string,
  language: ArenaLanguage,
  rating: number,
): Player {
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

/** The server's override, else the problem's own duration, else by difficulty (s). */
export function timeLimitFor(problem: Problem, battleSeconds: number | undefined): number {
  return battleSeconds ?? problem.battleSeconds ?? DEFAULT_BATTLE_SECONDS[problem.difficulty];
}

export function standing(p: Player) {
  return {
    score: p.score,
    time: p.elapsedMs === null ? null : p.elapsedMs / 1000,
    submissions: p.submissions,
  };
}

/** The spec's battle:matched for one player (their language's starter; their opponent). */
export function matchedData(battle: LiveBattle, me: Player) {
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

/** The row a new battle is inserted as. */
export function rowOf(battle: LiveBattle): BattleRow {
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
