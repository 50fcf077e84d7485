import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { Problem } from '../../components/Problem';
import { SelectField } from '../../components/SelectField';
import { when } from '../../format';
import { useSession } from '../../session';
import { callPermissionText, useCallPermission } from './CallPermissionBadge';

const outcomes = [
  ['right_party_contact', 'Right party contact'],
  ['no_answer', 'No answer'],
  ['left_message', 'Left a message'],
  ['wrong_number', 'Wrong number'],
  ['refused', 'Refused to pay'],
  ['promise', 'Promise to pay'],
  ['plan', 'Payment plan'],
  ['settlement', 'Settlement'],
  ['dispute', 'Dispute'],
  ['other', 'Other'],
] as const;
type Outcome = (typeof outcomes)[number][0];

const lineStorage = 'dunning.officerLine';

/**
 * Calls on the case: may I call now (and until when), click-to-call (the engine rings the
 * officer's line and bridges the debtor, refused with the reason and the next permitted time),
 * and the case's calls with their disposition. Placed from a claimed task, the call is the task's:
 * completing the task records its disposition.
 */
export function CallPanel({ caseId, taskId }: { caseId: string; taskId?: string | undefined }) {
  const { session } = useSession();
  const calls = session?.role === 'officer' || session?.role === 'manager' || session?.role === 'admin';
  const queryClient = useQueryClient();
  const permission = useCallPermission(caseId);
  const list = useQuery({
    queryKey: ['calls', caseId],
    queryFn: async () => unwrap(await api.GET('/api/v1/cases/{caseId}/calls', { params: { path: { caseId } } })),
  });
  const [line, setLine] = useState(() => sessionStorage.getItem(lineStorage) ?? '');
  const [record, setRecord] = useState(false);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['calls', caseId] });
    void queryClient.invalidateQueries({ queryKey: ['call-permission', caseId] });
  };
  const dial = useMutation({
    mutationFn: async () => {
      sessionStorage.setItem(lineStorage, line.trim());
      return unwrap(await api.POST('/api/v1/cases/{caseId}/calls', { params: { path: { caseId } }, body: { ...(line.trim() ? { officerPhone: line.trim() } : {}), record, ...(taskId ? { taskId } : {}) } }));
    },
    onSettled: refresh,
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    dial.mutate();
  }
  return (
    <section aria-labelledby="calls-title" className="panel calls">
      <h3 id="calls-title">Calls</h3>
      <p data-testid="may-i-call" className={permission.data?.permitted ? 'permitted' : 'warning'}>
        {permission.data ? callPermissionText(permission.data) : 'Checking whether a call is permitted…'}
      </p>
      <Problem error={permission.error} />
      {calls && (
        <form className="row" onSubmit={submit} aria-label="Call the debtor">
          <div className="field">
            <label htmlFor="officer-line">Your phone (E.164, or a browser line client:identity; empty: your key's line)</label>
            <input id="officer-line" value={line} onChange={(event) => setLine(event.target.value)} placeholder="+15555550100" inputMode="tel" />
          </div>
          <label className="check">
            <input type="checkbox" checked={record} onChange={(event) => setRecord(event.target.checked)} /> Record
          </label>
          <button type="submit" disabled={dial.isPending}>
            Call debtor
          </button>
        </form>
      )}
      {dial.data && (
        <p role="status" data-testid="call-placed">
          Ringing your line; the debtor is bridged when you answer.{dial.data.disclosure ? ` The debtor hears first: “${dial.data.disclosure.text}”` : ''}
        </p>
      )}
      <Problem error={dial.error} title="Not dialed" />
      <table className="list compact" aria-label="Calls on this case">
        <thead>
          <tr>
            <th scope="col">Placed</th>
            <th scope="col">By</th>
            <th scope="col">Result</th>
            <th scope="col">Disposition</th>
          </tr>
        </thead>
        <tbody>
          {(list.data?.items ?? []).map((call) => (
            <tr key={call.callId}>
              <td>{when(call.placedAt)}</td>
              <td>
                {call.officer}
                <div className="muted">{call.source.replace('_', ' ')}</div>
              </td>
              <td>
                {call.status}
                {call.connected === null ? '' : call.connected ? `, connected ${call.durationSeconds ?? 0}s` : ', not connected'}
                {call.recording ? <div className="muted">recording {call.recording.ref}</div> : null}
              </td>
              <td>
                {call.outcome ? (
                  `${call.outcome.replaceAll('_', ' ')}${call.rightParty ? ' (right party)' : ''}`
                ) : calls && call.source === 'click_to_call' ? (
                  <DispositionForm caseId={caseId} callId={call.callId} onDone={refresh} />
                ) : (
                  <span className="muted">none yet</span>
                )}
              </td>
            </tr>
          ))}
          {list.data && list.data.items.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                No calls yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

function DispositionForm({ caseId, callId, onDone }: { caseId: string; callId: string; onDone: () => void }) {
  const [outcome, setOutcome] = useState<Outcome>('right_party_contact');
  const [rightParty, setRightParty] = useState(true);
  const save = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/cases/{caseId}/calls/{callId}/disposition', { params: { path: { caseId, callId } }, body: { outcome, rightParty } })),
    onSuccess: onDone,
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }
  return (
    <form className="row" onSubmit={submit} aria-label="Call disposition">
      <SelectField id={`outcome-${callId}`} label="Outcome" value={outcome} options={outcomes} onChange={(value) => setOutcome(value as Outcome)} />
      <label className="check">
        <input type="checkbox" checked={rightParty} onChange={(event) => setRightParty(event.target.checked)} /> Right party
      </label>
      <button type="submit" disabled={save.isPending}>
        Save
      </button>
      <Problem error={save.error} title="Not saved" />
    </form>
  );
}
