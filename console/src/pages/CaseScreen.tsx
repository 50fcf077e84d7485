import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { Arrangement } from '../api/types';
import { Problem } from '../components/Problem';
import { money, when } from '../format';
import { useSession } from '../session';
import { OutcomeForm, type ClaimedTask } from './OutcomeForm';
import { CallbacksPanel } from './case/CallbacksPanel';
import { NotesPanel } from './case/NotesPanel';
import { OwnerPanel } from './case/OwnerPanel';
import { CallPanel } from './case/CallPanel';
import { ArrangementChangePanel } from './case/ArrangementChangePanel';
import { PaymentPanel } from './case/PaymentPanel';

/** Everything an officer needs on one screen: who, how much, what happened, what is next and why. */
export function CaseScreen({ caseId, task, onTaskDone }: { caseId: string; task: ClaimedTask | null; onTaskDone?: () => void }) {
  const { session } = useSession();
  const negotiates = session?.role === 'officer' || session?.role === 'manager' || session?.role === 'admin';
  const detail = useQuery({
    queryKey: ['case', caseId],
    queryFn: async () => unwrap(await api.GET('/api/v1/cases/{caseId}', { params: { path: { caseId } } })),
  });
  const c = detail.data;
  if (detail.error) return <Problem error={detail.error} />;
  if (!c) return <p role="status">Loading case…</p>;

  const suspendedBy = c.arrangement ? `${c.arrangement.kind}${c.arrangement.status === 'pending_approval' ? ' (waiting for a manager)' : ''}` : c.hold ? `${c.hold.kind} hold` : c.status === 'paused' ? 'pause' : null;
  return (
    <article className="case" aria-labelledby="case-title" data-case-id={c.caseId}>
      <header className="case-head">
        <h2 id="case-title">
          Account {c.externalId} <span className={`badge status-${c.status}`}>{c.status}</span>
          {c.closeReason ? <span className="badge">{c.closeReason}</span> : null}
          {suspendedBy && c.status !== 'closed' ? (
            <span className="badge suspended" data-testid="suspended">
              Timeline suspended: {suspendedBy}
            </span>
          ) : null}
        </h2>
        <dl className="facts">
          <dt>Balance</dt>
          <dd data-testid="balance">
            {money(c.balance, c.currency)} <span className="muted">of {money(c.originalBalance, c.currency)}</span>
          </dd>
          {c.balanceParts.interest > 0 || c.balanceParts.fees > 0 ? (
            <>
              <dt>Made of</dt>
              <dd data-testid="balance-parts">
                principal {money(c.balanceParts.principal, c.currency)}, interest {money(c.balanceParts.interest, c.currency)}, fees {money(c.balanceParts.fees, c.currency)}
              </dd>
            </>
          ) : null}
          <dt>Strategy</dt>
          <dd>
            {c.strategy.key} v{c.strategy.version}
            {c.currentStep ? `, at step ${c.currentStep}` : ''}
          </dd>
          <dt>Next</dt>
          <dd data-testid="next-action">
            {c.nextActionAt ? when(c.nextActionAt) : 'nothing scheduled'}
            {c.nextActionWhy ? <div className="why">{c.nextActionWhy}</div> : null}
          </dd>
          {c.team ? (
            <>
              <dt>Team</dt>
              <dd>{c.team}</dd>
            </>
          ) : null}
        </dl>
        {!c.live && <p className="muted">The case's workflow did not answer: these fields are from the database.</p>}
      </header>

      <DebtorPanel caseId={caseId} />
      {c.status !== 'closed' && <CallPanel caseId={caseId} taskId={task?.id} />}
      {c.arrangement && <ArrangementPanel arrangement={c.arrangement} currency={c.currency} />}
      {c.arrangement && c.status !== 'closed' && <ArrangementChangePanel caseId={caseId} arrangement={c.arrangement} currency={c.currency} />}
      {c.hold && (
        <section aria-labelledby="hold-title" className="panel hold">
          <h3 id="hold-title">On hold: {c.hold.kind}</h3>
          <p>{c.hold.reason}</p>
          <p className="muted">
            since {when(c.hold.since)}
            {c.hold.until ? `, until ${when(c.hold.until)}` : ', until a person lifts it'}
          </p>
        </section>
      )}
      {c.status !== 'closed' && negotiates && <PaymentPanel caseId={caseId} currency={c.currency} balance={c.balance} />}
      {c.status !== 'closed' && negotiates && <OutcomeForm key={task?.id ?? 'case'} caseId={caseId} currency={c.currency} balance={c.balance} task={task} {...(onTaskDone ? { onTaskDone } : {})} />}

      <OwnerPanel caseId={caseId} officer={c.officer} />
      <NotesPanel caseId={caseId} />
      <CallbacksPanel caseId={caseId} closed={c.status === 'closed'} />

      <section aria-labelledby="channels-title" className="panel">
        <h3 id="channels-title">Channels</h3>
        <ul className="inline">
          {Object.entries(c.channels).map(([channel, standing]) => (
            <li key={channel}>
              {channel}: {standing.valid ? 'valid' : 'invalid'}
              {standing.optedOut ? ', opted out' : ''}
              {standing.consent ? '' : ', no consent'}
            </li>
          ))}
          {Object.keys(c.channels).length === 0 && <li className="muted">unknown</li>}
        </ul>
      </section>

      <section aria-labelledby="payments-title" className="panel">
        <h3 id="payments-title">Payments</h3>
        {c.payments.length === 0 ? (
          <p className="muted">No payments yet.</p>
        ) : (
          <table className="list compact">
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">Reference</th>
                <th scope="col">Amount</th>
              </tr>
            </thead>
            <tbody>
              {c.payments.map((payment) => (
                <tr key={payment.reference}>
                  <td>{when(payment.receivedAt)}</td>
                  <td>{payment.reference}</td>
                  <td>{money(payment.amount, payment.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="timeline-title" className="panel">
        <h3 id="timeline-title">Timeline</h3>
        <ol className="timeline" aria-label="What happened, newest first">
          {c.nextActionAt && (
            <li className="next">
              <time dateTime={c.nextActionAt}>{when(c.nextActionAt)}</time> <strong>next</strong> {c.nextActionWhy}
            </li>
          )}
          {c.history.map((event, index) => (
            <li key={`${event.at}-${index}`} className={/hold|held|paus|suspend/.test(event.action) ? 'held' : ''}>
              <time dateTime={event.at}>{when(event.at)}</time> <strong>{event.action.replaceAll('_', ' ')}</strong>
              {event.detail ? ` — ${event.detail}` : ''} <span className="muted">by {event.actor}</span>
            </li>
          ))}
        </ol>
      </section>

      <CommunicationsPanel caseId={caseId} />
    </article>
  );
}

function ArrangementPanel({ arrangement, currency }: { arrangement: Arrangement; currency: string }) {
  return (
    <section aria-labelledby="arrangement-title" className="panel arrangement">
      <h3 id="arrangement-title">
        {arrangement.kind === 'promise' ? 'Promise to pay' : arrangement.kind === 'plan' ? 'Payment plan' : 'Settlement'} ({arrangement.status.replace('_', ' ')})
      </h3>
      <p className="muted">
        agreed by {arrangement.agreedBy} on {when(arrangement.agreedAt)}; {arrangement.graceDays} days' grace; paid so far {money(arrangement.paidTotal, currency)}
      </p>
      <table className="list compact" aria-label="Installments">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Due</th>
            <th scope="col">Amount</th>
            <th scope="col">Paid</th>
          </tr>
        </thead>
        <tbody>
          {arrangement.installments.map((installment) => (
            <tr key={installment.seq}>
              <td>{installment.seq === 0 ? 'down' : installment.seq}</td>
              <td>{installment.dueDate}</td>
              <td>{money(installment.amount, currency)}</td>
              <td>{money(installment.paid, currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The debtor and contacts, masked until the officer reveals them (the API records each reveal). */
function DebtorPanel({ caseId }: { caseId: string }) {
  const queryClient = useQueryClient();
  const { session } = useSession();
  const canReveal = session?.role === 'officer' || session?.role === 'manager' || session?.role === 'admin';
  const [revealed, setRevealed] = useState(false);
  const debtor = useQuery({
    queryKey: ['debtor', caseId, revealed],
    queryFn: async () => unwrap(await api.GET('/api/v1/cases/{caseId}/debtor', { params: { path: { caseId }, query: { reveal: revealed ? 'true' : 'false' } } })),
  });
  const d = debtor.data;
  return (
    <section aria-labelledby="debtor-title" className="panel">
      <h3 id="debtor-title">
        Debtor
        {d ? (
          <>
            {': '}
            {/* The person, with every account of theirs and what they told us (pages/DebtorScreen.tsx). */}
            <Link to={`/debtors/${encodeURIComponent(d.debtorId)}`}>{d.name}</Link>
          </>
        ) : null}
      </h3>
      <Problem error={debtor.error} />
      {d && (
        <>
          <p className="muted">
            {d.daysPastDue} days past due · time zone {d.timeZone}
            {d.portfolio ? ` · portfolio ${d.portfolio}` : ''}
          </p>
          <table className="list compact" aria-label="Contacts">
            <thead>
              <tr>
                <th scope="col">Channel</th>
                <th scope="col">Contact</th>
                <th scope="col">Standing</th>
              </tr>
            </thead>
            <tbody>
              {d.contacts.map((contact) => (
                <tr key={contact.id}>
                  <td>{contact.channel}</td>
                  <td className="contact-value">{contact.value}</td>
                  <td>
                    {contact.status}
                    {contact.optedOut ? ', opted out' : ''}
                    {contact.consent ? ', consent' : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {d.masked && !canReveal ? (
            <p className="muted">Contact details are masked for your role.</p>
          ) : d.masked ? (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setRevealed(true);
                void queryClient.invalidateQueries({ queryKey: ['case', caseId] });
              }}
            >
              Reveal contacts
            </button>
          ) : (
            <p className="muted" role="status">
              Shown in full; this read is in the case's audit trail.
            </p>
          )}
        </>
      )}
    </section>
  );
}

/** Every message sent, with its content and delivery status (reading them in full is audited). */
function CommunicationsPanel({ caseId }: { caseId: string }) {
  const [open, setOpen] = useState(false);
  const comms = useQuery({
    queryKey: ['communications', caseId],
    queryFn: async () => unwrap(await api.GET('/api/v1/cases/{caseId}/communications', { params: { path: { caseId } } })),
    enabled: open,
  });
  return (
    <section aria-labelledby="comms-title" className="panel">
      <h3 id="comms-title">Communications</h3>
      {!open ? (
        <button type="button" className="secondary" onClick={() => setOpen(true)}>
          Show communications
        </button>
      ) : (
        <>
          <Problem error={comms.error} />
          {comms.data && comms.data.items.length === 0 && <p className="muted">Nothing sent yet.</p>}
          <ul className="comms">
            {comms.data?.items.map((item) => (
              <li key={item.id}>
                <details>
                  <summary>
                    <span className="badge">{item.channel}</span> {item.subject ?? item.template} — <span className={`delivery delivery-${item.status}`}>{item.status}</span>{' '}
                    <span className="muted">
                      {when(item.sentAt ?? item.createdAt)} to {item.recipient}
                    </span>
                  </summary>
                  <pre className="message">{item.body}</pre>
                  {item.error ? <p className="error">{item.error}</p> : null}
                </details>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
