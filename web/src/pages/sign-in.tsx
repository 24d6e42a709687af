// Sign in and sign up (one form; the path says which). Every refusal is shown as the
// server explains it: taken name, bad credentials, too many attempts (with the wait),
// server down.
import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { ApiError } from '../lib/api';
import { signIn, signUp } from '../lib/session';
import { useTitle } from '../lib/title';

export function SignIn() {
  const { path, route, query } = useLocation();
  const creating = path === '/signup';
  useTitle(creating ? 'Sign up' : 'Sign in');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const username = String(form.get('username') ?? '').trim();
    const password = String(form.get('password') ?? '');
    setBusy(true);
    setError(null);
    try {
      await (creating ? signUp : signIn)(username, password);
      route(query.next && query.next.startsWith('/') ? query.next : '/');
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="page narrow">
      <h1>{creating ? 'Create an account' : 'Sign in'}</h1>
      <form class="stack" onSubmit={submit} aria-describedby={error ? 'auth-error' : undefined}>
        <label>
          Username
          <input
            name="username"
            autocomplete="username"
            required
            minLength={3}
            maxLength={32}
            pattern="[A-Za-z0-9_.\-]+"
            title="3 to 32 letters, digits, _ . or -"
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autocomplete={creating ? 'new-password' : 'current-password'}
            required
            minLength={8}
            maxLength={128}
          />
        </label>
        {error && (
          <p id="auth-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {creating ? 'Sign up' : 'Sign in'}
        </button>
      </form>
      <p>
        {creating ? (
          <>
            Have an account? <a href="/signin">Sign in</a>
          </>
        ) : (
          <>
            New here? <a href="/signup">Create an account</a>
          </>
        )}
      </p>
    </section>
  );
}
