import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { debtorsApi, type DebtorDetail } from '../api/debtors';
import { Problem } from '../components/Problem';
import { money, when } from '../format';
import { ContactsPanel } from './debtor/ContactsPanel';
import { FlagsPanel } from './debtor/FlagsPanel';
import { PreferencesPanel } from './debtor/PreferencesPanel';
import { PersonMergesPanel } from './debtor/MergesPanel';
import { PersonNotesPanel } from './debtor/NotesPanel';
import { personKey, useEditsPersons, useManagesPersons } from './debtor/use-person-change';

/**
 * The person behind the accounts: every account with its state and next action, how to reach
 * them and what they told us (for all their debts), the holds on each account and the history
 * across accounts. Auditors read it masked, without the forms.
 */
export function DebtorScreen({ debtorId }: { debtorId: string }) {
  const edits = useEditsPersons();
  const manages = useManagesPersons();
  const [revealed, setRevealed] = useState(false);
  const detail = useQuery({ queryKey: [...personKey(debtorId), revealed], queryFn: () => debtorsApi.get(debtorId, revealed) });
  const d = detail.data;
  if (detail.error) return <Problem error={detail.error} />;
  if (!d) return <p role="status">Loading the person…</p>;

  return (
    <article className="debtor" aria-labelledby="person-title" data-debtor-id={d.debtorId}>
      <header className="case-head">
        <h2 id="person-title">
          {d.name}
          {d.mergedInto ? <span className="badge suspended">merged</span> : null}
        </h2>
        {d.mergedInto && (
          <p className="warning" role="note">
            Merged into <Link to={`/debtors/${encodeURIComponent(d.mergedInto)}`}>another person</Link>: their accounts and contacts are there now.
          </p>
        )}
        <dl className="facts">
          <dt>Creditor's id</dt>
          <dd>{d.externalId ?? '—'}</dd>
          <dt>Time zone</dt>
          <dd>{d.timeZone}</dd>
          <dt>Language</dt>
          <dd>{d.language}</dd>
          {d.state ? (
            <>
              <dt>State</dt>
              <dd>{d.state}</dd>
            </>
          ) : null}
          <dt>Owes</dt>
          <dd data-testid="person-total">{totals(d)}</dd>
        </dl>
        {d.masked !== undefined && (
          <p className="muted">
            {!d.masked ? (
              <span role="status">Shown in full; this read is in the person's audit trail.</span>
            ) : edits ? (
              <button type="button" className="secondary" onClick={() => setRevealed(true)}>
                Reveal contacts
              </button>
            ) : (
              'Contact details are masked for your role.'
            )}
          </p>
        )}
      </header>

      <AccountsPanel debtor={d} />
      <HoldsPanel debtor={d} />
      <ContactsPanel debtorId={d.debtorId} contacts={d.contacts} edits={edits && !d.mergedInto} />
      <PreferencesPanel key={`${d.preferences.preferredChannel}-${d.language}`} debtor={d} edits={edits && !d.mergedInto} />
      <FlagsPanel debtor={d} edits={edits && !d.mergedInto} />
      <PersonNotesPanel debtorId={d.debtorId} />
      <HistoryPanel debtor={d} />
      {manages && <PersonMergesPanel debtorId={d.debtorId} />}
    </article>
  );
}

/** "$1,500.00 on 2 accounts", summed per currency. */
function totals(d: DebtorDetail): string {
  const byCurrency = new Map<string, number>();
  for (const account of d.accounts) byCurrency.set(account.currency, (byCurrency.get(account.currency) ?? 0) + account.balance);
  const sums = [...byCurrency].map(([currency, sum]) => money(sum, currency)).join(' + ');
  return `${sums || money(0)} on ${d.accounts.length} account${d.accounts.length === 1 ? '' : 's'}`;
}

function AccountsPanel({ debtor }: { debtor: DebtorDetail }) {
  const groups = new Set(debtor.accounts.map((account) => account.debtGroup));
  return (
    <section aria-labelledby="accounts-title" className="panel">
      <h3 id="accounts-title">Accounts</h3>
      <div className="table-scroll">
        <table className="list compact" aria-label="Accounts">
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">State</th>
              <th scope="col">Balance</th>
              <th scope="col">Next action and why</th>
            </tr>
          </thead>
          <tbody>
            {debtor.accounts.map((account) => (
              <tr key={account.accountId} data-account={account.externalId}>
                <td>
                  {account.caseId ? <Link to={`/cases/${encodeURIComponent(account.caseId)}`}>{account.externalId}</Link> : account.externalId}
                  {groups.size < debtor.accounts.length && account.debtGroup !== account.externalId ? <div className="muted">counted with {account.debtGroup}</div> : null}
                </td>
                <td>
                  <span className={`badge status-${account.status}`}>{account.status}</span>
                  {account.currentStep ? <div className="muted">at step {account.currentStep}</div> : null}
                </td>
                <td>{money(account.balance, account.currency)}</td>
                <td>
                  {account.nextActionAt ? when(account.nextActionAt) : 'nothing scheduled'}
                  {account.nextActionWhy ? <div className="why">{account.nextActionWhy}</div> : null}
                </td>
              </tr>
            ))}
            {debtor.accounts.length === 0 && (
              <tr>
                <td colSpan={4} className="muted">
                  No accounts.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {debtor.accounts.some((account) => !account.live && account.status !== 'closed') && <p className="muted">A case's workflow did not answer: its fields are from the database.</p>}
    </section>
  );
}

function HoldsPanel({ debtor }: { debtor: DebtorDetail }) {
  if (debtor.holds.length === 0) return null;
  return (
    <section aria-labelledby="holds-title" className="panel hold">
      <h3 id="holds-title">Holds</h3>
      <ul className="designations" aria-label="Holds per account">
        {debtor.holds.map((hold, index) => (
          <li key={`${hold.caseId}-${hold.kind}-${hold.channel ?? ''}-${index}`}>
            <strong>{hold.accountExternalId}</strong> {hold.kind}
            {hold.channel ? ` (${hold.channel})` : ''}: {hold.reason} {hold.until ? <span className="muted">until {when(hold.until)}</span> : hold.channel === null ? <span className="muted">until a person lifts it</span> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function HistoryPanel({ debtor }: { debtor: DebtorDetail }) {
  return (
    <section aria-labelledby="person-history-title" className="panel">
      <h3 id="person-history-title">History across accounts</h3>
      <ol className="timeline" aria-label="What happened on any account, newest first">
        {debtor.history.map((event, index) => (
          <li key={`${event.at}-${index}`} className={/hold|held|paus|suspend/.test(event.type) ? 'held' : ''}>
            <time dateTime={event.at}>{when(event.at)}</time> {event.accountExternalId ? <span className="badge">{event.accountExternalId}</span> : <span className="badge">person</span>}{' '}
            <strong>{event.type.replaceAll('_', ' ')}</strong>
            {event.detail ? ` — ${event.detail}` : ''} <span className="muted">by {event.actor}</span>
          </li>
        ))}
        {debtor.history.length === 0 && <li className="muted">Nothing yet.</li>}
      </ol>
    </section>
  );
}
