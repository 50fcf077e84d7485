import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { debtorsApi, type MatchSuggestion } from '../../api/debtors';
import { Problem } from '../../components/Problem';
import { when } from '../../format';

/**
 * A manager's view of people who may be one: suggested matches (same email, or same phone and
 * name; never a phone alone) to merge after a look, and the merges made, each with its undo.
 */
export function MergesPanel() {
  const suggestions = useQuery({ queryKey: ['person-matches'], queryFn: () => debtorsApi.suggestions() });
  const merges = useQuery({ queryKey: ['person-merges'], queryFn: () => debtorsApi.merges() });
  const items = suggestions.data?.items ?? [];
  return (
    <>
      <section aria-labelledby="matches-title" className="panel">
        <h2 id="matches-title">Suggested matches</h2>
        <Problem error={suggestions.error} />
        <ul className="cards" aria-label="Suggested matches">
          {items.map((suggestion) => (
            <SuggestionCard key={`${suggestion.survivor.debtorId}-${suggestion.merged.debtorId}`} suggestion={suggestion} />
          ))}
          {items.length === 0 && !suggestions.isPending && <li className="muted">No suggestions.</li>}
        </ul>
      </section>
      <section aria-labelledby="merges-title" className="panel">
        <h2 id="merges-title">Merges</h2>
        <Problem error={merges.error} />
        <div className="table-scroll">
          <table className="list compact" aria-label="Merges">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Merged</th>
                <th scope="col">Into</th>
                <th scope="col">By and why</th>
                <th scope="col">Undo</th>
              </tr>
            </thead>
            <tbody>
              {merges.data?.items.map((merge) => (
                <MergeRow key={merge.mergeId} merge={merge} />
              ))}
              {merges.data?.items.length === 0 && (
                <tr>
                  <td colSpan={5} className="muted">
                    No merges yet.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

function useMergeChange<TArgs>(change: (args: TArgs) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: async () => {
      await Promise.all(['person-matches', 'person-merges', 'persons', 'person'].map((key) => queryClient.invalidateQueries({ queryKey: [key] })));
    },
  });
}

function SuggestionCard({ suggestion }: { suggestion: MatchSuggestion }) {
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const { survivor, merged } = suggestion;
  const merge = useMergeChange(() => debtorsApi.merge(survivor.debtorId, { from: merged.debtorId, reason: reason.trim() }));
  const id = `merge-${merged.debtorId}`;
  function submit(event: FormEvent) {
    event.preventDefault();
    merge.mutate();
  }
  return (
    <li>
      <p>
        <Link to={`/debtors/${encodeURIComponent(merged.debtorId)}`}>{merged.name}</Link> and <Link to={`/debtors/${encodeURIComponent(survivor.debtorId)}`}>{survivor.name}</Link>{' '}
        <span className="muted">— {suggestion.reason}</span>
      </p>
      {!confirming ? (
        <button type="button" className="secondary" onClick={() => setConfirming(true)} aria-label={`Merge ${merged.name} into ${survivor.name}`}>
          Merge…
        </button>
      ) : (
        <form className="row" onSubmit={submit} aria-label={`Confirm merging ${merged.name} into ${survivor.name}`}>
          <div className="field">
            <label htmlFor={`${id}-reason`}>Why they are one person</label>
            <input id={`${id}-reason`} value={reason} onChange={(event) => setReason(event.target.value)} required />
          </div>
          <button type="submit" className="danger" disabled={merge.isPending}>
            Confirm merge
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </button>
          <Problem error={merge.error} title="Not merged" />
        </form>
      )}
    </li>
  );
}

type Merge = Awaited<ReturnType<typeof debtorsApi.merges>>['items'][number];

function MergeRow({ merge }: { merge: Merge }) {
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const undo = useMergeChange(() => debtorsApi.undoMerge(merge.mergeId, { reason: reason.trim() }));
  return (
    <tr>
      <td>{when(merge.at)}</td>
      <td>
        <Link to={`/debtors/${encodeURIComponent(merge.mergedId)}`}>{merge.mergedName}</Link>
      </td>
      <td>
        <Link to={`/debtors/${encodeURIComponent(merge.survivorId)}`}>{merge.survivorName}</Link>
      </td>
      <td>
        {merge.by}: {merge.reason}
      </td>
      <td>
        {merge.undoneAt ? (
          <span className="muted">undone {when(merge.undoneAt)}</span>
        ) : !confirming ? (
          <button type="button" className="secondary" onClick={() => setConfirming(true)} aria-label={`Undo the merge of ${merge.mergedName}`}>
            Undo…
          </button>
        ) : (
          <form
            className="row"
            aria-label={`Confirm undoing the merge of ${merge.mergedName}`}
            onSubmit={(event) => {
              event.preventDefault();
              undo.mutate();
            }}
          >
            <div className="field">
              <label htmlFor={`undo-${merge.mergeId}`}>Why</label>
              <input id={`undo-${merge.mergeId}`} value={reason} onChange={(event) => setReason(event.target.value)} required />
            </div>
            <button type="submit" className="danger" disabled={undo.isPending}>
              Undo merge
            </button>
            <Problem error={undo.error} title="Not undone" />
          </form>
        )}
      </td>
    </tr>
  );
}
