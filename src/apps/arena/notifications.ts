// Notifications: a user's (notification:user) go to every open connection of that user,
// or wait in the store until the user next connects; the system's (notification:system)
// go to every connection open at that moment. All are stored, for GET /api/notifications.
import { randomUUID } from 'node:crypto';
import { ArenaError } from './errors.js';
import type { Outbox } from './outbox.js';
import { KeyedQueue } from '../keyed-queue.js';
import type { NotificationRow, NotificationStore } from './store/notifications.js';
import type {
  NotificationPriority,
  SystemNotification,
  UserNotification,
} from '../../protocols/arena.js';

export interface UserNotificationInput {
  type: string;
  title: string;
  message: string;
  data?: Record<string, unknown>;
  actions?: string[];
}

export interface SystemNotificationInput {
  title: string;
  message: string;
  priority?: NotificationPriority;
  action?: { type: string; url?: string } | null;
}

export class NotificationService {
  // Per user: a notification's store-then-send and a connection's catch-up never
  // interleave, so each notification reaches the user exactly once.
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly store: NotificationStore,
    private readonly outbox: Outbox,
  ) {}

  async notifyUser(userId: string, input: UserNotificationInput) {
    const row: Omit<NotificationRow, 'seq'> = {
      id: randomUUID(),
      user_id: userId,
      kind: 'user',
      type: input.type,
      title: input.title,
      message: input.message,
      data: JSON.stringify(input.data ?? {}),
      actions: JSON.stringify(input.actions ?? []),
      priority: null,
      action: null,
      created: new Date().toISOString(),
      delivered: 0,
      response: null,
    };
    return this.queue.run(userId, async () => {
      await this.store.insert(row);
      const view = userView(row);
      // Stored first as undelivered: if the user has no connection, the next one gets it
      // (deliverPending runs in this same per-user queue).
      if (await this.outbox.isOnline(userId)) {
        this.outbox.toUser(userId, 'notification:user', view);
        await this.store.markDelivered([row.id]);
      }
      return view;
    });
  }

  /** Sends what waited for this user to its connections (called as one connects). */
  deliverPending(userId: string): Promise<number> {
    return this.queue.run(userId, async () => {
      const pending = await this.store.undelivered(userId);
      if (pending.length === 0 || !(await this.outbox.isOnline(userId))) return 0;
      for (const row of pending) this.outbox.toUser(userId, 'notification:user', userView(row));
      await this.store.markDelivered(pending.map((row) => row.id));
      return pending.length;
    });
  }

  async notifySystem(input: SystemNotificationInput) {
    const row: Omit<NotificationRow, 'seq'> = {
      id: randomUUID(),
      user_id: null,
      kind: 'system',
      type: 'system',
      title: input.title,
      message: input.message,
      data: '{}',
      actions: '[]',
      priority: input.priority ?? 'normal',
      action: input.action ? JSON.stringify(input.action) : null,
      created: new Date().toISOString(),
      delivered: 1,
      response: null,
    };
    await this.store.insert(row);
    const view = systemView(row);
    const recipients = this.outbox.toEveryone('notification:system', view);
    return { notification: view, recipients };
  }

  /** Records a user's answer to one of their notifications (once). */
  async answer(userId: string, notificationId: string, action: string): Promise<NotificationRow> {
    const row = await this.store.get(notificationId);
    if (!row || row.user_id !== userId)
      throw new ArenaError('NOT_FOUND', 'No such notification', { notificationId });
    const actions = JSON.parse(row.actions) as string[];
    if (!actions.includes(action)) {
      throw new ArenaError('VALIDATION_ERROR', `This notification does not take "${action}"`, {
        notificationId,
        actions,
      });
    }
    if (!(await this.store.answer(notificationId, action))) {
      throw new ArenaError('CONFLICT', 'This notification was already answered', {
        notificationId,
        response: row.response,
      });
    }
    return row;
  }

  async list(userId: string, limit: number, before?: string) {
    let beforeSeq: number | undefined;
    if (before !== undefined) {
      const anchor = await this.store.get(before);
      if (!anchor || (anchor.user_id !== userId && anchor.kind !== 'system'))
        throw new ArenaError('NOT_FOUND', 'Unknown notification id in "before"');
      beforeSeq = anchor.seq;
    }
    const rows = await this.store.list(userId, limit, beforeSeq);
    return rows.map((row) =>
      row.kind === 'system'
        ? { kind: 'system', ...systemView(row) }
        : {
            kind: 'user',
            ...userView(row),
            delivered: row.delivered === 1,
            response: row.response,
          },
    );
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }
}

/** The spec's notification:user data (plus createdAt). */
export function userView(row: Omit<NotificationRow, 'seq'>): UserNotification {
  return {
    id: row.id,
    type: row.type,
    title: row.title,
    message: row.message,
    data: JSON.parse(row.data) as Record<string, unknown>,
    actions: JSON.parse(row.actions) as string[],
    createdAt: row.created,
  };
}

/** The spec's notification:system data (plus createdAt). */
export function systemView(row: Omit<NotificationRow, 'seq'>): SystemNotification {
  return {
    id: row.id,
    title: row.title,
    message: row.message,
    // Stored from SystemNotificationInput's priority, so one of the three.
    priority: (row.priority ?? 'normal') as NotificationPriority,
    action: row.action === null ? null : (JSON.parse(row.action) as SystemNotification['action']),
    createdAt: row.created,
  };
}
