// A plain CodeMirror editor (one person's code), for battles and the runner.
import { useEffect, useRef } from 'preact/hooks';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { editorExtensions, languageSlot, languageSupport } from '../pad/editor-setup';

export interface CodeEditorProps {
  initial: string;
  language: string;
  /** Called with the editor's text after every change. */
  onChange: (code: string) => void;
  label?: string;
}

export function CodeEditor({ initial, language, onChange, label = 'Code' }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: initial,
        extensions: [
          editorExtensions(null, (update) => {
            if (update.docChanged) changed.current(update.state.doc.toString());
          }),
          EditorView.contentAttributes.of({ 'aria-label': label }),
        ],
      }),
    });
    view.current = editor;
    return () => editor.destroy();
  }, [initial]);

  useEffect(() => {
    let current = true;
    void languageSupport(language).then((support) => {
      if (current) view.current?.dispatch({ effects: languageSlot.reconfigure(support ?? []) });
    });
    return () => {
      current = false;
    };
  }, [language, initial]);

  return <div class="editor" ref={host} data-testid="editor" />;
}
