// Start a pad, or go back to one opened before in this browser.
import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api';
import { useTitle } from '../lib/title';

const RECENT_KEY = 'ringside.recentPads';

interface RecentPad {
  id: string;
  language: string;
  createdAt: string;
}

function recentPads(): RecentPad[] {
  try {
    const list = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]') as RecentPad[];
    return Array.isArray(list) ? list.slice(0, 10) : [];
  } catch {
    return [];
  }
}

export function Pads() {
  useTitle('Pads');
  const { route } = useLocation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const recent = recentPads();

  async function create(event: Event) {
    event.preventDefault();
    const language = String(new FormData(event.currentTarget as HTMLFormElement).get('language'));
    setBusy(true);
    setError(null);
    try {
      const { sessionId } = await api<{ sessionId: string }>('POST', '/api/sessions', { language });
      const entry = { id: sessionId, language, createdAt: new Date().toISOString() };
      try {
        localStorage.setItem(RECENT_KEY, JSON.stringify([entry, ...recentPads()].slice(0, 10)));
      } catch {
        // Not remembered; the link still works.
      }
      route(`/pad/${sessionId}`);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
      setBusy(false);
    }
  }

  return (
    <section class="page narrow">
      <h1>Pair-programming pads</h1>
      <p>Create a pad, then share its link: anyone with it can join and type along.</p>
      <form class="row" onSubmit={create}>
        <label class="inline">
          Language
          <select name="language">
            <option value="javascript">JavaScript</option>
            <option value="python">Python</option>
            <option value="typescript">TypeScript</option>
          </select>
        </label>
        <button type="submit" disabled={busy}>
          New pad
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {recent.length > 0 && (
        <>
          <h2>Opened in this browser</h2>
          <ul>
            {recent.map((pad) => (
              <li key={pad.id}>
                <a href={`/pad/${pad.id}`}>
                  {pad.language} pad of {new Date(pad.createdAt).toLocaleString()}
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
