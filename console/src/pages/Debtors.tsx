import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { debtorsApi } from '../api/debtors';
import { Pager } from '../components/Pager';
import { Problem } from '../components/Problem';
import { SuggestionsPanel } from './debtor/MergesPanel';
import { useManagesPersons } from './debtor/use-person-change';

const pageSize = 50;

/** Find a person by name or by the creditor's id; managers also confirm suggested matches here. */
export function DebtorsPage() {
  const manages = useManagesPersons();
  const [draft, setDraft] = useState({ q: '', externalId: '' });
  const [search, setSearch] = useState(draft);
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const list = useQuery({
    queryKey: ['persons', search, cursor],
    placeholderData: keepPreviousData,
    queryFn: () => debtorsApi.list({ ...(search.q.trim() ? { q: search.q.trim() } : {}), ...(search.externalId.trim() ? { externalId: search.externalId.trim() } : {}), ...(cursor ? { cursor } : {}) }),
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    setSearch(draft);
    setCursors([]);
    if (JSON.stringify(draft) === JSON.stringify(search)) void list.refetch();
  }
  const items = list.data?.items ?? [];
  return (
    <div className="single">
      <h1>Debtors</h1>
      <form className="filters row" onSubmit={submit} aria-label="Find a debtor">
        <div className="field">
          <label htmlFor="debtor-q">Name</label>
          <input id="debtor-q" value={draft.q} onChange={(event) => setDraft({ ...draft, q: event.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="debtor-externalId">Creditor's id</label>
          <input id="debtor-externalId" value={draft.externalId} onChange={(event) => setDraft({ ...draft, externalId: event.target.value })} />
        </div>
        <button type="submit">Search</button>
      </form>
      <Problem error={list.error} />
      <div className="table-scroll">
        <table className="list" aria-label="Debtors" aria-busy={list.isFetching}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Creditor's id</th>
              <th scope="col">Accounts</th>
              <th scope="col">Open cases</th>
            </tr>
          </thead>
          <tbody>
            {items.map((person) => (
              <tr key={person.debtorId}>
                <td>
                  <Link to={`/debtors/${encodeURIComponent(person.debtorId)}`}>{person.name}</Link>
                  {person.mergedInto ? <span className="badge">merged</span> : null}
                </td>
                <td>{person.externalId ?? '—'}</td>
                <td>{person.accounts}</td>
                <td>{person.openCases}</td>
              </tr>
            ))}
            {items.length === 0 && !list.isPending && (
              <tr>
                <td colSpan={4} className="muted">
                  Nobody matches.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <Pager
        label="Debtors"
        from={cursors.length * pageSize + 1}
        to={cursors.length * pageSize + items.length}
        {...(cursors.length > 0 ? { onPrevious: () => setCursors(cursors.slice(0, -1)) } : {})}
        {...(list.data?.nextCursor ? { onNext: () => setCursors([...cursors, list.data?.nextCursor ?? '']) } : {})}
      />
      {manages && <SuggestionsPanel />}
    </div>
  );
}
