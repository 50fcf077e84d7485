import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { CaseView } from '../api/types';
import { Pager } from '../components/Pager';
import { Problem } from '../components/Problem';
import { money, toMinor, when } from '../format';
import { useSession } from '../session';

interface Filters {
  status: '' | 'open' | 'paused' | 'closed';
  strategy: string;
  step: string;
  officer: string;
  minBalance: string;
  maxBalance: string;
  minDaysPastDue: string;
  maxDaysPastDue: string;
}
const noFilters: Filters = { status: '', strategy: '', step: '', officer: '', minBalance: '', maxBalance: '', minDaysPastDue: '', maxDaysPastDue: '' };
const pageSize = 50;

/** Cases by status, strategy, step, officer, balance band and days past due, with a manager's bulk actions. */
export function CasesPage() {
  const { session } = useSession();
  const isManager = session?.role === 'manager' || session?.role === 'admin';
  const [draft, setDraft] = useState<Filters>(noFilters);
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [cursors, setCursors] = useState<string[]>([]); // the cursor of each page before this one
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const cursor = cursors.at(-1);

  const strategies = useQuery({ queryKey: ['strategies'], queryFn: async () => unwrap(await api.GET('/api/v1/strategies')) });
  const cases = useQuery({
    queryKey: ['cases', filters, cursor],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/cases', {
          params: {
            query: {
              limit: pageSize,
              ...(cursor ? { cursor } : {}),
              ...(filters.status ? { status: filters.status } : {}),
              ...(filters.strategy ? { strategy: filters.strategy } : {}),
              ...(filters.step ? { step: filters.step } : {}),
              ...(filters.officer ? { officer: filters.officer } : {}),
              ...(filters.minBalance ? { minBalance: toMinor(filters.minBalance) } : {}),
              ...(filters.maxBalance ? { maxBalance: toMinor(filters.maxBalance) } : {}),
              ...(filters.minDaysPastDue ? { minDaysPastDue: Number(filters.minDaysPastDue) } : {}),
              ...(filters.maxDaysPastDue ? { maxDaysPastDue: Number(filters.maxDaysPastDue) } : {}),
            },
          },
        }),
      ),
  });

  function apply(event: FormEvent) {
    event.preventDefault();
    setFilters(draft);
    setCursors([]);
    setSelected(new Set());
    // The same search again means "show me the latest".
    if (JSON.stringify(draft) === JSON.stringify(filters)) void cases.refetch();
  }
  const field = (name: keyof Filters, label: string, props: Record<string, unknown> = {}) => (
    <div className="field">
      <label htmlFor={`filter-${name}`}>{label}</label>
      <input id={`filter-${name}`} value={draft[name]} onChange={(event) => setDraft({ ...draft, [name]: event.target.value })} {...props} />
    </div>
  );

  const items = cases.data?.items ?? [];
  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  return (
    <div className="single">
      <h1>Cases</h1>
      <form className="filters row" onSubmit={apply} aria-label="Filter cases">
        <div className="field">
          <label htmlFor="filter-status">Status</label>
          <select id="filter-status" value={draft.status} onChange={(event) => setDraft({ ...draft, status: event.target.value as Filters['status'] })}>
            <option value="">any</option>
            <option value="open">open</option>
            <option value="paused">paused</option>
            <option value="closed">closed</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-strategy">Strategy</label>
          <select id="filter-strategy" value={draft.strategy} onChange={(event) => setDraft({ ...draft, strategy: event.target.value })}>
            <option value="">any</option>
            {strategies.data?.items.map((strategy) => (
              <option key={strategy.key} value={strategy.key}>
                {strategy.key}
              </option>
            ))}
          </select>
        </div>
        {field('step', 'Step')}
        {field('officer', 'Officer')}
        {field('minBalance', 'Balance from', { inputMode: 'decimal', size: 8 })}
        {field('maxBalance', 'Balance to', { inputMode: 'decimal', size: 8 })}
        {field('minDaysPastDue', 'Days past due from', { inputMode: 'numeric', size: 5 })}
        {field('maxDaysPastDue', 'to', { inputMode: 'numeric', size: 5 })}
        <button type="submit">Search</button>
      </form>
      <Problem error={cases.error} />
      {isManager && <BulkActions caseIds={[...selected]} cases={items.filter((c) => selected.has(c.caseId))} onDone={() => setSelected(new Set())} />}
      <table className="list" aria-label="Cases" aria-busy={cases.isFetching}>
        <thead>
          <tr>
            {isManager && (
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select every case on this page"
                  checked={items.length > 0 && items.every((c) => selected.has(c.caseId))}
                  onChange={(event) => setSelected(event.target.checked ? new Set(items.map((c) => c.caseId)) : new Set())}
                />
              </th>
            )}
            <th scope="col">Account</th>
            <th scope="col">Status</th>
            <th scope="col">Strategy</th>
            <th scope="col">Step</th>
            <th scope="col">Balance</th>
            <th scope="col">Next</th>
            <th scope="col">Team</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.caseId}>
              {isManager && (
                <td>
                  <input type="checkbox" aria-label={`Select ${c.externalId}`} checked={selected.has(c.caseId)} onChange={() => toggle(c.caseId)} />
                </td>
              )}
              <td>
                <Link to={`/cases/${encodeURIComponent(c.caseId)}`}>{c.externalId}</Link>
              </td>
              <td>
                <span className={`badge status-${c.status}`}>{c.status}</span>
                {c.closeReason ? ` ${c.closeReason}` : ''}
              </td>
              <td>
                {c.strategy.key} v{c.strategy.version}
              </td>
              <td>{c.currentStep ?? '—'}</td>
              <td>{money(c.balance, c.currency)}</td>
              <td>
                {when(c.nextActionAt)}
                {c.nextActionWhy ? <div className="muted">{c.nextActionWhy}</div> : null}
              </td>
              <td>{c.team ?? '—'}</td>
            </tr>
          ))}
          {items.length === 0 && !cases.isPending && (
            <tr>
              <td colSpan={8} className="muted">
                No cases match.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager
        label="Cases"
        from={cursors.length * pageSize + 1}
        to={cursors.length * pageSize + items.length}
        {...(cursors.length > 0 ? { onPrevious: () => setCursors(cursors.slice(0, -1)) } : {})}
        {...(cases.data?.nextCursor ? { onNext: () => setCursors([...cursors, cases.data?.nextCursor ?? '']) } : {})}
      />
    </div>
  );
}

