// Battle invitations: read from notifications (live or stored) and answered from a panel.
import type { ArenaClient } from '@client/index.js';
import { notify } from '../lib/toasts';
import { message } from './battle-types';

export interface Invitation {
  id: string;
  title: string;
  message: string;
  battleId?: string;
  inviter?: string;
  answered?: boolean;
}

/** From a live notification:user event or a stored notification (which also has `response`). */
export function toInvitation(notification: object): Invitation {
  const data = notification as Record<string, unknown>;
  const inner = (data.data ?? {}) as Record<string, unknown>;
  return {
    id: String(data.id ?? data.notificationId ?? ''),
    title: String(data.title ?? 'Notification'),
    message: String(data.message ?? ''),
    battleId: typeof inner.battleId === 'string' ? inner.battleId : undefined,
    inviter: typeof inner.inviter === 'string' ? inner.inviter : undefined,
    answered: Boolean(data.response),
  };
}

export function Notifications({
  client,
  invitations,
  setInvitations,
}: {
  client: ArenaClient;
  invitations: Invitation[];
  setInvitations: (update: (list: Invitation[]) => Invitation[]) => void;
}) {
  if (invitations.length === 0) return null;
  const answer = async (invitation: Invitation, action: 'accept' | 'decline') => {
    try {
      await client.respondToNotification(invitation.id, action, 'javascript');
      setInvitations((list) =>
        list.map((i) => (i.id === invitation.id ? { ...i, answered: true } : i)),
      );
    } catch (err) {
      notify(message(err), 'error');
    }
  };
  return (
    <section class="notifications" aria-label="Notifications">
      <h2>Notifications</h2>
      <ul>
        {invitations.map((invitation) => (
          <li key={invitation.id}>
            <strong>{invitation.title}</strong> {invitation.message}
            {invitation.battleId && !invitation.answered && (
              <span class="row">
                <button type="button" onClick={() => void answer(invitation, 'accept')}>
                  Accept
                </button>
                <button
                  type="button"
                  class="secondary"
                  onClick={() => void answer(invitation, 'decline')}
                >
                  Decline
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
