import { SegmentedMessage } from 'sms-segments-calculator';
import { gsm7Length } from './sms-length-fast.js';

/**
 * SMS length as carriers bill it. GSM-7 fits 160 characters in one segment (153 per part when
 * concatenated, extension characters such as € count twice); one character outside GSM-7 turns
 * the whole message into UCS-2 at 70 (67 per part). Counted with Twilio's own
 * `sms-segments-calculator` so our count matches what Twilio reports and bills.
 */

export interface SmsLength {
  segments: number;
  encoding: 'GSM-7' | 'UCS-2';
  characters: number;
}

export function smsLength(body: string): SmsLength {
  // Plain GSM-7 (nearly every reminder) is counted without the library's quadratic segment builder.
  const fast = gsm7Length(body);
  if (fast) return fast;
  const message = new SegmentedMessage(body);
  return { segments: message.segmentsCount, encoding: message.encodingName, characters: message.numberOfCharacters };
}

/** Marks where text was cut; plain dots because "…" is not GSM-7 and would halve the capacity. */
export const truncationMarker = '...';

export type FitResult = { ok: true; body: string; truncated: boolean; length: SmsLength } | { ok: false; reason: string };

/**
 * Shortens `body` to at most `maxSegments` by cutting the free text, never the `keep` passages
 * (the disclosure and the opt-out sentence): the end of the longest free run goes first, and a
 * marker shows where. Refuses when the kept passages alone do not fit.
 */
export function fitSms(body: string, { maxSegments, keep }: { maxSegments: number; keep: readonly string[] }): FitResult {
  const length = smsLength(body);
  if (length.segments <= maxSegments) return { ok: true, body, truncated: false, length };

  // Split into alternating free and kept pieces, in order.
  const pieces: { text: string; kept: boolean }[] = [];
  let rest = body;
  for (;;) {
    const next = keep
      .map((passage) => ({ passage, at: passage ? rest.indexOf(passage) : -1 }))
      .filter(({ at }) => at >= 0)
      .sort((a, b) => a.at - b.at)[0];
    if (!next) break;
    if (next.at > 0) pieces.push({ text: rest.slice(0, next.at), kept: false });
    pieces.push({ text: next.passage, kept: true });
    rest = rest.slice(next.at + next.passage.length);
  }
  if (rest) pieces.push({ text: rest, kept: false });

  const join = () => pieces.map((piece) => piece.text).join('').trim();
  const minimal = pieces.filter((piece) => piece.kept).map((piece) => piece.text).join(' ');
  if (smsLength(minimal).segments > maxSegments) {
    return { ok: false, reason: `the required disclosure and opt-out alone need more than ${maxSegments} SMS segments` };
  }
  // Cut by graphemes so a surrogate pair or accent is never split; each round removes about the
  // overflow, so this converges in a few rounds rather than one character at a time.
  const graphemes = (text: string) => Array.from(new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text), (part) => part.segment);
  const capacity = (segments: number, encoding: SmsLength['encoding']) => (encoding === 'GSM-7' ? (segments === 1 ? 160 : 153 * segments) : segments === 1 ? 70 : 67 * segments);
  for (let round = 0; round < 50; round++) {
    const current = smsLength(join());
    if (current.segments <= maxSegments) return { ok: true, body: join(), truncated: true, length: current };
    const free = pieces.filter((piece) => !piece.kept && piece.text.trim().length > 0).sort((a, b) => b.text.length - a.text.length)[0];
    if (!free) break;
    const overflow = Math.max(1, current.characters - capacity(maxSegments, current.encoding));
    const original = free.text.replace(new RegExp(`${truncationMarker.replace(/\./g, '\\.')}\\s*$`), '');
    const trailing = /\s$/.test(free.text) ? ' ' : '';
    const kept = graphemes(original.trimEnd());
    const cut = kept.slice(0, Math.max(0, kept.length - overflow - truncationMarker.length)).join('').trimEnd();
    // An emptied run still separates the passages around it.
    free.text = cut ? `${cut}${truncationMarker}${trailing}` : ' ';
  }
  return { ok: false, reason: `the message cannot be shortened to ${maxSegments} SMS segments` };
}
