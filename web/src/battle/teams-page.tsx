// Teams (spec 000): the teams one is in, a new team, its members, adding someone, and the
// code teammates shared.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api';
import { SignInFirst, useUser } from '../lib/require-user';
import { useTitle } from '../lib/title';
import { notify } from '../lib/toasts';

interface TeamSummary {
  teamId: string;
  name: string;
  role: string;
}

interface Team {
  teamId: string;
  name: string;
  members: Array<{ userId: string; username: string; role: string }>;
}

interface Share {
  shareId: string;
  sharedBy: string;
  problemId: string;
  language: string;
  note?: string;
  code: string;
}

const text = (error: unknown) => (error instanceof ApiError ? error.message : String(error));

export function TeamsPage() {
  useTitle('Teams');
  const user = useUser();
  const [teams, setTeams] = useState<TeamSummary[] | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = () =>
    api<{ teams: TeamSummary[] }>('GET', '/api/teams').then(
      ({ teams }) => setTeams(teams),
      (err) => setError(text(err)),
    );
  useEffect(() => {
    if (user) void reload();
  }, [user?.id]);
  if (!user) return <SignInFirst what="Teams" />;

  return (
    <section class="page narrow">
      <h1>Teams</h1>
      {teams && teams.length === 0 && <p class="muted">You are in no team yet.</p>}
      <ul class="room-list" data-testid="teams">
        {(teams ?? []).map((team) => (
          <li key={team.teamId}>
            <button
              type="button"
              class="link team-link"
              onClick={() => setOpen(team.teamId)}
              aria-expanded={open === team.teamId}
            >
              {team.name}
            </button>{' '}
            <span class="muted">{team.role}</span>
          </li>
        ))}
      </ul>
      <form
        class="row"
        onSubmit={async (event) => {
          event.preventDefault();
          const form = event.currentTarget as HTMLFormElement;
          const name = String(new FormData(form).get('name') ?? '').trim();
          setError(null);
          try {
            const { team } = await api<{ team: Team }>('POST', '/api/teams', { name });
            form.reset();
            await reload();
            setOpen(team.teamId);
          } catch (err) {
            setError(text(err));
          }
        }}
      >
        <label class="inline">
          New team
          <input name="name" required maxLength={100} />
        </label>
        <button type="submit">Create</button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {open && <TeamDetail key={open} teamId={open} />}
    </section>
  );
}

function TeamDetail({ teamId }: { teamId: string }) {
  const [team, setTeam] = useState<Team | null>(null);
  const [shares, setShares] = useState<Share[]>([]);
  const [error, setError] = useState<string | null>(null);
  const load = () => {
    api<{ team: Team }>('GET', `/api/teams/${teamId}`).then(
      ({ team }) => setTeam(team),
      (err) => setError(text(err)),
    );
    api<{ shares: Share[] }>('GET', `/api/teams/${teamId}/shares?limit=20`).then(
      ({ shares }) => setShares(shares),
      () => {},
    );
  };
  useEffect(load, [teamId]);
  if (!team) return error ? <p class="error">{error}</p> : null;
  return (
    <section aria-labelledby="team-heading">
      <h2 id="team-heading">{team.name}</h2>
      <ul data-testid="members">
        {team.members.map((m) => (
          <li key={m.userId}>
            {m.username} <span class="muted">({m.role})</span>
          </li>
        ))}
      </ul>
      <form
        class="row"
        onSubmit={async (event) => {
          event.preventDefault();
          const form = event.currentTarget as HTMLFormElement;
          const username = String(new FormData(form).get('username') ?? '').trim();
          setError(null);
          try {
            await api('POST', `/api/teams/${teamId}/members`, { username });
            notify(`${username} joined ${team.name}`);
            form.reset();
            load();
          } catch (err) {
            setError(text(err));
          }
        }}
      >
        <label class="inline">
          Add a member
          <input name="username" required />
        </label>
        <button type="submit" class="secondary">
          Add
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <h2>Shared code</h2>
      {shares.length === 0 ? (
        <p class="muted">Nothing shared yet.</p>
      ) : (
        <ul>
          {shares.map((s) => (
            <li key={s.shareId}>
              <strong>{s.sharedBy}</strong>: {s.problemId} ({s.language})
              {s.note ? ` — ${s.note}` : ''}
              <pre>{s.code}</pre>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
