/**
 * Call recording consent by US state, as data. In an all-party ("two-party") consent state every
 * person on the call must consent to its recording, so the debtor hears a disclosure before the
 * recorded conversation starts; elsewhere one party's consent (the officer's) is enough. Where the
 * debtor's state is unknown the engine discloses anyway: the cautious reading.
 */

export interface RecordingConsentRow {
  state: string;
  /** Every party must consent to recording a telephone call. */
  allParty: boolean;
  source: string;
}

/** States that require every party's consent to record a telephone call. */
export const allPartyConsentStates: readonly RecordingConsentRow[] = [
  { state: 'CA', allParty: true, source: 'Cal. Penal Code § 632' },
  { state: 'CT', allParty: true, source: 'Conn. Gen. Stat. § 52-570d' },
  { state: 'DE', allParty: true, source: 'Del. Code tit. 11, § 1335' },
  { state: 'FL', allParty: true, source: 'Fla. Stat. § 934.03' },
  { state: 'IL', allParty: true, source: '720 ILCS 5/14-2' },
  { state: 'MD', allParty: true, source: 'Md. Code, Cts. & Jud. Proc. § 10-402' },
  { state: 'MA', allParty: true, source: 'Mass. Gen. Laws ch. 272, § 99' },
  { state: 'MI', allParty: true, source: 'Mich. Comp. Laws § 750.539c' },
  { state: 'MT', allParty: true, source: 'Mont. Code Ann. § 45-8-213' },
  { state: 'NV', allParty: true, source: 'Nev. Rev. Stat. § 200.620' },
  { state: 'NH', allParty: true, source: 'N.H. Rev. Stat. § 570-A:2' },
  { state: 'PA', allParty: true, source: '18 Pa. Cons. Stat. § 5704' },
  { state: 'WA', allParty: true, source: 'Wash. Rev. Code § 9.73.030' },
];

export const recordingDisclosureText = {
  en: 'This call is being recorded. This is a communication from a debt collector.',
  es: 'Esta llamada está siendo grabada. Esta es una comunicación de un cobrador de deudas.',
} as const;

export interface RecordingDisclosure {
  /** The text played to the debtor before the call connects; null when none is required. */
  text: string | null;
  /** The state whose law asks for it, `unknown` when the debtor's state is not known. */
  state: string;
  source: string | null;
}

/** The disclosure a recorded call to a debtor in `state` needs, in `language`. */
export function recordingDisclosure({ state, language = 'en', table = allPartyConsentStates }: { state: string | null | undefined; language?: string; table?: readonly RecordingConsentRow[] }): RecordingDisclosure {
  const text = language === 'es' ? recordingDisclosureText.es : recordingDisclosureText.en;
  if (!state) return { text, state: 'unknown', source: null };
  const row = table.find((each) => each.state === state.toUpperCase());
  return row?.allParty ? { text, state: row.state, source: row.source } : { text: null, state: state.toUpperCase(), source: null };
}
