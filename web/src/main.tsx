import { render } from 'preact';
import { App } from './app';
import { restoreSession } from './lib/session';
import './styles.css';

void restoreSession();
render(<App />, document.getElementById('app')!);
// The first screen is on the page with its handlers (the budget test reads this mark).
performance.mark('ringside:interactive');
