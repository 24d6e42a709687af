// Always visible in the header: connected, reconnecting (attempt N), or offline.
import { browserOffline, connection } from '../lib/connection';

export function ConnectionBadge() {
  const view = connection.value;
  let kind: string = view.kind;
  let text: string;
  if (browserOffline.value) {
    kind = 'offline';
    text = 'Offline';
  } else if (view.kind === 'connected') text = 'Connected';
  else if (view.kind === 'connecting') text = 'Connecting…';
  else if (view.kind === 'reconnecting') text = `Reconnecting (attempt ${view.attempt})`;
  else if (view.kind === 'offline') text = 'Offline';
  else {
    kind = 'idle';
    text = 'Online';
  }
  return (
    <span class={`badge badge-${kind}`} data-testid="connection" role="status" aria-live="polite">
      <span class="dot" aria-hidden="true" />
      {text}
    </span>
  );
}
