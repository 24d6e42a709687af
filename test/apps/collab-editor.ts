// An editor as a real collab client would run it: a @codemirror/state EditorState with
// @codemirror/collab, one change in flight at a time (sent with the version it was
// made against), remote changes and acks fed through receiveUpdates.
import { collab, getSyncedVersion, receiveUpdates, sendableUpdates } from '@codemirror/collab';
import { ChangeSet, EditorState } from '@codemirror/state';

export interface OutgoingChange {
  version: number;
  changes: unknown;
  clientID: string;
}

export class CollabEditor {
  state: EditorState;
  private inFlight = false;

  constructor(
    readonly clientID: string,
    doc: string,
    version: number,
    private readonly send: (change: OutgoingChange) => void,
  ) {
    this.state = EditorState.create({
      doc,
      extensions: [collab({ clientID, startVersion: version })],
    });
  }

  get doc(): string {
    return this.state.doc.toString();
  }

  get version(): number {
    return getSyncedVersion(this.state);
  }

  /** True when nothing local waits to be sent or confirmed. */
  get synced(): boolean {
    return !this.inFlight && sendableUpdates(this.state).length === 0;
  }

  /** A local edit at a relative position (0..1) of the current document. */
  edit(at: number, insert: string, deleteLength = 0): void {
    const length = this.state.doc.length;
    const from = Math.min(length, Math.floor(at * (length + 1)));
    const to = Math.min(length, from + deleteLength);
    this.state = this.state.update({ changes: { from, to, insert } }).state;
    this.flush();
  }

  /** Sends the oldest unconfirmed change unless one is already on its way. */
  flush(): void {
    if (this.inFlight) return;
    const pending = sendableUpdates(this.state);
    if (pending.length === 0) return;
    this.inFlight = true;
    this.send({
      version: this.version,
      changes: pending[0]!.changes.toJSON(),
      clientID: this.clientID,
    });
  }

  /** A code-update of someone else, or the code-ack of our own change. */
  receive(type: 'code-update' | 'code-ack', payload: { changes: unknown; clientID: string }): void {
    const update = { changes: ChangeSet.fromJSON(payload.changes), clientID: payload.clientID };
    this.state = receiveUpdates(this.state, [update]).state;
    if (type === 'code-ack') {
      this.inFlight = false;
      this.flush();
    }
  }
}
