// Other participants' cursors in the editor: a coloured bar with the person's name,
// moved along with every change to the document until their next cursor-update.
import { StateEffect, StateField, type Extension, type Text } from '@codemirror/state';
import { Decoration, EditorView, WidgetType, type DecorationSet } from '@codemirror/view';

export interface RemoteCursor {
  userId: string;
  name: string;
  color: string;
  /** Offset in the document; null to remove. */
  pos: number | null;
}

export const setRemoteCursor = StateEffect.define<RemoteCursor>();

class CursorWidget extends WidgetType {
  constructor(
    readonly name: string,
    readonly color: string,
  ) {
    super();
  }
  override eq(other: CursorWidget): boolean {
    return other.name === this.name && other.color === this.color;
  }
  toDOM(): HTMLElement {
    const bar = document.createElement('span');
    bar.className = 'remote-cursor';
    bar.style.borderColor = this.color;
    bar.setAttribute('aria-hidden', 'true');
    const label = document.createElement('span');
    label.className = 'remote-cursor-label';
    label.style.background = this.color;
    label.textContent = this.name; // text, never HTML
    bar.appendChild(label);
    return bar;
  }
  override ignoreEvent(): boolean {
    return true;
  }
}

interface Entry {
  name: string;
  color: string;
  pos: number;
}

const cursorsField = StateField.define<Map<string, Entry>>({
  create: () => new Map(),
  update(cursors, tr) {
    let next = cursors;
    if (tr.docChanged) {
      next = new Map();
      for (const [id, entry] of cursors)
        next.set(id, { ...entry, pos: tr.changes.mapPos(entry.pos, 1) });
    }
    for (const effect of tr.effects) {
      if (!effect.is(setRemoteCursor)) continue;
      if (next === cursors) next = new Map(cursors);
      const { userId, name, color, pos } = effect.value;
      if (pos === null) next.delete(userId);
      else next.set(userId, { name, color, pos: Math.min(pos, tr.state.doc.length) });
    }
    return next;
  },
  provide: (field) =>
    EditorView.decorations.from(field, (cursors): DecorationSet =>
      Decoration.set(
        [...cursors.values()]
          .sort((a, b) => a.pos - b.pos)
          .map((c) =>
            Decoration.widget({ widget: new CursorWidget(c.name, c.color), side: 1 }).range(c.pos),
          ),
      ),
    ),
});

export function remoteCursors(): Extension {
  return cursorsField;
}

/** The wire's cursor (1-based line, 0-based column) as an offset in `doc`, clamped. */
export function offsetOf(doc: Text, cursor: { line: number; column: number }): number {
  const line = doc.line(Math.min(Math.max(1, cursor.line), doc.lines));
  return line.from + Math.min(cursor.column, line.length);
}

/** An offset as the wire's cursor. */
export function cursorOf(doc: Text, pos: number): { line: number; column: number } {
  const line = doc.lineAt(pos);
  return { line: line.number, column: pos - line.from };
}

/** A stable colour per participant (hue from a hash of the id). */
export function colorFor(userId: string): string {
  let hash = 0;
  for (let i = 0; i < userId.length; i++) hash = (hash * 31 + userId.charCodeAt(i)) | 0;
  return `hsl(${Math.abs(hash) % 360} 60% 28%)`; // dark enough for white text on any hue
}
