import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { Problem } from '../../components/Problem';
import { when } from '../../format';

/** The notes of every account of the person, newest first, each with its account (written on the case screen). */
export function PersonNotesPanel({ debtorId }: { debtorId: string }) {
  const notes = useQuery({
    queryKey: ['person-notes', debtorId],
    queryFn: async () => unwrap(await api.GET('/api/v1/debtors/{debtorId}/notes', { params: { path: { debtorId } } })),
  });
  const items = notes.data?.items ?? [];
  return (
    <section aria-labelledby="person-notes-title" className="panel">
      <h3 id="person-notes-title">Notes</h3>
      <Problem error={notes.error} />
      {notes.data?.masked && <p className="muted">Note text is masked for your role.</p>}
      {items.length === 0 && !notes.isPending ? <p className="muted">No notes on any account.</p> : null}
      <ol className="notes" aria-label="Notes on the person's accounts, newest first">
        {items.map((note) => (
          <li key={note.id}>
            <div className="muted">
              <time dateTime={note.createdAt}>{when(note.createdAt)}</time> · account {note.accountExternalId} · by {note.author}
              {note.corrects ? ' · a correction' : ''}
            </div>
            <p className="note-text">{note.text}</p>
          </li>
        ))}
      </ol>
    </section>
  );
}
