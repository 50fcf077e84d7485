import { useState, type FormEvent } from 'react';
import { debtorsApi, type DebtorDetail, type DesignatedTimeInput, type DesignatedTimeView, type PreferencesBody } from '../../api/debtors';
import { Problem } from '../../components/Problem';
import { when } from '../../format';
import { describeDesignation, designationKindLabels, designationKinds, weekdays, windowOf, type DesignationKind } from './designations';
import { usePersonChange } from './use-person-change';
import { isLanguage, isMedium, isPlace, languages, media, places as allPlaces, type Language, type Medium, type Place } from './vocabulary';
import { SelectField } from '../../components/SelectField';

/** A designation as the API takes it back: the window only (the API keeps who said it and when). */
function windowInput({ from, to, days, media: timed }: DesignatedTimeView): DesignatedTimeInput {
  return { from, to, ...(days ? { days } : {}), ...(timed ? { media: timed.filter(isMedium) } : {}) };
}

/**
 * What the person told us, for all their debts: preferred channel and language, times and places
 * that are inconvenient, consent to be called. Each change replaces the list it touches (PUT).
 */
export function PreferencesPanel({ debtor, edits }: { debtor: DebtorDetail; edits: boolean }) {
  const { preferences } = debtor;
  const change = usePersonChange(debtor.debtorId, (body: PreferencesBody) => debtorsApi.putPreferences(debtor.debtorId, body));
  const times = preferences.inconvenientTimes;
  const places = preferences.refusedPlaces;
  return (
    <section aria-labelledby="preferences-title" className="panel">
      <h3 id="preferences-title">What they asked</h3>
      <Problem error={change.error} title="Not changed" />

      <ChannelAndLanguage debtor={debtor} edits={edits} save={(body) => change.mutate(body)} pending={change.isPending} />

      <h4 id="times-title">Inconvenient times</h4>
      <ul className="designations" aria-labelledby="times-title">
        {times.map((time, index) => (
          <li key={`${time.from}-${time.to}-${index}`}>
            <span data-testid="designated-time">{describeDesignation(time)}</span>{' '}
            <span className="muted">
              {time.source ? `${time.source}, ` : ''}
              {time.at ? when(time.at) : ''}
            </span>
            {edits && (
              <button type="button" className="link" aria-label={`Remove ${describeDesignation(time)}`} disabled={change.isPending} onClick={() => change.mutate({ inconvenientTimes: times.filter((_, i) => i !== index).map(windowInput) })}>
                Remove
              </button>
            )}
          </li>
        ))}
        {times.length === 0 && <li className="muted">None designated: the usual 8:00–21:00 in every zone of theirs.</li>}
      </ul>
      {edits && <AddDesignationForm pending={change.isPending} onAdd={(time) => change.mutate({ inconvenientTimes: [...times.map(windowInput), time] })} />}

      <h4 id="places-title">Places refused</h4>
      <ul className="designations" aria-labelledby="places-title">
        {places.map((refused, index) => (
          <li key={`${refused.place}-${index}`}>
            not at {refused.place}{' '}
            <span className="muted">
              {refused.source ? `${refused.source}, ` : ''}
              {refused.at ? when(refused.at) : ''}
            </span>
            {edits && (
              <button type="button" className="link" aria-label={`Remove not at ${refused.place}`} disabled={change.isPending} onClick={() => change.mutate({ refusedPlaces: places.filter((_, i) => i !== index).map(({ place }) => place).filter(isPlace) })}>
                Remove
              </button>
            )}
          </li>
        ))}
        {places.length === 0 && <li className="muted">None.</li>}
      </ul>
      {edits && <AddPlaceForm pending={change.isPending} refused={places.map((p) => p.place)} onAdd={(place) => change.mutate({ refusedPlaces: [...places.map((refused) => refused.place).filter(isPlace), place] })} />}

      {preferences.refusedMedia.length > 0 && (
        <>
          <h4 id="media-title">Media refused</h4>
          <ul className="designations" aria-labelledby="media-title">
            {preferences.refusedMedia.map((refused, index) => (
              <li key={`${refused.medium}-${index}`}>
                no {refused.medium}
                {refused.address ? ` to ${refused.address}` : ''} <span className="muted">{refused.source ?? ''}</span>
              </li>
            ))}
          </ul>
        </>
      )}

      <h4 id="consent-title">Consent to be called</h4>
      <p aria-labelledby="consent-title" data-testid="call-consent">
        {preferences.callConsent ? `Given ${when(preferences.callConsent.at)} (${preferences.callConsent.source}): calls in the next 7 days count neither toward the cap nor against a conversation.` : 'None recorded.'}
      </p>
      {edits && (
        <button type="button" className="secondary" disabled={change.isPending} onClick={() => change.mutate({ callConsent: !preferences.callConsent })}>
          {preferences.callConsent ? 'Withdraw consent to be called' : 'Record consent to be called (given on this call)'}
        </button>
      )}
    </section>
  );
}

