import { useState, type FormEvent } from 'react';
import { debtorsApi, type DebtorDetail } from '../../api/debtors';
import { Problem } from '../../components/Problem';
import { when } from '../../format';
import { usePersonChange } from './use-person-change';
import { SelectField } from '../../components/SelectField';

/** Person-level flags: each stops contact on every debt of the person (time-barred stays per debt). */
const personFlags = {
  ceaseCommunication: 'Cease communication',
  attorneyRepresented: 'Represented by an attorney',
  bankruptcy: 'Bankruptcy',
  deceased: 'Deceased',
} as const;
type PersonFlag = keyof typeof personFlags;

export function FlagsPanel({ debtor, edits }: { debtor: DebtorDetail; edits: boolean }) {
  const entries = Object.entries(debtor.flags).filter(([, value]) => value);
  return (
    <section aria-labelledby="flags-title" className="panel">
      <h3 id="flags-title">Flags</h3>
      <ul className="designations" aria-label="Flags">
        {entries.map(([flag, value]) => (
          <li key={flag} className="warning">
            <strong>{personFlags[flag as PersonFlag] ?? flag}</strong>{' '}
            <span className="muted">
              since {when(value?.at)} ({value?.source})
            </span>
          </li>
        ))}
        {entries.length === 0 && <li className="muted">None.</li>}
      </ul>
      {edits && <FlagForm debtorId={debtor.debtorId} isSet={(flag) => Boolean(debtor.flags[flag])} />}
    </section>
  );
}

function FlagForm({ debtorId, isSet }: { debtorId: string; isSet: (flag: PersonFlag) => boolean }) {
  const [flag, setFlag] = useState<PersonFlag>('ceaseCommunication');
  const [source, setSource] = useState('');
  const set = !isSet(flag);
  const change = usePersonChange(debtorId, () => debtorsApi.setFlag(debtorId, { flag, set, source: source.trim() }));
  function submit(event: FormEvent) {
    event.preventDefault();
    change.mutate(undefined, { onSuccess: () => setSource('') });
  }
  return (
    <form className="row" onSubmit={submit} aria-label="Set or clear a flag">
      <SelectField id="flag-name" label="Flag" value={flag} options={Object.entries(personFlags)} onChange={(value) => setFlag(value as PersonFlag)} />
      <div className="field">
        <label htmlFor="flag-source">Source (e.g. letter of 3 Dec, call)</label>
        <input id="flag-source" value={source} onChange={(event) => setSource(event.target.value)} required />
      </div>
      <button type="submit" className={set ? 'danger' : 'secondary'} disabled={change.isPending}>
        {set ? 'Set flag' : 'Clear flag'}
      </button>
      <Problem error={change.error} title="Not changed" />
    </form>
  );
}
