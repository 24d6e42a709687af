// Keeps a CodeMirror view and a pad session in step, on the server's versioned model
// (docs/protocols/collab.md): @codemirror/collab in the editor, one change in flight at
// a time, each code-update and code-ack fed to receiveUpdates one message per call.
//
// Reconnecting: the SDK joins again and the server answers with session-state. Edits
// made while the connection was down are still pending in the editor; they are sent as
// full code *with the version they were made against*, so the server merges them over
// whatever the others did meanwhile (it keeps 1000 changes). If it cannot (restarted,
// too old), it answers with an error and another session-state, and the edits are then
// replayed as a change against the fresh state.
import {
  collab,
  getClientID,
  getSyncedVersion,
  receiveUpdates,
  sendableUpdates,
} from '@codemirror/collab';
import { ChangeSet, Compartment, EditorState, type Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import type { CollabClient, SessionState } from '@client/index.js';

type Resync =
  /** Nothing special: versioned changes flow. */
  | { kind: 'none' }
  /**
   * Offline edits sent as full code with their base version; waiting for the ack (one
   * round trip, during which the editor is read-only so nothing typed is lost).
   */
  | { kind: 'awaiting-ack'; text: string; head: number }
  /** The server refused to merge them; the next session-state gets them as a change. */
  | { kind: 'replay'; text: string; head: number };

export class CollabSync {
  view: EditorView | null = null;
  private inFlight = false;
  private readonly lock = new Compartment();
  private resync: Resync = { kind: 'none' };
  private readonly offs: Array<() => void> = [];

  constructor(
    private readonly client: CollabClient,
    private readonly parent: HTMLElement,
    private readonly extensions: () => Extension[],
    private readonly onRemoteUpdate: () => void,
  ) {
    this.offs.push(
      client.on('session-state', (state) => this.onSessionState(state)),
      client.on('code-update', (payload) => {
        this.receive(payload.changes, payload.clientID);
        this.onRemoteUpdate();
      }),
      client.on('code-ack', (payload) => this.onAck(payload.changes, payload.clientID)),
      client.on('error', ({ message }) => {
        if (this.resync.kind === 'awaiting-ack' && /^Version|^Changes do not apply/.test(message))
          this.resync = { ...this.resync, kind: 'replay' };
      }),
      client.socket.on('open', () => {
        // Anything sent on the old connection may be lost; the session-state decides.
        this.inFlight = false;
      }),
    );
  }

  destroy(): void {
    for (const off of this.offs) off();
    this.view?.destroy();
    this.view = null;
  }

  /** Called by the editor after every local transaction. */
  flush(): void {
    const view = this.view;
    if (!view || this.inFlight || this.resync.kind !== 'none') return;
    if (this.client.state !== 'open') return; // kept in the editor until we are back
    const pending = sendableUpdates(view.state);
    if (pending.length === 0) return;
    this.inFlight = true;
    this.client.sendChanges({
      version: getSyncedVersion(view.state),
      changes: pending[0]!.changes.toJSON() as never,
      clientID: getClientID(view.state),
    });
  }

  private freshState(code: string, version: number, head = 0, readOnly = false): EditorState {
    return EditorState.create({
      doc: code,
      selection: { anchor: Math.min(head, code.length) },
      extensions: [
        collab({ startVersion: version }),
        this.lock.of(EditorState.readOnly.of(readOnly)),
        ...this.extensions(),
      ],
    });
  }

  private onSessionState(state: SessionState): void {
    this.inFlight = false;
    const view = this.view;
    if (!view) {
      this.view = new EditorView({
        state: this.freshState(state.code, state.version),
        parent: this.parent,
        dispatch: (tr, v) => {
          v.update([tr]);
          if (tr.docChanged) this.flush();
        },
      });
      return;
    }
    const local = view.state.doc.toString();
    const head = view.state.selection.main.head;
    const pending = sendableUpdates(view.state).length > 0;
    const synced = getSyncedVersion(view.state);
    if (this.resync.kind === 'replay') {
      // The server could not merge from our old version: our text as one change now.
      const { text, head: ownHead } = this.resync;
      this.resync = { kind: 'none' };
      view.setState(this.freshState(state.code, state.version, ownHead));
      if (text !== state.code)
        view.dispatch({
          changes: minimalChange(state.code, text),
          selection: { anchor: Math.min(ownHead, text.length) },
        });
      this.onRemoteUpdate();
      return;
    }
    if (this.resync.kind === 'awaiting-ack') {
      // Reconnected again before the answer: whether it was merged is unknown, so the
      // text is put in as a change against the state the server has now.
      this.resync = { ...this.resync, kind: 'replay' };
      return this.onSessionState(state);
    }
    if (!pending && synced === state.version && local === state.code) return;
    if (pending && local !== state.code) {
      view.setState(this.freshState(state.code, state.version, head, true));
      this.resync = { kind: 'awaiting-ack', text: local, head };
      this.client.changeCode(local, synced);
    } else {
      view.setState(this.freshState(state.code, state.version, head));
    }
    this.onRemoteUpdate();
  }

  private onAck(changes: unknown, clientID: string): void {
    if (this.resync.kind === 'awaiting-ack') {
      // Our offline edits, as the server merged them: a change like anyone else's.
      const { head } = this.resync;
      this.resync = { kind: 'none' };
      this.receive(changes, `resync:${clientID}`);
      this.view?.dispatch({
        effects: this.lock.reconfigure(EditorState.readOnly.of(false)),
        selection: { anchor: Math.min(head, this.view.state.doc.length) },
      });
      this.onRemoteUpdate();
    } else {
      this.receive(changes, clientID);
      this.inFlight = false;
    }
    this.flush();
  }

  private receive(changes: unknown, clientID: string): void {
    const view = this.view;
    if (!view) return;
    try {
      view.dispatch(
        receiveUpdates(view.state, [{ changes: ChangeSet.fromJSON(changes), clientID }]),
      );
    } catch {
      // A change that does not fit our document: ask for the state afresh.
      this.client.join();
    }
  }
}

/** The one replacement that turns `from` into `to` (common prefix and suffix kept). */
export function minimalChange(
  from: string,
  to: string,
): { from: number; to: number; insert: string } {
  let start = 0;
  const max = Math.min(from.length, to.length);
  while (start < max && from.charCodeAt(start) === to.charCodeAt(start)) start++;
  let end = 0;
  while (
    end < max - start &&
    from.charCodeAt(from.length - 1 - end) === to.charCodeAt(to.length - 1 - end)
  )
    end++;
  return { from: start, to: from.length - end, insert: to.slice(start, to.length - end) };
}
