// The editor's extensions (everything but collab, which CollabSync adds), and language
// packs loaded on demand so they stay out of the first screen's JavaScript.
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import {
  defaultHighlightStyle,
  syntaxHighlighting,
  type LanguageSupport,
} from '@codemirror/language';
import { Compartment, type Extension } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  keymap,
  lineNumbers,
  type ViewUpdate,
} from '@codemirror/view';
import { remoteCursors } from './remote-cursors';

export const languageSlot = new Compartment();

export async function languageSupport(language: string): Promise<LanguageSupport | null> {
  if (language === 'python') return (await import('@codemirror/lang-python')).python();
  if (language === 'javascript') return (await import('@codemirror/lang-javascript')).javascript();
  if (language === 'typescript')
    return (await import('@codemirror/lang-javascript')).javascript({ typescript: true });
  return null;
}

export function editorExtensions(
  language: LanguageSupport | null,
  onUpdate: (update: ViewUpdate) => void,
): Extension[] {
  return [
    lineNumbers(),
    history(),
    drawSelection(),
    highlightActiveLine(),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    // Tab is left to the browser, so the keyboard can always leave the editor.
    keymap.of([...defaultKeymap, ...historyKeymap]),
    languageSlot.of(language ?? []),
    remoteCursors(),
    EditorView.contentAttributes.of({ 'aria-label': 'Code' }),
    EditorView.updateListener.of(onUpdate),
  ];
}
