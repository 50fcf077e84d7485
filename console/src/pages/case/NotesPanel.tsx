import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { CaseNote } from '../../api/types';
import { Problem } from '../../components/Problem';
import { when } from '../../format';
import { useSession } from '../../session';

const writers = ['officer', 'manager', 'admin'];

/**
 * The case's notes, oldest first, with author and time. Append-only: "Correct" writes a new note
 * naming the one it corrects, and both stay. Auditors read them masked.
 */
export function NotesPanel({ caseId }: { caseId: string }) {
  const { session } = useSession();
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const [correcting, setCorrecting] = useState<CaseNote | null>(null);
  const notes = useQuery({
    queryKey: ['notes', caseId],
    queryFn: async () => unwrap(await api.GET('/api/v1/cases/{caseId}/notes', { params: { path: { caseId } } })),
  });
  const add = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST('/api/v1/cases/{caseId}/notes', { params: { path: { caseId } }, body: { text, ...(correcting ? { corrects: correcting.id } : {}) } })),
    onSuccess: () => {
      setText('');
      setCorrecting(null);
      void queryClient.invalidateQueries({ queryKey: ['notes', caseId] });
    },
  });
  const writes = writers.includes(session?.role ?? '');
  const items = notes.data?.items ?? [];
  return (
    <section aria-labelledby="notes-title" className="panel">
      <h3 id="notes-title">Notes</h3>
      <Problem error={notes.error} />
      {notes.data?.masked && <p className="muted">Note text is masked for your role.</p>}
      {items.length === 0 && !notes.isPending ? <p className="muted">No notes yet.</p> : null}
      <ol className="notes" aria-label="Notes, oldest first">
        {items.map((note) => (
          <li key={note.id} data-note-id={note.id}>
            <div className="muted">
              <time dateTime={note.createdAt}>{when(note.createdAt)}</time> by {note.author}
              {note.corrects ? ' · corrects an earlier note' : ''}
              {note.correctedBy.length > 0 ? ' · corrected later' : ''}
            </div>
            <p className="note-text">{note.text}</p>
            {writes && !notes.data?.masked ? (
              <button type="button" className="link" onClick={() => setCorrecting(note)} aria-label={`Correct the note of ${when(note.createdAt)}`}>
                Correct
              </button>
            ) : null}
          </li>
        ))}
      </ol>
      {writes && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            add.mutate();
          }}
        >
          <div className="field">
            <label htmlFor={`note-${caseId}`}>{correcting ? `Correction of the note of ${when(correcting.createdAt)}` : 'New note'}</label>
            <textarea id={`note-${caseId}`} value={text} maxLength={5000} rows={3} onChange={(event) => setText(event.target.value)} />
          </div>
          <Problem error={add.error} title="Note not added" />
          <div className="row">
            <button type="submit" disabled={add.isPending || text.trim() === ''}>
              {correcting ? 'Add correction' : 'Add note'}
            </button>
            {correcting ? (
              <button type="button" className="secondary" onClick={() => setCorrecting(null)}>
                Cancel correction
              </button>
            ) : null}
          </div>
        </form>
      )}
    </section>
  );
}
