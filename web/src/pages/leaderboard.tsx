// The public leaderboard and problem list (no account needed to look).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api';
import { useTitle } from '../lib/title';

interface Entry {
  userId: string;
  username: string;
  rating: number;
  wins: number;
  losses: number;
  draws: number;
}

function useFetched<T>(path: string): { data: T | null; error: string | null } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<T>('GET', path).then(setData, (err: Error) => setError(err.message));
  }, [path]);
  return { data, error };
}

export function Leaderboard() {
  useTitle('Leaderboard');
  const { data, error } = useFetched<{ leaderboard: Entry[] }>('/api/leaderboard?limit=100');
  return (
    <section class="page">
      <h1>Leaderboard</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {data && data.leaderboard.length === 0 && <p class="muted">No rated battles yet.</p>}
      {data && data.leaderboard.length > 0 && (
        <table class="table" data-testid="leaderboard">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Player</th>
              <th scope="col">Rating</th>
              <th scope="col">Won</th>
              <th scope="col">Lost</th>
              <th scope="col">Drawn</th>
            </tr>
          </thead>
          <tbody>
            {data.leaderboard.map((e, i) => (
              <tr key={e.userId}>
                <td>{i + 1}</td>
                <th scope="row">{e.username}</th>
                <td>{e.rating}</td>
                <td>{e.wins}</td>
                <td>{e.losses}</td>
                <td>{e.draws}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

interface Problem {
  id: string;
  title: string;
  difficulty: string;
  totalTests: number;
}

export function Problems() {
  useTitle('Problems');
  const { data, error } = useFetched<{ problems: Problem[] }>('/api/problems');
  return (
    <section class="page">
      <h1>Problems</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {data && (
        <table class="table" data-testid="problems">
          <thead>
            <tr>
              <th scope="col">Problem</th>
              <th scope="col">Difficulty</th>
              <th scope="col">Tests</th>
            </tr>
          </thead>
          <tbody>
            {data.problems.map((p) => (
              <tr key={p.id}>
                <th scope="row">{p.title}</th>
                <td>{p.difficulty}</td>
                <td>{p.totalTests}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
