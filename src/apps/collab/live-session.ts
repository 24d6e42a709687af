// One session as the server holds it while in use: the document (a @codemirror/state
// Text), its version, the recent history of changes, the participants and their
// cursors. It is the authority of @codemirror/collab's model, with one difference:
// a change made against an older version is not refused but rebased over the changes
// accepted since, so concurrent edits are merged, never lost.
// No sockets here: the gateway turns the results into events.
import { ChangeSet, Text } from '@codemirror/state';
import {
  MAX_CODE_LENGTH,
  type ChangeSetJson,
  type Cursor,
  type ExecutionView,
  type ParticipantView,
} from './protocol.js';
import { diffToChangeSet, normalizeLineBreaks } from './text-diff.js';
import { isWellFormed, isWellFormedDeep } from '../well-formed-text.js';

// Lone UTF-16 surrogates (from \ud800 escapes) have no UTF-8 form: the stored code would
// differ from what the session was sent.
const NOT_WELL_FORMED = 'Invalid changes: text with lone UTF-16 surrogates';

/** How many accepted changes are kept for rebasing late ones. */
export const DEFAULT_HISTORY_LIMIT = 1000;

export class CollabError extends Error {
  /** Set when the client's view is unusable and it should take the state afresh. */
  constructor(
    message: string,
    readonly resync = false,
  ) {
    super(message);
  }
}

export interface AcceptedChange {
  userId: string;
  clientID: string;
  /** Version after the change. */
  version: number;
  changes: ChangeSet;
  code: string;
}

interface HistoryEntry {
  changes: ChangeSet;
  clientID: string;
}

interface Participant {
  username: string;
  cursor: Cursor | null;
  /** Members (connections) present as this user. */
  members: Set<string>;
}

export interface SessionRecord {
  id: string;
  code: string;
  language: string;
  version: number;
}

export class LiveSession {
  readonly id: string;
  language: string;
  lastExecution: ExecutionView | null = null;
  private doc: Text;
  private docVersion: number;
  /** history[i] turned version historyBase + i into historyBase + i + 1. */
  private history: HistoryEntry[] = [];
  private historyBase: number;
  /** The document at historyBase (to rebuild older versions for full-text merges). */
  private baseDoc: Text;
  private readonly participants = new Map<string, Participant>();
  /** member (connection) id → user id */
  private readonly memberUser = new Map<string, string>();
  private codeCache: string | null = null;

  constructor(
    record: SessionRecord,
    private readonly historyLimit = DEFAULT_HISTORY_LIMIT,
    /** Longest document an edit may make (a setting, at most the protocol's bound). */
    private readonly maxCodeChars = MAX_CODE_LENGTH,
  ) {
    this.id = record.id;
    this.language = record.language;
    this.doc = textOf(record.code);
    this.docVersion = record.version;
    this.historyBase = record.version;
    this.baseDoc = this.doc;
  }

  get version(): number {
    return this.docVersion;
  }

  get code(): string {
    this.codeCache ??= this.doc.toString();
    return this.codeCache;
  }

  get record(): SessionRecord {
    return { id: this.id, code: this.code, language: this.language, version: this.docVersion };
  }

  // --- participants ------------------------------------------------------------

  /** Adds a member as a user; `newUser` when the user was not present before. */
  join(
    memberId: string,
    userId: string,
    username: string,
  ): { newUser: boolean; left: string | null } {
    const previous = this.memberUser.get(memberId);
    let left: string | null = null;
    if (previous !== undefined && previous !== userId) left = this.leave(memberId);
    let participant = this.participants.get(userId);
    const newUser = participant === undefined;
    if (!participant) {
      participant = { username, cursor: null, members: new Set() };
      this.participants.set(userId, participant);
    }
    participant.username = username;
    participant.members.add(memberId);
    this.memberUser.set(memberId, userId);
    return { newUser, left };
  }

  /** Removes a member; returns the user id when that user has no member left. */
  leave(memberId: string): string | null {
    const userId = this.memberUser.get(memberId);
    if (userId === undefined) return null;
    this.memberUser.delete(memberId);
    const participant = this.participants.get(userId)!;
    participant.members.delete(memberId);
    if (participant.members.size > 0) return null;
    this.participants.delete(userId);
    return userId;
  }

  userOf(memberId: string): { userId: string; username: string } | null {
    const userId = this.memberUser.get(memberId);
    if (userId === undefined) return null;
    return { userId, username: this.participants.get(userId)!.username };
  }

