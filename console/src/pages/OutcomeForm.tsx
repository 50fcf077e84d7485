import { useEffect, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient, keepPreviousData } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { Outcome, OutcomePreview, Task } from '../api/types';
import { Problem } from '../components/Problem';
import { dayFromToday, money } from '../format';
import { useSession } from '../session';
import { callOutcomeFor, callOutcomes, kindLabels, managerKinds, officerKinds, outcomeOf, ZOutcomeForm, type OutcomeFormValues } from './outcome-form-schema';

export type ClaimedTask = Pick<Task, 'id' | 'kind'>;

const defaults: OutcomeFormValues = {
  callOutcome: 'right_party_contact',
  kind: 'none',
  amount: '',
  dueDate: dayFromToday(7),
  downPayment: '',
  installments: '3',
  frequency: 'monthly',
  firstDueDate: dayFromToday(7),
  until: dayFromToday(30),
  reason: '',
  note: '',
  to: 'legal',
  decision: 'yes',
  closeReason: 'written_off',
};

/** Waits `ms` after the last change, so the preview is asked once the officer stops typing. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * Records what the call achieved. With a claimed task it completes the task (the call outcome plus
 * what was negotiated); without one it records the outcome on the case. Before submitting, the
 * API's preview shows the policy limits, the generated schedule, or the reason it would refuse.
 */
