import { useTitle } from '../lib/title';

export function NotFound() {
  useTitle('Not found');
  return (
    <section class="page narrow">
      <h1>Not found</h1>
      <p>
        Nothing here. <a href="/">Back to the start.</a>
      </p>
    </section>
  );
}
