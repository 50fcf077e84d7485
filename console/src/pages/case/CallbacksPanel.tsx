import { useState } from 'react';
import { DateTime } from 'luxon';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { Problem } from '../../components/Problem';
import { when } from '../../format';
import { useSession } from '../../session';

const bookers = ['officer', 'manager', 'admin'];

/**
 * The case's callbacks and the form that books one at the time the person chose, read on the
 * debtor's clock. A time the contact rules would never permit is refused with the rule and the
 * first permitted time (the API's words).
 */
export function CallbacksPanel({ caseId, closed }: { caseId: string; closed: boolean }) {
  const { session } = useSession();
  const queryClient = useQueryClient();
  const [local, setLocal] = useState('');
  const [note, setNote] = useState('');
  const [booked, setBooked] = useState<string | null>(null);
  // The same query (and cache entry) as the case screen's debtor panel: the debtor's zone.
  const debtor = useQuery({
    queryKey: ['debtor', caseId, false],
    queryFn: async () => unwrap(await api.GET('/api/v1/cases/{caseId}/debtor', { params: { path: { caseId }, query: { reveal: 'false' } } })),
  });
  const callbacks = useQuery({
    queryKey: ['callbacks', caseId],
    queryFn: async () => unwrap(await api.GET('/api/v1/cases/{caseId}/callbacks', { params: { path: { caseId } } })),
  });
  const zone = debtor.data?.timeZone ?? 'UTC';
  const book = useMutation({
    mutationFn: async () => {
      const at = DateTime.fromISO(local, { zone });
      if (!at.isValid) throw new Error('choose a date and time');
      return unwrap(await api.POST('/api/v1/cases/{caseId}/callbacks', { params: { path: { caseId } }, body: { at: at.toUTC().toISO() ?? '', ...(note.trim() ? { note } : {}) } }));
    },
    onSuccess: (callback) => {
      setBooked(`Callback booked for ${callback.debtorLocal}.`);
      setLocal('');
      setNote('');
      void queryClient.invalidateQueries({ queryKey: ['callbacks', caseId] });
    },
  });
  const items = callbacks.data?.items ?? [];
  return (
    <section aria-labelledby="callbacks-title" className="panel">
      <h3 id="callbacks-title">Callbacks</h3>
      <Problem error={callbacks.error} />
      {items.length === 0 && !callbacks.isPending ? <p className="muted">No callbacks booked.</p> : null}
      <ul className="callbacks" aria-label="Callbacks, soonest first">
        {items.map((callback) => (
          <li key={callback.id}>
            <strong>{callback.debtorLocal}</strong> <span className="muted">({when(callback.at)} yours)</span> · {callback.taskStatus}
            {callback.note ? <div>{callback.note}</div> : null}
          </li>
        ))}
      </ul>
      {booked && (
        <p role="status" className="ok">
          {booked}
        </p>
      )}
      {bookers.includes(session?.role ?? '') && !closed && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            setBooked(null);
            book.mutate();
          }}
        >
          <div className="row">
            <div className="field">
              <label htmlFor={`callback-at-${caseId}`}>Time the person chose, on their clock ({zone})</label>
              <input id={`callback-at-${caseId}`} type="datetime-local" value={local} onChange={(event) => setLocal(event.target.value)} required />
            </div>
            <div className="field">
              <label htmlFor={`callback-note-${caseId}`}>Note for the call (optional)</label>
              <input id={`callback-note-${caseId}`} type="text" value={note} maxLength={1000} onChange={(event) => setNote(event.target.value)} />
            </div>
          </div>
          <Problem error={book.error} title="Callback not booked" />
          <button type="submit" disabled={book.isPending || local === ''}>
            Book callback
          </button>
        </form>
      )}
    </section>
  );
}
