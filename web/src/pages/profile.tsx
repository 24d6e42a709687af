// The signed-in user's profile: the avatar (uploaded here, checked here for type and size
// and again by the server, served by ringside).
import { useState } from 'preact/hooks';
import { ApiError, api, SERVER_DOWN } from '../lib/api';
import { SignInFirst, useUser } from '../lib/require-user';
import { currentAvatar } from '../lib/session';
import { authToken } from '../lib/session-token';
import { useTitle } from '../lib/title';

const TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
const MAX_BYTES = 256 * 1024;

export function Profile() {
  useTitle('Profile');
  const user = useUser();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!user) return <SignInFirst what="Your profile" />;

  async function upload(file: File) {
    setError(null);
    if (!TYPES.includes(file.type)) return setError('Choose a PNG, JPEG, GIF or WebP image.');
    if (file.size > MAX_BYTES)
      return setError(`The image is ${Math.ceil(file.size / 1024)} KB; at most 256 KB.`);
    setBusy(true);
    try {
      let response: Response;
      try {
        response = await fetch('/api/me/avatar', {
          method: 'PUT',
          headers: { 'content-type': file.type, authorization: `Bearer ${authToken() ?? ''}` },
          body: file,
        });
      } catch {
        throw new ApiError(0, SERVER_DOWN);
      }
      const body = (await response.json().catch(() => ({}))) as { avatar?: string; error?: string };
      if (!response.ok)
        throw new ApiError(response.status, sentence(body.error ?? `Refused (${response.status})`));
      currentAvatar.value = body.avatar ?? null;
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    setError(null);
    try {
      await api('DELETE', '/api/me/avatar');
      currentAvatar.value = null;
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <section class="page narrow">
      <h1>{user.username}</h1>
      <div class="row">
        {currentAvatar.value ? (
          <img
            class="avatar-large"
            src={currentAvatar.value}
            alt="Your avatar"
            width="96"
            height="96"
          />
        ) : (
          <span class="avatar-large avatar-empty" aria-hidden="true">
            {user.username.slice(0, 1).toUpperCase()}
          </span>
        )}
        <div class="stack">
          <label>
            Avatar (PNG, JPEG, GIF or WebP, at most 256 KB)
            <input
              type="file"
              accept={TYPES.join(',')}
              disabled={busy}
              onChange={(event) => {
                const file = (event.currentTarget as HTMLInputElement).files?.[0];
                if (file) void upload(file);
              }}
            />
          </label>
          {currentAvatar.value && (
            <button type="button" class="secondary" onClick={() => void remove()}>
              Remove the avatar
            </button>
          )}
        </div>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

const sentence = (text: string) =>
  text.charAt(0).toUpperCase() + text.slice(1) + (text.endsWith('.') ? '' : '.');
