// Arena chat: public channels (`general`, …), a battle's channel (`battle:<id>`, its two
// players only) and a team's (`team:<id>`, members only). Messages are stored, then sent
// to every connection that joined the channel, one at a time per channel.
import { randomUUID } from 'node:crypto';
import type { AuthenticatedUser } from '../types.js';
import type { BattleService } from './battle-service.js';
import { ArenaError } from './errors.js';
import type { Outbox } from './outbox.js';
import { KeyedQueue } from '../keyed-queue.js';
import { isWellFormed } from '../well-formed-text.js';
import { channelSchema, MAX_CHAT_CHARS } from './protocol.js';
import type { ChatMessageStore, ChatRecord } from './store/chat-messages.js';
import type { TeamStore } from './store/teams.js';
import type { ChatMessageEvent } from '../../protocols/arena.js';

export const MAX_HISTORY_PAGE = 100;

export class ArenaChatService {
  private readonly queue = new KeyedQueue();
  /** Messages stored and sent since start (for /metrics). */
  sentCount = 0;

  constructor(
    private readonly messages: ChatMessageStore,
    private readonly teams: TeamStore,
    private readonly outbox: Outbox,
    private readonly battles: BattleService,
  ) {}

  /** The channel chat:join means: `battleId` names the battle's own channel. */
  channelFor(request: { channel: string; battleId?: string }): string {
    const channel = request.battleId !== undefined ? `battle:${request.battleId}` : request.channel;
    if (!channelSchema.safeParse(channel).success) {
      throw new ArenaError('VALIDATION_ERROR', 'Invalid channel name', {
        channel,
        rule: 'lower-case letters, digits, _ or - (1-64), or battle:<id> / team:<id>',
      });
    }
    return channel;
  }

  /** Throws unless the user may read and write the channel. */
  async authorize(user: AuthenticatedUser, channel: string): Promise<void> {
    if (channel.startsWith('battle:')) {
      const battleId = channel.slice('battle:'.length);
      const player = await this.battles.isPlayer(battleId, user.id);
      if (player === null)
        throw new ArenaError('INVALID_BATTLE_ID', 'Battle not found', {
          battleId,
          status: 'not_found',
        });
      if (!player)
        throw new ArenaError('FORBIDDEN', "Only the battle's players may use its channel", {
          channel,
        });
    } else if (channel.startsWith('team:')) {
      const teamId = channel.slice('team:'.length);
      if (!(await this.teams.get(teamId)))
        throw new ArenaError('NOT_FOUND', 'No such team', { teamId });
      if ((await this.teams.roleIn(teamId, user.id)) === null)
        throw new ArenaError('FORBIDDEN', "Only the team's members may use its channel", {
          channel,
        });
    }
  }

  async send(
    user: AuthenticatedUser,
    request: { channel: string; message: string; replyTo?: string },
  ): Promise<{ channel: string; messageId: string; timestamp: string }> {
    const body = request.message;
    if (!isWellFormed(body))
      throw new ArenaError('VALIDATION_ERROR', 'The message is not well-formed Unicode', {
        rule: 'no lone UTF-16 surrogates',
      });
    if (body.trim() === '') throw new ArenaError('VALIDATION_ERROR', 'The message is empty', {});
    if ([...body].length > MAX_CHAT_CHARS) {
      throw new ArenaError(
        'VALIDATION_ERROR',
        `A message may have at most ${MAX_CHAT_CHARS} characters`,
        {
          limit: MAX_CHAT_CHARS,
        },
      );
    }
    return this.queue.run(request.channel, async () => {
      if (
        request.replyTo !== undefined &&
        !(await this.messages.find(request.channel, request.replyTo))
      ) {
        throw new ArenaError('NOT_FOUND', 'The message replied to is not in this channel', {
          replyTo: request.replyTo,
        });
      }
      const record = {
        id: randomUUID(),
        channel: request.channel,
        userId: user.id,
        body,
        replyTo: request.replyTo ?? null,
        created: new Date().toISOString(),
      };
      await this.messages.insert(record);
      this.sentCount++;
      this.outbox.toChannel(
        request.channel,
        'chat:message',
        messageView({ ...record, username: user.username }),
      );
      return { channel: record.channel, messageId: record.id, timestamp: record.created };
    });
  }

  /** Newest first; `before` is a message id of the channel. */
  async history(
    user: AuthenticatedUser,
    channel: string,
    page: { before?: string; limit: number },
  ) {
    await this.authorize(user, channel);
    let beforeSeq: number | undefined;
    if (page.before !== undefined) {
      const anchor = await this.messages.find(channel, page.before);
      if (!anchor)
        throw new ArenaError('NOT_FOUND', 'Unknown message id in "before"', {
          before: page.before,
        });
      beforeSeq = anchor.seq;
    }
    const rows = await this.messages.list(channel, page.limit, beforeSeq);
    return rows.map(messageView);
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }
}

/** The spec's chat:message data (replyTo only on a reply). */
export function messageView(record: Omit<ChatRecord, 'seq'>): ChatMessageEvent {
  return {
    channel: record.channel,
    messageId: record.id,
    userId: record.userId,
    username: record.username,
    message: record.body,
    timestamp: record.created,
    ...(record.replyTo ? { replyTo: record.replyTo } : {}),
  };
}
