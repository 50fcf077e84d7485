import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { debtorsApi, type MatchSuggestion, type MergeView } from '../../api/debtors';
import { Problem } from '../../components/Problem';
import { when } from '../../format';
import { SelectField } from '../../components/SelectField';

const reasonLabels: Record<string, string> = { same_email: 'same email address', same_phone_and_name: 'same phone number and name' };

/** Suggested matches (same email, or same phone and name; never a phone alone), each merged only once a manager confirms it. */
export function SuggestionsPanel() {
  const suggestions = useQuery({ queryKey: ['person-matches'], queryFn: () => debtorsApi.suggestions() });
  const items = suggestions.data?.items ?? [];
  return (
    <section aria-labelledby="matches-title" className="panel">
      <h2 id="matches-title">Suggested matches</h2>
      <Problem error={suggestions.error} />
      <ul className="cards" aria-label="Suggested matches">
        {items.map((suggestion) => (
          <SuggestionCard key={suggestion.debtorIds.join('-')} suggestion={suggestion} />
        ))}
        {items.length === 0 && !suggestions.isPending && <li className="muted">No suggestions.</li>}
      </ul>
    </section>
  );
}

/** The merges this person took part in, newest first, each with its undo. */
export function PersonMergesPanel({ debtorId }: { debtorId: string }) {
  const merges = useQuery({ queryKey: ['person-merges', debtorId], queryFn: () => debtorsApi.merges(debtorId) });
  const items = merges.data?.items ?? [];
  if (items.length === 0 && !merges.error) return null;
  return (
    <section aria-labelledby="merges-title" className="panel">
      <h3 id="merges-title">Merges</h3>
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
            {items.map((merge) => (
              <MergeRow key={merge.mergeId} merge={merge} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
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

const personLabel = (person: MatchSuggestion['persons'][number]) => `${person.name} (${person.externalId ?? 'no creditor id'}, ${person.accounts} account${person.accounts === 1 ? '' : 's'})`;

function SuggestionCard({ suggestion }: { suggestion: MatchSuggestion }) {
  const [first, second] = suggestion.persons;
  // The person with more accounts is kept by default; the manager may keep the other.
  const [keep, setKeep] = useState(() => ((second?.accounts ?? 0) > (first?.accounts ?? 0) ? second?.debtorId : first?.debtorId) ?? '');
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const survivor = suggestion.persons.find((person) => person.debtorId === keep);
  const merged = suggestion.persons.find((person) => person.debtorId !== keep);
  const merge = useMergeChange(() => debtorsApi.merge(keep, { from: merged?.debtorId ?? '', reason: reason.trim() }));
  if (!first || !second || !survivor || !merged) return null;
  const id = `merge-${suggestion.debtorIds.join('-')}`;
  function submit(event: FormEvent) {
    event.preventDefault();
    merge.mutate();
  }
  return (
    <li>
      <p>
        <Link to={`/debtors/${encodeURIComponent(first.debtorId)}`}>{personLabel(first)}</Link> and <Link to={`/debtors/${encodeURIComponent(second.debtorId)}`}>{personLabel(second)}</Link>
        <span className="muted"> — {suggestion.reasons.map((reason) => reasonLabels[reason] ?? reason).join('; ')}</span>
      </p>
      {!confirming ? (
        <button type="button" className="secondary" onClick={() => setConfirming(true)} aria-label={`Merge ${first.name} and ${second.name}…`}>
          Merge…
        </button>
      ) : (
        <form className="row" onSubmit={submit} aria-label={`Confirm merging ${merged.name} into ${survivor.name}`}>
          <SelectField id={`${id}-keep`} label="Keep" value={keep} options={suggestion.persons.map((person) => [person.debtorId, personLabel(person)] as const)} onChange={setKeep} />
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



function MergeRow({ merge }: { merge: MergeView }) {
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const undo = useMergeChange(() => debtorsApi.undoMerge(merge.mergeId, { reason: reason.trim() }));
  return (
    <tr>
      <td>{when(merge.at)}</td>
      <td>
        <Link to={`/debtors/${encodeURIComponent(merge.merged)}`}>{merge.mergedName}</Link>
        <div className="muted">
          {merge.accountIds.length} account(s), {merge.contactIds.length} contact(s)
        </div>
      </td>
      <td>
        <Link to={`/debtors/${encodeURIComponent(merge.survivor)}`}>{merge.survivorName}</Link>
      </td>
      <td>
        {merge.by}: {merge.reason}
      </td>
      <td>
        {merge.undoneAt ? (
          <span className="muted">
            undone {when(merge.undoneAt)} by {merge.undoneBy}
            {merge.undoReason ? `: ${merge.undoReason}` : ''}
          </span>
        ) : !confirming ? (
          <button type="button" className="secondary" onClick={() => setConfirming(true)} aria-label={`Undo the merge of ${merge.mergedName} into ${merge.survivorName}`}>
            Undo…
          </button>
        ) : (
          <form
            className="row"
            aria-label={`Confirm undoing the merge of ${merge.mergedName} into ${merge.survivorName}`}
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