function ChannelAndLanguage({ debtor, edits, save, pending }: { debtor: DebtorDetail; edits: boolean; save: (body: PreferencesBody) => void; pending: boolean }) {
  const stored = debtor.preferences.preferredChannel;
  const [preferredChannel, setPreferredChannel] = useState<Medium | ''>(stored && isMedium(stored) ? stored : '');
  const [language, setLanguage] = useState<Language>(isLanguage(debtor.language) ? debtor.language : 'en');
  if (!edits) {
    return (
      <dl className="facts">
        <dt>Preferred channel</dt>
        <dd>{debtor.preferences.preferredChannel ?? 'none'}</dd>
        <dt>Language</dt>
        <dd>{debtor.language}</dd>
      </dl>
    );
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    save({ preferredChannel: preferredChannel || null, language });
  }
  return (
    <form className="row" onSubmit={submit} aria-label="Preferred channel and language">
      <SelectField id="pref-channel" label="Preferred channel" value={preferredChannel} options={media} empty="none" onChange={(value) => setPreferredChannel(isMedium(value) ? value : '')} />
      <SelectField id="pref-language" label="Language" value={language} options={Object.entries(languages)} onChange={(value) => setLanguage(isLanguage(value) ? value : 'en')} />
      <button type="submit" className="secondary" disabled={pending}>
        Save channel and language
      </button>
    </form>
  );
}

function AddDesignationForm({ onAdd, pending }: { onAdd: (time: DesignatedTimeInput) => void; pending: boolean }) {
  const [kind, setKind] = useState<DesignationKind>('not_before');
  const [first, setFirst] = useState('10:00');
  const [second, setSecond] = useState('13:00');
  const [days, setDays] = useState<number[]>([]);
  const [callsOnly, setCallsOnly] = useState(false);
  function submit(event: FormEvent) {
    event.preventDefault();
    onAdd({ ...windowOf(kind, first, second), ...(days.length > 0 ? { days: [...days].sort((a, b) => a - b) } : {}), ...(callsOnly ? { media: ['phone' as const] } : {}) });
  }
  return (
    <form className="row designation-form" onSubmit={submit} aria-label="Add an inconvenient time">
      <SelectField
        id="designation-kind"
        label="Inconvenient"
        value={kind}
        options={designationKinds.map((value) => [value, designationKindLabels[value]] as const)}
        onChange={(value) => setKind(value as DesignationKind)}
      />
      <div className="field">
        <label htmlFor="designation-first">{kind === 'between' ? 'From' : 'Time'}</label>
        <input id="designation-first" type="time" value={first} onChange={(event) => setFirst(event.target.value)} required />
      </div>
      {kind === 'between' && (
        <div className="field">
          <label htmlFor="designation-second">To</label>
          <input id="designation-second" type="time" value={second} onChange={(event) => setSecond(event.target.value)} required />
        </div>
      )}
      <fieldset className="days">
        <legend>Days (none ticked: every day)</legend>
        {weekdays.map(([day, name]) => (
          <label key={day} className="inline-field">
            <input type="checkbox" checked={days.includes(day)} onChange={(event) => setDays(event.target.checked ? [...days, day] : days.filter((d) => d !== day))} />
            {name}
          </label>
        ))}
      </fieldset>
      <label className="inline-field">
        <input type="checkbox" checked={callsOnly} onChange={(event) => setCallsOnly(event.target.checked)} />
        Calls only
      </label>
      <button type="submit" disabled={pending}>
        Add inconvenient time
      </button>
    </form>
  );
}

function AddPlaceForm({ onAdd, refused, pending }: { onAdd: (place: Place) => void; refused: string[]; pending: boolean }) {
  const open = allPlaces.filter((place) => !refused.includes(place));
  const [place, setPlace] = useState<Place>(open[0] ?? 'work');
  if (open.length === 0) return null;
  return (
    <form
      className="row"
      aria-label="Add a refused place"
      onSubmit={(event) => {
        event.preventDefault();
        onAdd(open.includes(place) ? place : (open[0] ?? place));
      }}
    >
      <SelectField id="refused-place" label="Not to be contacted at" value={place} options={open} onChange={(value) => setPlace(isPlace(value) ? value : place)} />
      <button type="submit" className="secondary" disabled={pending}>
        Add refused place
      </button>
    </form>
  );
}
