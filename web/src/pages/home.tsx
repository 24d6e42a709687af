import { currentUser } from '../lib/session';
import { useTitle } from '../lib/title';

export function Home() {
  useTitle('Home');
  const user = currentUser.value;
  return (
    <section class="page">
      <h1>ringside</h1>
      <p class="lead">
        {user ? `Welcome back, ${user.username}.` : 'Real-time coding, in your browser.'}
      </p>
      <div class="cards">
        <a class="card" href="/pads">
          <h2>Pair-programming pad</h2>
          <p>One editor, many people. Share a link; run Python or JavaScript in the browser.</p>
        </a>
        <a class="card" href="/chat">
          <h2>Chat</h2>
          <p>Rooms with the people you invite; edit and delete your messages.</p>
        </a>
        <a class="card" href="/battles">
          <h2>Battles</h2>
          <p>Two players, one problem, one clock. Ratings, leaderboard, invitations.</p>
        </a>
        <a class="card" href="/runner">
          <h2>Runner</h2>
          <p>Run Python or JavaScript on the server; tasks with progress; a live leaderboard.</p>
        </a>
      </div>
      {!user && (
        <p>
          <a href="/signup">Create an account</a> or <a href="/signin">sign in</a>. The pad needs no
          account.
        </p>
      )}
    </section>
  );
}
