import { useState } from 'react';
import { debtorsApi, type DebtorContact } from '../../api/debtors';
import { Problem } from '../../components/Problem';
import { when } from '../../format';
import { usePersonChange } from './use-person-change';

/**
 * Contacts a skip-trace vendor found and nobody has confirmed yet, with the vendor's confidence:
 * an officer who reached the person on one confirms it (an audited change with the reason).
 */
export function SkipTracedContacts({ debtorId, contacts, edits }: { debtorId: string; contacts: DebtorContact[]; edits: boolean }) {
  const unconfirmed = contacts.filter((contact) => contact.source === 'skip_trace' && !contact.verifiedAt && contact.status !== 'retired');
  const [reason, setReason] = useState('reached the person on it');
  const confirm = usePersonChange(debtorId, (contactId: string) => debtorsApi.patchContact(debtorId, contactId, { verified: true, reason: reason.trim() }));
  if (unconfirmed.length === 0) return null;
  return (
    <section aria-labelledby="skip-traced-title" className="panel">
      <h3 id="skip-traced-title">Found by skip trace, not yet confirmed</h3>
      {edits && (
        <div className="field">
          <label htmlFor="skip-trace-confirm-reason">Why it is confirmed</label>
          <input id="skip-trace-confirm-reason" value={reason} onChange={(event) => setReason(event.target.value)} maxLength={500} />
        </div>
      )}
      <ul className="list" aria-label="Unconfirmed skip-traced contacts">
        {unconfirmed.map((contact) => (
          <li key={contact.contactId} data-contact-id={contact.contactId}>
            {contact.channel}: {contact.value} <span className="muted">confidence {contact.confidence ?? '?'}% · found {when(contact.createdAt)}</span>{' '}
            {edits && (
              <button type="button" disabled={confirm.isPending || reason.trim() === ''} onClick={() => confirm.mutate(contact.contactId)} aria-label={`Confirm ${contact.channel} ${contact.value}`}>
                Confirm
              </button>
            )}
          </li>
        ))}
      </ul>
      <Problem error={confirm.error} title="Not confirmed" />
    </section>
  );
}
