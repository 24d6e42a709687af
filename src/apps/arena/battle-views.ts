// Read views of a battle: GET /api/battles/<id> (the stored battle, with a live one's
// standing), and whether a user may use a battle's chat channel.
import { standing } from './live-battle.js';
import type { LiveBattles } from './live-battles.js';
import type { ProblemBank } from './problems.js';
import type { BattleStore } from './store/battles.js';
import type { SubmissionStore } from './store/submissions.js';
import type { UsernameStore } from './store/usernames.js';

export class BattleViews {
  constructor(
    private readonly live: LiveBattles,
    private readonly bank: ProblemBank,
    private readonly battles: BattleStore,
    private readonly submissions: SubmissionStore,
    private readonly usernames: UsernameStore,
  ) {}

  /** Whether the user plays (or played) in that battle: its chat channel is theirs. */
  async isPlayer(battleId: string, userId: string): Promise<boolean | null> {
    const live = this.live.get(battleId);
    if (live)
      return live.players.some((p) => p.userId === userId) || live.invitee?.userId === userId;
    const row = await this.battles.get(battleId);
    if (!row) return null;
    return row.player1_id === userId || row.player2_id === userId;
  }

  /** GET /api/battles/<id>; null when there is no such battle. */
  async view(battleId: string) {
    const row = await this.battles.get(battleId);
    if (!row) return null;
    const live = this.live.get(battleId);
    const ids = [row.player1_id, row.player2_id].filter((id): id is string => id !== null);
    const [names, counts] = await Promise.all([
      this.usernames.byIds(ids),
      this.submissions.countsByUser(battleId),
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
        time: livePlayer ? standing(livePlayer).time : (results[id]?.time ?? null),
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
}
