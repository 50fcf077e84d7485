import { useState, type FormEvent } from 'react';
import { debtorsApi, type DebtorContact, type PostalAddress } from '../../api/debtors';
import { isPlace, media, officerSources, places, type Medium, type Place, type Source } from './vocabulary';
import { Problem } from '../../components/Problem';
import { when } from '../../format';
import { usePersonChange } from './use-person-change';
import { SelectField } from '../../components/SelectField';

/** The person's contacts: each with where it came from and its standing; officers add, correct, verify and retire them. */

const sourceLabels: Record<string, string> = { debtor: 'the debtor', officer: 'an officer', skip_trace: 'skip trace', import: 'import', enrollment: 'enrollment' };

export function ContactsPanel({ debtorId, contacts, edits }: { debtorId: string; contacts: DebtorContact[]; edits: boolean }) {
  return (
    <section aria-labelledby="contacts-title" className="panel">
      <h3 id="contacts-title">Contacts</h3>
      <div className="table-scroll">
        <table className="list compact" aria-label="Contacts">
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col">Contact</th>
              <th scope="col">Place</th>
              <th scope="col">Source</th>
              <th scope="col">Standing</th>
              {edits && <th scope="col">Change</th>}
            </tr>
          </thead>
          <tbody>
            {contacts.map((contact) => (
              <ContactRow key={contact.contactId} debtorId={debtorId} contact={contact} edits={edits} />
            ))}
            {contacts.length === 0 && (
              <tr>
                <td colSpan={edits ? 6 : 5} className="muted">
                  No contacts on file.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {edits && <AddContactForm debtorId={debtorId} />}
    </section>
  );
}

function Standing({ contact }: { contact: DebtorContact }) {
  return (
    <ul className="standing">
      <li>
        <span className={`badge contact-${contact.status}`}>{contact.status}</span>
        {contact.retiredAt ? <span className="muted"> since {when(contact.retiredAt)}</span> : null}
      </li>
      {contact.verifiedAt && <li>verified {when(contact.verifiedAt)}</li>}
      {contact.optedOutAt && (
        <li className="warning">
          opted out {when(contact.optedOutAt)}
          {contact.optOutSource ? ` (${contact.optOutSource})` : ''}
        </li>
      )}
      {contact.consent ? (
        <li>
          consent {when(contact.consentAt)}
          {contact.consentSource ? ` (${contact.consentSource})` : ''}
        </li>
      ) : (
        contact.channel === 'sms' && <li className="muted">no consent</li>
      )}
    </ul>
  );
}

const emptyAddress: PostalAddress = { line1: '', line2: '', city: '', region: '', postalCode: '', country: 'US' };

/** The address as the API takes it: optional lines left out when empty. */
function addressBody(address: PostalAddress): PostalAddress {
  const trimmed = Object.fromEntries(
    Object.entries(address)
      .map(([key, value]: [string, string | undefined]) => [key, (value ?? '').trim()] as const)
      .filter(([, value]) => value !== ''),
  ) as Partial<PostalAddress>;
  return { line1: '', city: '', postalCode: '', country: '', ...trimmed };
}

const valueLabel = (channel: string) => (channel === 'email' ? 'Email address' : 'Number (E.164, e.g. +15555550123)');

/** A postal address (letters), field by field as the API checks it. */
function AddressFields({ idPrefix, address, onChange, required }: { idPrefix: string; address: PostalAddress; onChange: (address: PostalAddress) => void; required: boolean }) {
  const field = (name: keyof PostalAddress, label: string, props: Record<string, unknown> = {}) => (
    <div className="field">
      <label htmlFor={`${idPrefix}-${name}`}>{label}</label>
      <input id={`${idPrefix}-${name}`} value={address[name] ?? ''} onChange={(event) => onChange({ ...address, [name]: event.target.value })} {...props} />
    </div>
  );
  return (
    <fieldset className="address row">
      <legend>Postal address</legend>
      {field('line1', 'Street', { required, autoComplete: 'address-line1' })}
      {field('line2', 'Line 2', { autoComplete: 'address-line2' })}
      {field('city', 'City', { required, autoComplete: 'address-level2' })}
      {field('region', 'State or region', { autoComplete: 'address-level1', size: 6 })}
      {field('postalCode', 'Postal code', { required, autoComplete: 'postal-code', size: 10 })}
      {field('country', 'Country (2 letters)', { required, autoComplete: 'country', size: 3, maxLength: 2 })}
    </fieldset>
  );
}

type RowAction = 'correct' | 'verify' | 'retire';

function ContactRow({ debtorId, contact, edits }: { debtorId: string; contact: DebtorContact; edits: boolean }) {
  const [action, setAction] = useState<RowAction | null>(null);
  const label = `${contact.channel} ${contact.value}`;
  return (
    <>
      <tr data-contact-id={contact.contactId} className={contact.status === 'retired' ? 'retired' : ''}>
        <td>{contact.channel}</td>
        <td className="contact-value">{contact.value}</td>
        <td>{contact.place ?? '—'}</td>
        <td data-testid="contact-source">
          {sourceLabels[contact.source] ?? contact.source}
          <div className="muted">{when(contact.createdAt)}</div>
        </td>
        <td>
          <Standing contact={contact} />
        </td>
        {edits && (
          <td className="actions">
            {contact.status !== 'retired' && (
              <>
                <button type="button" className="secondary" aria-label={`Correct ${label}`} aria-expanded={action === 'correct'} onClick={() => setAction(action === 'correct' ? null : 'correct')}>
                  Correct
                </button>
                {!contact.verifiedAt && (
                  <button type="button" className="secondary" aria-label={`Verify ${label}`} aria-expanded={action === 'verify'} onClick={() => setAction(action === 'verify' ? null : 'verify')}>
                    Verify
                  </button>
                )}
                <button type="button" className="secondary" aria-label={`Retire ${label}`} aria-expanded={action === 'retire'} onClick={() => setAction(action === 'retire' ? null : 'retire')}>
                  Retire
                </button>
              </>
            )}
          </td>
        )}
      </tr>
      {edits && action && (
        <tr>
          <td colSpan={6}>
            <ContactChangeForm debtorId={debtorId} contact={contact} action={action} onDone={() => setAction(null)} />
          </td>
        </tr>
      )}
    </>
  );
}

const actionLabels: Record<RowAction, string> = { correct: 'Save correction', verify: 'Mark verified', retire: 'Retire contact' };

function ContactChangeForm({ debtorId, contact, action, onDone }: { debtorId: string; contact: DebtorContact; action: RowAction; onDone: () => void }) {
  const [value, setValue] = useState('');
  const [address, setAddress] = useState(emptyAddress);
  const [place, setPlace] = useState<Place | ''>(contact.place && isPlace(contact.place) ? contact.place : '');
  const [reason, setReason] = useState('');
  const isLetter = contact.channel === 'letter';
  const corrected = isLetter ? (address.line1.trim() ? addressBody(address) : null) : value.trim() || null;
  const change = usePersonChange(debtorId, () =>
    debtorsApi.patchContact(debtorId, contact.contactId, {
      reason: reason.trim(),
      ...(action === 'verify' ? { verified: true } : action === 'retire' ? { retired: true } : {}),
      ...(action === 'correct' && corrected ? { value: corrected } : {}),
      ...(action === 'correct' && place !== (contact.place ?? '') ? { place: place || null } : {}),
    }),
  );
  const id = (field: string) => `contact-${contact.contactId}-${field}`;
  function submit(event: FormEvent) {
    event.preventDefault();
    change.mutate(undefined, { onSuccess: onDone });
  }
  return (
    <form className="row" onSubmit={submit} aria-label={`${actionLabels[action]}: ${contact.channel} ${contact.value}`}>
      {action === 'correct' && (
        <>
          {isLetter ? (
            <AddressFields idPrefix={id('address')} address={address} onChange={setAddress} required={false} />
          ) : (
            <div className="field">
              <label htmlFor={id('value')}>Corrected {valueLabel(contact.channel).toLowerCase()}</label>
              <input id={id('value')} value={value} placeholder={contact.value} onChange={(event) => setValue(event.target.value)} />
            </div>
          )}
          <SelectField id={id('place')} label="Place" value={place} options={places} empty="unknown" onChange={(value) => setPlace(isPlace(value) ? value : '')} />
        </>
      )}
      <div className="field">
        <label htmlFor={id('reason')}>Reason</label>
        <input id={id('reason')} value={reason} onChange={(event) => setReason(event.target.value)} required />
      </div>
      <button type="submit" className={action === 'retire' ? 'danger' : ''} disabled={change.isPending}>
        {actionLabels[action]}
      </button>
      <button type="button" className="secondary" onClick={onDone}>
        Cancel
      </button>
      <Problem error={change.error} title="Not changed" />
    </form>
  );
}

function AddContactForm({ debtorId }: { debtorId: string }) {
  const [channel, setChannel] = useState<Medium>('email');
  const [value, setValue] = useState('');
  const [address, setAddress] = useState(emptyAddress);
  const [place, setPlace] = useState<Place | ''>('');
  const [source, setSource] = useState<Source>('debtor');
  const add = usePersonChange(debtorId, () => debtorsApi.addContact(debtorId, { channel, value: channel === 'letter' ? addressBody(address) : value.trim(), source, ...(place ? { place } : {}) }));
  function submit(event: FormEvent) {
    event.preventDefault();
    add.mutate(undefined, {
      onSuccess: () => {
        setValue('');
        setAddress(emptyAddress);
      },
    });
  }
  return (
    <form className="row add-contact" onSubmit={submit} aria-label="Add a contact">
      <SelectField id="new-contact-channel" label="Channel" value={channel} options={media} onChange={(value) => setChannel(value as Medium)} />
      {channel === 'letter' ? (
        <AddressFields idPrefix="new-contact-address" address={address} onChange={setAddress} required />
      ) : (
        <div className="field">
          <label htmlFor="new-contact-value">{valueLabel(channel)}</label>
          <input id="new-contact-value" value={value} onChange={(event) => setValue(event.target.value)} required inputMode={channel === 'email' ? 'email' : 'tel'} />
        </div>
      )}
      <SelectField id="new-contact-place" label="Place" value={place} options={places} empty="unknown" onChange={(value) => setPlace(isPlace(value) ? value : '')} />
      <SelectField
        id="new-contact-source"
        label="Source"
        value={source}
        options={officerSources.map((value) => [value, sourceLabels[value] ?? value] as const)}
        onChange={(value) => setSource(value as Source)}
      />
      <button type="submit" disabled={add.isPending}>
        Add contact
      </button>
      <Problem error={add.error} title="Contact not added" />
      {add.isSuccess && (
        <span role="status" className="ok">
          Added; every open case of this person uses it from now.
        </span>
      )}
    </form>
  );
}
