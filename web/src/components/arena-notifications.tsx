// Battle invitations and system notices reach a signed-in user on every screen as toasts
// (the battles screen has its own connection and panel, so this one steps aside there).
import { useLocation } from 'preact-iso';
import { useEffect } from 'preact/hooks';
import { currentUser } from '../lib/session';
import { authToken } from '../lib/session-token';
import { notify } from '../lib/toasts';
import { RECONNECT } from '../lib/connection';

export function ArenaNotifications() {
  const user = currentUser.value;
  const { path } = useLocation();
  const active = Boolean(user) && !path.startsWith('/battles');
  useEffect(() => {
    if (!active) return;
    let closed = false;
    let close = () => {};
    // The SDK stays out of the first screen's JavaScript: loaded once someone is signed in.
    void import('@client/index.js').then(({ ArenaClient }) => {
      if (closed) return;
      const client = new ArenaClient({ token: () => authToken() ?? '', ...RECONNECT });
      client.on('notification:user', (data) =>
        notify(`${String(data.title ?? 'Notification')} (see Battles)`),
      );
      client.on('notification:system', (data) =>
        notify(String(data.title ?? data.message ?? 'Notice')),
      );
      close = () => client.close();
    });
    return () => {
      closed = true;
      close();
    };
  }, [active, user?.id]);
  return null;
}
