import { useLocation } from 'preact-iso';
import { currentAvatar, currentUser, signOut } from '../lib/session';
import { ConnectionBadge } from './connection-badge';

const NAV = [
  { href: '/pads', label: 'Pads' },
  { href: '/chat', label: 'Chat' },
  { href: '/battles', label: 'Battles' },
  { href: '/leaderboard', label: 'Leaderboard' },
  { href: '/runner', label: 'Runner' },
];

export function Header() {
  const { path, route } = useLocation();
  const user = currentUser.value;
  return (
    <header class="site-header">
      <a class="brand" href="/">
        <img src="/favicon.svg" alt="" width="24" height="24" />
        ringside
      </a>
      <nav aria-label="Main">
        {NAV.map((item) => (
          <a
            key={item.href}
            href={item.href}
            aria-current={path.startsWith(item.href) ? 'page' : undefined}
          >
            {item.label}
          </a>
        ))}
      </nav>
      <div class="header-end">
        <ConnectionBadge />
        {user ? (
          <>
            <a
              class="user"
              href="/profile"
              data-testid="current-user"
              aria-label={`${user.username}: profile`}
            >
              {currentAvatar.value && (
                <img class="avatar" src={currentAvatar.value} alt="" width="28" height="28" />
              )}
              {user.username}
            </a>
            <button
              type="button"
              class="secondary"
              onClick={() => {
                signOut();
                route('/');
              }}
            >
              Sign out
            </button>
          </>
        ) : (
          <a class="button secondary" href="/signin">
            Sign in
          </a>
        )}
      </div>
    </header>
  );
}
