// The editor's extensions (everything but collab, which CollabSync adds), and language
// packs loaded on demand so they stay out of the first screen's JavaScript.
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { HighlightStyle, syntaxHighlighting, type LanguageSupport } from '@codemirror/language';
import { tags } from '@lezer/highlight';
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

/** Colours from CSS variables, so the light and dark themes both keep their contrast. */
const highlight = HighlightStyle.define([
  {
    tag: [tags.keyword, tags.controlKeyword, tags.moduleKeyword, tags.operatorKeyword],
    color: 'var(--syn-keyword)',
  },
  { tag: [tags.string, tags.special(tags.string), tags.regexp], color: 'var(--syn-string)' },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: 'var(--syn-number)' },
  {
    tag: [tags.comment, tags.lineComment, tags.blockComment],
    color: 'var(--syn-comment)',
    fontStyle: 'italic',
  },
  {
    tag: [
      tags.function(tags.variableName),
      tags.function(tags.propertyName),
      tags.definition(tags.variableName),
    ],
    color: 'var(--syn-function)',
  },
  { tag: [tags.typeName, tags.className], color: 'var(--syn-type)' },
  { tag: tags.invalid, color: 'var(--danger)' },
]);

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
    syntaxHighlighting(highlight),
    // Tab is left to the browser, so the keyboard can always leave the editor.
    keymap.of([...defaultKeymap, ...historyKeymap]),
    languageSlot.of(language ?? []),
    remoteCursors(),
    EditorView.contentAttributes.of({ 'aria-label': 'Code' }),
    EditorView.updateListener.of(onUpdate),
  ];
}
