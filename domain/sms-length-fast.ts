import { SegmentedMessage } from 'sms-segments-calculator';

/**
 * The SMS length of a GSM-7 text without building Twilio's `SegmentedMessage`, whose segment
 * builder re-sums a segment's bits for every character it adds (quadratic; a few milliseconds for
 * a three-segment reminder, paid twice per send). Each character's cost is still the library's: it
 * is asked once per distinct character and remembered, so the table cannot drift from it. Segments
 * are then packed as the library packs them: one of 1,120 bits, or past that, greedily into
 * segments of 1,072 bits (the 48-bit user data header taken from each), an extension character
 * (two septets) never split across two segments.
 *
 * Answers undefined when the text is not plain GSM-7 one unit per grapheme (a character outside
 * GSM-7, a surrogate pair, or CR, which forms one grapheme with LF): the library decides those.
 */

/** Septets (code units) of one character in GSM-7; 0 when it is not a GSM-7 character. */
const septetsOf = new Map<string, number>();

function septets(char: string): number {
  let known = septetsOf.get(char);
  if (known === undefined) {
    const alone = new SegmentedMessage(char);
    known = alone.encodingName === 'GSM-7' ? alone.numberOfCharacters : 0;
    septetsOf.set(char, known);
  }
  return known;
}

const bitsPerSeptet = 7;
const singleSegmentBits = 1120;
const concatenatedSegmentBits = 1120 - 48;

export function gsm7Length(body: string): { segments: number; encoding: 'GSM-7'; characters: number } | undefined {
  const sizes: number[] = [];
  let characters = 0;
  for (let index = 0; index < body.length; index++) {
    const char = body[index]!;
    // CR LF is one grapheme of two units, which the library counts as UCS-2.
    if (char === '\r') return undefined;
    const units = septets(char);
    if (units === 0) return undefined;
    sizes.push(units * bitsPerSeptet);
    characters += units;
  }
  if (characters * bitsPerSeptet <= singleSegmentBits) return { segments: 1, encoding: 'GSM-7', characters };
  let segments = 1;
  let used = 0;
  for (const bits of sizes) {
    if (used + bits > concatenatedSegmentBits) {
      segments++;
      used = 0;
    }
    used += bits;
  }
  return { segments, encoding: 'GSM-7', characters };
}