type Action = 'pause' | 'resume' | 'team' | 'migrate';

function BulkActions({ caseIds, cases, onDone }: { caseIds: string[]; cases: CaseView[]; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [action, setAction] = useState<Action>('pause');
  const [reason, setReason] = useState('');
  const [team, setTeam] = useState('');
  const [version, setVersion] = useState('');
  const strategyKeys = [...new Set(cases.map((c) => c.strategy.key))];
  const versions = useQuery({
    queryKey: ['strategy', strategyKeys[0]],
    queryFn: async () => unwrap(await api.GET('/api/v1/strategies/{key}', { params: { path: { key: strategyKeys[0] ?? '' } } })),
    enabled: action === 'migrate' && strategyKeys.length === 1,
  });

  const run = useMutation({
    mutationFn: async (): Promise<string> => {
      if (action === 'migrate') {
        const key = strategyKeys[0];
        if (strategyKeys.length !== 1 || !key) throw new Error('choose cases of one strategy to move them to another of its versions');
        const answer = unwrap(await api.POST('/api/v1/strategies/{key}/migrate', { params: { path: { key } }, body: { caseIds, toVersion: Number(version), reason } }));
        return `${answer.results.filter((r) => r.outcome === 'migrated').length} moved, ${answer.results.filter((r) => r.outcome !== 'migrated').length} unchanged`;
      }
      let done = 0;
      const failures: string[] = [];
      for (const caseId of caseIds) {
        try {
          if (action === 'team') unwrap(await api.PUT('/api/v1/cases/{caseId}/team', { params: { path: { caseId } }, body: { team: team.trim() || null } }));
          else unwrap(await api.POST(action === 'pause' ? '/api/v1/cases/{caseId}/pause' : '/api/v1/cases/{caseId}/resume', { params: { path: { caseId } }, body: { reason } }));
          done++;
        } catch (error) {
          failures.push(`${caseId}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      if (failures.length) throw new Error(`${done} done; ${failures.length} refused — ${failures.join('; ')}`);
      return `${done} done`;
    },
    onSuccess: () => {
      // Each case applies the change in its workflow, then the list's projection catches up.
      void queryClient.invalidateQueries({ queryKey: ['cases'] });
      setTimeout(() => void queryClient.invalidateQueries({ queryKey: ['cases'] }), 1500);
      onDone();
    },
  });

  return (
    <form
      className="bulk row"
      aria-label="Bulk actions"
      onSubmit={(event) => {
        event.preventDefault();
        run.mutate();
      }}
    >
      <span>{caseIds.length} selected</span>
      <div className="field">
        <label htmlFor="bulk-action">Action</label>
        <select id="bulk-action" value={action} onChange={(event) => setAction(event.target.value as Action)}>
          <option value="pause">Pause</option>
          <option value="resume">Resume</option>
          <option value="team">Assign to team</option>
          <option value="migrate">Move to strategy version</option>
        </select>
      </div>
      {action === 'team' ? (
        <div className="field">
          <label htmlFor="bulk-team">Team (empty: unassigned)</label>
          <input id="bulk-team" value={team} onChange={(event) => setTeam(event.target.value)} />
        </div>
      ) : (
        <div className="field">
          <label htmlFor="bulk-reason">Reason</label>
          <input id="bulk-reason" value={reason} onChange={(event) => setReason(event.target.value)} required />
        </div>
      )}
      {action === 'migrate' && (
        <div className="field">
          <label htmlFor="bulk-version">Version</label>
          <select id="bulk-version" value={version} onChange={(event) => setVersion(event.target.value)} required>
            <option value="">choose</option>
            {versions.data?.versions
              .filter((v) => v.status === 'active')
              .map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version} ({v.status})
                </option>
              ))}
          </select>
        </div>
      )}
      <button type="submit" disabled={caseIds.length === 0 || run.isPending}>
        Apply
      </button>
      <Problem error={run.error} />
      {run.isSuccess && (
        <span role="status" className="ok">
          {run.data}
        </span>
      )}
    </form>
  );
}
