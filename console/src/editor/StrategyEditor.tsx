import { useEffect, useRef } from 'react';
import { basicSetup, EditorView } from 'codemirror';
import { yaml } from '@codemirror/lang-yaml';
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';

/**
 * CodeMirror 6 over the strategy's YAML. `lint` is asked (debounced by CodeMirror) each time the
 * text changes and answers diagnostics with text ranges; they are underlined at their place and
 * marked in the gutter. The caller keeps the text.
 */
export function StrategyEditor({
  initialText,
  onChange,
  lint,
  label,
}: {
  initialText: string;
  onChange: (text: string) => void;
  lint: (text: string) => Promise<Diagnostic[]>;
  label: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const callbacks = useRef({ onChange, lint });
  callbacks.current = { onChange, lint };

  useEffect(() => {
    if (!host.current) return;
    const view = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: initialText,
        extensions: [
          basicSetup,
          yaml(),
          lintGutter(),
          linter((current) => callbacks.current.lint(current.state.doc.toString()), { delay: 400 }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) callbacks.current.onChange(update.state.doc.toString());
          }),
          EditorView.contentAttributes.of({ 'aria-label': label, 'aria-multiline': 'true' }),
        ],
      }),
    });
    return () => view.destroy();
    // The editor owns its text after mount; a new document is a new component (the caller re-keys it).
  }, []);

  return <div ref={host} className="editor" />;
}
