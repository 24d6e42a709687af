// The result screen: who won, both scores and times, and both rating changes.
import type { BattleEnded } from '@client/index.js';
import type { User } from '../lib/session';
import type { Matched } from './battle-types';

export function Result({
  user,
  matched,
  ended,
  onAgain,
}: {
  user: User;
  matched: Matched;
  ended: BattleEnded;
  onAgain: () => void;
}) {
  const ratings = (ended.ratings ?? {}) as Record<string, { before: number; after: number }>;
  const opponentId =
    matched.opponent.userId ?? Object.keys(ended.results).find((id) => id !== user.id) ?? '';
  const rows = [
    { id: user.id, name: user.username },
    { id: opponentId, name: matched.opponent.username },
  ];
  const headline =
    ended.winner === null
      ? 'A draw'
      : ended.winner === user.id
        ? 'You won'
        : `${matched.opponent.username} won`;
  return (
    <>
      <h1 data-testid="result">{headline}</h1>
      <p class="muted">
        {matched.problem.title} · {String(ended.reason ?? '')}
      </p>
      <table class="table">
        <caption class="sr-only">Scores and ratings</caption>
        <thead>
          <tr>
            <th scope="col">Player</th>
            <th scope="col">Score</th>
            <th scope="col">Time</th>
            <th scope="col">Rating</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const result = ended.results[row.id];
            const rating = ratings[row.id];
            const change = rating ? rating.after - rating.before : 0;
            return (
              <tr key={row.id} data-testid={`result-${row.name}`}>
                <th scope="row">{row.name}</th>
                <td>{result?.score ?? 0}</td>
                <td>{result?.time == null ? '—' : `${result.time.toFixed(1)} s`}</td>
                <td>
                  {rating
                    ? `${rating.before} → ${rating.after} (${change >= 0 ? '+' : ''}${change})`
                    : 'unrated'}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p class="row">
        <button type="button" onClick={onAgain}>
          Another battle
        </button>
        <a href="/leaderboard">Leaderboard</a>
      </p>
    </>
  );
}
