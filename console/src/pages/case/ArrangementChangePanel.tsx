import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { Arrangement, Outcome } from '../../api/types';
import { Problem } from '../../components/Problem';
import { SelectField } from '../../components/SelectField';
import { dayFromToday, money, when } from '../../format';
import { useSession } from '../../session';

/**
 * Account servicing on the case: reschedule, amend or cancel the arrangement in force with a
 * reason, and, for a manager, decide what waits for approval (a plan or settlement above an
 * officer's authority, or a change to one). The API applies the same policy as a new plan.
 */

const changes = ['arrangement_reschedule', 'arrangement_amend', 'arrangement_cancel'] as const;
type Change = (typeof changes)[number];
const changeLabels: Record<Change, string> = { arrangement_reschedule: 'Reschedule the next payment', arrangement_amend: 'Amend: re-plan what is left', arrangement_cancel: 'Cancel the arrangement' };

export function ArrangementChangePanel({ caseId, arrangement, currency }: { caseId: string; arrangement: Arrangement; currency: string }) {
  const role = useSession().session?.role;
  const queryClient = useQueryClient();
  const [change, setChange] = useState<Change>('arrangement_reschedule');
  const [dueDate, setDueDate] = useState(dayFromToday(14));
  const [installments, setInstallments] = useState('3');
  const [frequency, setFrequency] = useState<'weekly' | 'fortnightly' | 'monthly'>('monthly');
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const record = useMutation({
    mutationFn: async (outcome: Outcome) => unwrap(await api.POST('/api/v1/cases/{caseId}/outcomes', { params: { path: { caseId } }, body: outcome })),
    onSuccess: () => {
      setReason('');
      setNote('');
      return queryClient.invalidateQueries({ queryKey: ['case', caseId] });
    },
  });
  if (role !== 'officer' && role !== 'manager' && role !== 'admin') return null;
  const manages = role === 'manager' || role === 'admin';
  const pending = arrangement.status === 'pending_approval' || Boolean(arrangement.pendingChange);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const why = reason.trim();
    if (change === 'arrangement_cancel') record.mutate({ kind: change, reason: why });
    else if (change === 'arrangement_reschedule') record.mutate({ kind: change, dueDate, reason: why });
    else record.mutate({ kind: change, installments: Number(installments), frequency, firstDueDate: dueDate, reason: why });
  };

  return (
    <section aria-labelledby="arrangement-change-title" className="panel">
      <h3 id="arrangement-change-title">Change the arrangement</h3>
      {arrangement.pendingChange && (
        <p data-testid="pending-change">
          Waiting for a manager: {arrangement.pendingChange.change} by {arrangement.pendingChange.by} ({when(arrangement.pendingChange.requestedAt)}): {arrangement.pendingChange.reason}.{' '}
          New schedule: {arrangement.pendingChange.installments.map((each) => `${money(each.amount, currency)} on ${each.dueDate}`).join(', ')}
        </p>
      )}
      {pending && manages && (
        <div className="actions" role="group" aria-label="Manager's decision">
          <label htmlFor="arrangement-decision-note">Decision note</label>
          <input id="arrangement-decision-note" value={note} onChange={(event) => setNote(event.target.value)} maxLength={2000} />
          <button type="button" disabled={record.isPending} onClick={() => record.mutate({ kind: 'arrangement_decision', approve: true, ...(note.trim() ? { note: note.trim() } : {}) })}>
            Approve
          </button>
          <button type="button" disabled={record.isPending} onClick={() => record.mutate({ kind: 'arrangement_decision', approve: false, ...(note.trim() ? { note: note.trim() } : {}) })}>
            Reject
          </button>
        </div>
      )}
      <form onSubmit={submit} aria-label="Change the arrangement">
        <SelectField id="arrangement-change" label="Change" value={change} onChange={(value) => setChange(value as Change)} options={changes.map((value) => [value, changeLabels[value]] as const)} />
        {change !== 'arrangement_cancel' && (
          <>
            <label htmlFor="arrangement-due">{change === 'arrangement_amend' ? 'First payment on' : 'Next payment on'}</label>
            <input id="arrangement-due" type="date" value={dueDate} onChange={(event) => setDueDate(event.target.value)} required />
          </>
        )}
        {change === 'arrangement_amend' && (
          <>
            <label htmlFor="arrangement-installments">Installments left</label>
            <input id="arrangement-installments" inputMode="numeric" value={installments} onChange={(event) => setInstallments(event.target.value)} required />
            <SelectField id="arrangement-frequency" label="Every" value={frequency} onChange={(value) => setFrequency(value as typeof frequency)} options={[['weekly', 'week'], ['fortnightly', 'two weeks'], ['monthly', 'month']] as const} />
          </>
        )}
        <label htmlFor="arrangement-reason">Reason for the change</label>
        <input id="arrangement-reason" value={reason} onChange={(event) => setReason(event.target.value)} maxLength={2000} required />
        <button type="submit" disabled={record.isPending || reason.trim() === ''}>
          Record the change
        </button>
      </form>
      {record.isSuccess && <p role="status">Recorded.</p>}
      <Problem error={record.error} title="Not recorded" />
    </section>
  );
}
