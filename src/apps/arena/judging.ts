// Submissions during a battle (battle:submit): checked, judged in the sandbox one at a
// time per player, stored, and scored. The opponent hears of each submission; a full
// score ends the battle.
import type { ArenaResponses } from '../../protocols/arena.js';
import { randomUUID } from 'node:crypto';
import type { JudgeResult, SandboxPool } from '../../sandbox/index.js';
import type { AuthenticatedUser } from '../types.js';
import type { BattleLifecycle } from './battle-lifecycle.js';
import { ArenaError } from './errors.js';
import { clip, errorsOf, judgeFailure } from './judge-errors.js';
import type { LiveBattle, Player } from './live-battle.js';
import type { LiveBattles } from './live-battles.js';
import type { Outbox } from './outbox.js';
import { MAX_CODE_CHARS, type ArenaLanguage, type Reply } from './protocol.js';
import type { SubmissionStore } from './store/submissions.js';

export class Judging {
  constructor(
    private readonly live: LiveBattles,
    private readonly sandbox: SandboxPool,
    private readonly submissions: SubmissionStore,
    private readonly outbox: Outbox,
    private readonly lifecycle: BattleLifecycle,
  ) {}

  async submit(
    user: AuthenticatedUser,
    request: { battleId: string; code: string; language: ArenaLanguage },
  ): Promise<Reply<ArenaResponses['battle:submit']>> {
    const battle = this.live.get(request.battleId);
    if (!battle || battle.status === 'ended' || battle.status === 'ending')
      throw await this.live.invalid(request.battleId);
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
    this.outbox.toUser(opponent.userId, 'battle:submission', {
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
  ): Promise<Reply<ArenaResponses['battle:submit']>> {
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
    await this.submissions.insert({
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
    this.outbox.toUser(me.userId, 'battle:execution_result', data);
    const solved = result.totalTests > 0 && result.testsPassed === result.totalTests;
    return {
      data: { ...data, submissionId, verdict: result.verdict, score },
      after:
        solved && battle.status === 'active'
          ? () => this.lifecycle.end(battle, me.userId, 'solved')
          : undefined,
    };
  }
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