  get participantCount(): number {
    return this.participants.size;
  }

  participantList(): ParticipantView[] {
    return [...this.participants].map(([userId, p]) => ({
      userId,
      username: p.username,
      cursor: p.cursor,
    }));
  }

  setCursor(userId: string, cursor: Cursor): void {
    const participant = this.participants.get(userId);
    if (participant) participant.cursor = cursor;
  }

  // --- code --------------------------------------------------------------------

  /**
   * The spec's form: the whole new code. Without `baseVersion` it replaces the current
   * document (last writer wins); with it, the difference from that version is merged
   * like any versioned change.
   */
  applyFullText(
    userId: string,
    clientID: string,
    text: string,
    baseVersion?: number,
  ): AcceptedChange {
    if (!isWellFormed(text)) throw new CollabError(NOT_WELL_FORMED);
    if (baseVersion === undefined)
      return this.accept(userId, clientID, diffToChangeSet(this.doc, normalizeLineBreaks(text)));
    const base = this.docAt(baseVersion);
    return this.applyChanges(userId, clientID, baseVersion, diffToChangeSet(base, text));
  }

  /** A ChangeSet (JSON) made against `baseVersion`, rebased over what was accepted since. */
  applyChangesJson(
    userId: string,
    clientID: string,
    baseVersion: number,
    json: ChangeSetJson,
  ): AcceptedChange {
    if (!isWellFormedDeep(json)) throw new CollabError(NOT_WELL_FORMED);
    let changes: ChangeSet;
    try {
      changes = ChangeSet.fromJSON(json);
    } catch {
      throw new CollabError('Invalid changes: not a ChangeSet');
    }
    return this.applyChanges(userId, clientID, baseVersion, changes);
  }

  private applyChanges(
    userId: string,
    clientID: string,
    baseVersion: number,
    changes: ChangeSet,
  ): AcceptedChange {
    this.checkVersion(baseVersion);
    const over = this.history.slice(baseVersion - this.historyBase);
    const expected = over.length > 0 ? over[0]!.changes.length : this.doc.length;
    if (changes.length !== expected) {
      throw new CollabError(
        `Changes do not apply to version ${baseVersion}: they expect a document of ${changes.length} characters, it has ${expected}`,
        true,
      );
    }
    // One accepted change at a time, exactly as the client's receiveUpdates moves its own
    // pending change over each code-update it reads (the late change goes after what was
    // accepted at the same spot). Mapping over the composition instead (as
    // @codemirror/collab's rebaseUpdates does) can order ties differently from the
    // client and make the two diverge.
    for (const entry of over) changes = changes.map(entry.changes);
    return this.accept(userId, clientID, changes);
  }

  private accept(userId: string, clientID: string, changes: ChangeSet): AcceptedChange {
    // newLength is the document's length after the change; shrinking is always allowed.
    if (changes.newLength > this.maxCodeChars && changes.newLength > changes.length) {
      throw new CollabError(`Code exceeds ${this.maxCodeChars} characters`);
    }
    this.doc = changes.apply(this.doc);
    this.codeCache = null;
    this.history.push({ changes, clientID });
    this.docVersion++;
    this.trimHistory();
    return { userId, clientID, version: this.docVersion, changes, code: this.code };
  }

  private checkVersion(version: number): void {
    if (version > this.docVersion) {
      throw new CollabError(
        `Version ${version} is ahead of the session (version ${this.docVersion})`,
        true,
      );
    }
    if (version < this.historyBase) {
      throw new CollabError(
        `Version ${version} is too old to merge (oldest kept: ${this.historyBase}); take the state afresh`,
        true,
      );
    }
  }

  /** The document as it was at `version` (within the kept history). */
  private docAt(version: number): Text {
    this.checkVersion(version);
    let doc = this.baseDoc;
    for (let i = 0; i < version - this.historyBase; i++) doc = this.history[i]!.changes.apply(doc);
    return doc;
  }

  private trimHistory(): void {
    const excess = this.history.length - this.historyLimit;
    if (excess <= 0) return;
    for (let i = 0; i < excess; i++) this.baseDoc = this.history[i]!.changes.apply(this.baseDoc);
    this.history.splice(0, excess);
    this.historyBase += excess;
  }
}

export function textOf(code: string): Text {
  return Text.of(normalizeLineBreaks(code).split('\n'));
}