export function OutcomeForm({ caseId, currency, balance, task, onTaskDone }: { caseId: string; currency: string; balance: number; task: ClaimedTask | null; onTaskDone?: () => void }) {
  const { session } = useSession();
  const queryClient = useQueryClient();
  const kinds = session?.role === 'manager' || session?.role === 'admin' ? managerKinds : officerKinds;
  const initial: OutcomeFormValues = { ...defaults, kind: task ? 'none' : 'promise_to_pay' };
  const form = useForm<OutcomeFormValues>({ resolver: zodResolver(ZOutcomeForm), defaultValues: initial, mode: 'onChange' });
  const { register, handleSubmit, formState, setValue, control } = form;
  const values = useWatch({ control }) as OutcomeFormValues;
  const [done, setDone] = useState<string | null>(null);

  // Suggest the call outcome that matches what was negotiated.
  useEffect(() => {
    const suggested = callOutcomeFor[values.kind];
    if (suggested) setValue('callOutcome', suggested);
  }, [values.kind, setValue]);

  const parsed = ZOutcomeForm.safeParse(values);
  const outcome = parsed.success ? outcomeOf(parsed.data) : null;
  const pending = useDebounced(outcome ? JSON.stringify(outcome) : null, 350);
  const preview = useQuery({
    queryKey: ['outcome-preview', caseId, pending],
    queryFn: async (): Promise<OutcomePreview> =>
      unwrap(await api.POST('/api/v1/cases/{caseId}/outcomes/preview', { params: { path: { caseId } }, body: JSON.parse(pending ?? 'null') as Outcome })),
    enabled: pending !== null,
    placeholderData: keepPreviousData,
    retry: false,
  });

  const submit = useMutation({
    mutationFn: async (form: OutcomeFormValues) => {
      const negotiated = outcomeOf(form);
      if (task) {
        return unwrap(
          await api.POST('/api/v1/tasks/{id}/complete', {
            params: { path: { id: task.id } },
            body: { outcome: form.callOutcome, ...(form.note.trim() && !negotiated ? { note: form.note.trim() } : {}), ...(negotiated ? { negotiated } : {}) },
          }),
        );
      }
      if (!negotiated) throw new Error('choose what was agreed');
      return unwrap(await api.POST('/api/v1/cases/{caseId}/outcomes', { params: { path: { caseId } }, body: negotiated }));
    },
    onSuccess: () => {
      setDone(task ? 'Task completed and outcome recorded.' : 'Outcome recorded.');
      form.reset(initial);
      void queryClient.invalidateQueries({ queryKey: ['case', caseId] });
      if (task) onTaskDone?.();
    },
  });

  const error = (field: keyof OutcomeFormValues) => {
    const message = formState.errors[field]?.message;
    return message ? (
      <span className="field-error" id={`${field}-error`} role="alert">
        {message}
      </span>
    ) : null;
  };
  const input = (field: keyof OutcomeFormValues, label: string, props: Record<string, unknown> = {}) => (
    <div className="field">
      <label htmlFor={`outcome-${field}`}>{label}</label>
      <input id={`outcome-${field}`} {...register(field)} aria-invalid={formState.errors[field] ? true : undefined} aria-describedby={formState.errors[field] ? `${field}-error` : undefined} {...props} />
      {error(field)}
    </div>
  );
  const frequency = (
    <div className="field">
      <label htmlFor="outcome-frequency">Frequency</label>
      <select id="outcome-frequency" {...register('frequency')}>
        <option value="weekly">weekly</option>
        <option value="fortnightly">fortnightly</option>
        <option value="monthly">monthly</option>
      </select>
    </div>
  );

  const kind = values.kind;
  const p = preview.data;
  return (
    <section aria-labelledby="outcome-title" className="panel outcome">
      <h3 id="outcome-title">{task ? `Complete the ${task.kind} task` : 'Record an outcome'}</h3>
      <form onSubmit={(event) => void handleSubmit((data) => submit.mutate(data))(event)} noValidate>
        <div className="row">
          {task && (
            <div className="field">
              <label htmlFor="outcome-callOutcome">Call outcome</label>
              <select id="outcome-callOutcome" {...register('callOutcome')}>
                {callOutcomes.map((value) => (
                  <option key={value} value={value}>
                    {value.replaceAll('_', ' ')}
                  </option>
                ))}
              </select>
            </div>
          )}
          <div className="field">
            <label htmlFor="outcome-kind">Agreed</label>
            <select id="outcome-kind" {...register('kind')}>
              {kinds.filter((value) => task || value !== 'none').map((value) => (
                <option key={value} value={value}>
                  {kindLabels[value]}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="row">
          {kind === 'promise_to_pay' && (
            <>
              {input('amount', `Amount (${currency})`, { inputMode: 'decimal', placeholder: (balance / 100).toFixed(2) })}
              {input('dueDate', 'Due date', { type: 'date' })}
            </>
          )}
          {kind === 'payment_plan' && (
            <>
              {input('downPayment', `Down payment (${currency})`, { inputMode: 'decimal' })}
              {input('installments', 'Installments', { inputMode: 'numeric' })}
              {frequency}
              {input('firstDueDate', 'First due date', { type: 'date' })}
            </>
          )}
          {kind === 'settlement' && (
            <>
              {input('amount', `Settle for (${currency})`, { inputMode: 'decimal' })}
              {input('installments', 'Installments', { inputMode: 'numeric' })}
              {frequency}
              {input('firstDueDate', 'First due date', { type: 'date' })}
            </>
          )}
          {kind === 'hardship_pause' && input('until', 'Pause until', { type: 'date' })}
          {kind === 'escalate' && (
            <div className="field">
              <label htmlFor="outcome-to">Escalate to</label>
              <select id="outcome-to" {...register('to')}>
                <option value="legal">legal review</option>
                <option value="agency">agency</option>
              </select>
            </div>
          )}
          {(kind === 'settlement_decision' || kind === 'dispute_resolution') && (
            <div className="field">
              <label htmlFor="outcome-decision">{kind === 'settlement_decision' ? 'Approve the settlement' : 'Dispute upheld'}</label>
              <select id="outcome-decision" {...register('decision')}>
                <option value="yes">yes</option>
                <option value="no">no</option>
              </select>
            </div>
          )}
          {kind === 'close' && (
            <div className="field">
              <label htmlFor="outcome-closeReason">Close as</label>
              <select id="outcome-closeReason" {...register('closeReason')}>
                <option value="written_off">written off</option>
                <option value="uncollectible">uncollectible</option>
              </select>
            </div>
          )}
        </div>
        {['dispute', 'hardship_pause', 'cease_contact', 'escalate', 'recall'].includes(kind) && input('reason', 'Reason')}
        {(task || ['wrong_party', 'deceased', 'bankruptcy', 'settlement_decision', 'dispute_resolution', 'close'].includes(kind)) && input('note', 'Note')}

        {outcome && (
          <div className="preview" aria-live="polite" aria-busy={preview.isFetching} data-testid="outcome-preview">
            {preview.error ? (
              <Problem error={preview.error} />
            ) : p ? (
              <>
                {p.allowed ? (
                  <p className={p.needsApproval ? 'warning' : 'ok'}>{p.needsApproval ? 'Within the policy, above your authority: a manager must approve it.' : 'Within the policy.'}</p>
                ) : (
                  <p className="error" role="alert" data-testid="refusal">
                    Refused by the policy: {p.reason}
                    {p.field ? <span className="muted"> ({p.field})</span> : null}
                  </p>
                )}
                <PolicyLimits policy={p.policy} currency={currency} />
                {p.schedule.length > 0 && (
                  <table className="list compact" aria-label="Generated schedule">
                    <caption>Schedule</caption>
                    <thead>
                      <tr>
                        <th scope="col">#</th>
                        <th scope="col">Due</th>
                        <th scope="col">Amount</th>
                      </tr>
                    </thead>
                    <tbody>
                      {p.schedule.map((installment) => (
                        <tr key={installment.seq}>
                          <td>{installment.seq === 0 ? 'down' : installment.seq}</td>
                          <td>{installment.dueDate}</td>
                          <td>{money(installment.amount, currency)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </>
            ) : (
              <p className="muted">Checking against the policy…</p>
            )}
          </div>
        )}
        <Problem error={submit.error} title="Refused" />
        {done && !submit.isPending && (
          <p role="status" className="ok">
            {done}
          </p>
        )}
        <button type="submit" disabled={submit.isPending || (!task && kind === 'none')}>
          {submit.isPending ? 'Recording…' : task ? 'Complete task' : 'Record outcome'}
        </button>
      </form>
    </section>
  );
}

const policyLabels: Record<string, [string, 'money' | 'percent' | 'count' | 'days' | 'text']> = {
  maxSettlementDiscountPercent: ['Largest settlement discount', 'percent'],
  maxInstallments: ['Most installments', 'count'],
  minInstallment: ['Smallest installment', 'money'],
  minDownPayment: ['Smallest down payment', 'money'],
  graceDays: ['Grace after a due date', 'days'],
  maxPromiseDays: ['Promise at most', 'days'],
  onBroken: ['When broken', 'text'],
};

/** The strategy's negotiation limits, and the officer's own authority within them. */
function PolicyLimits({ policy, currency }: { policy: Record<string, unknown>; currency: string }) {
  const show = (value: unknown, unit: string) =>
    typeof value !== 'number' ? String(value) : unit === 'money' ? money(value, currency) : unit === 'percent' ? `${value}%` : unit === 'days' ? `${value} days` : String(value);
  const authority = policy.officerAuthority as { maxSettlementDiscountPercent?: number; maxInstallments?: number } | undefined;
  return (
    <dl className="facts policy" aria-label="Policy limits">
      {Object.entries(policyLabels)
        .filter(([key]) => policy[key] !== undefined)
        .map(([key, [label, unit]]) => (
          <div key={key}>
            <dt>{label}</dt>
            <dd>{show(policy[key], unit)}</dd>
          </div>
        ))}
      {authority && (
        <div>
          <dt>Officer authority</dt>
          <dd>
            {authority.maxSettlementDiscountPercent ?? 0}% discount, {authority.maxInstallments ?? '—'} installments
          </dd>
        </div>
      )}
    </dl>
  );
}
