// Screens that need an account show this instead of themselves when nobody is signed in.
import { currentUser, type User } from './session';

export function SignInFirst({ what }: { what: string }) {
  const next = typeof location === 'undefined' ? '/' : location.pathname;
  return (
    <section class="page narrow">
      <h1>Sign in first</h1>
      <p>
        {what} needs an account. <a href={`/signin?next=${encodeURIComponent(next)}`}>Sign in</a> or{' '}
        <a href={`/signup?next=${encodeURIComponent(next)}`}>create an account</a>.
      </p>
    </section>
  );
}

export function useUser(): User | null {
  return currentUser.value;
}
