import fc from 'fast-check';
import { SegmentedMessage } from 'sms-segments-calculator';
import { describe, expect, it } from 'vitest';
import { gsm7Length } from '../../domain/sms-length-fast.js';
import { smsLength } from '../../domain/template-sms.js';

/**
 * The SMS length the engine bills and fits by (domain/template-sms.ts) is Twilio's count: its fast
 * path for plain GSM-7 text (domain/sms-length-fast.ts) must answer what `sms-segments-calculator`
 * answers, segment boundaries and extension characters included, and leave the rest to it.
 */

const library = (text: string) => {
  const message = new SegmentedMessage(text);
  return { segments: message.segmentsCount, encoding: message.encodingName, characters: message.numberOfCharacters };
};

// Basic GSM-7, its extension characters (two septets each), and characters that make a text UCS-2.
const basic = [...'abcXYZ019 .,:;!?@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤%&\'()*+-/<=>¡ÄÖÑÜ§¿äöñüà"#\n'];
const extension = [...'€^{}[]~\\|\f'];
const outside = ['ç', 'ő', '😀', '\r', '…', 'é\u0301'];

describe('the SMS length', () => {
  it('equals the library on GSM-7 texts across the segment boundaries', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...basic) }, { weight: 1, arbitrary: fc.constantFrom(...extension) }), { maxLength: 700 }), (chars) => {
        const text = chars.join('');
        expect(gsm7Length(text)).toEqual(library(text));
        expect(smsLength(text)).toEqual(library(text));
      }),
      { numRuns: 500 },
    );
  });

  it('equals the library when an extension character falls on a segment boundary', () => {
    for (let before = 140; before <= 160; before++) {
      for (const char of extension) {
        const text = `${'a'.repeat(before)}${char}${'b'.repeat(200)}`;
        expect(smsLength(text)).toEqual(library(text));
      }
    }
    for (const length of [0, 1, 153, 159, 160, 161, 306, 307, 459, 460]) expect(smsLength('x'.repeat(length))).toEqual(library('x'.repeat(length)));
  });

  it('leaves texts that are not plain GSM-7 to the library', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...basic, ...extension), { maxLength: 300 }), fc.constantFrom(...outside), fc.nat(300), (chars, odd, at) => {
        chars.splice(at % (chars.length + 1), 0, odd);
        const text = chars.join('');
        expect(gsm7Length(text)).toBeUndefined();
        expect(smsLength(text)).toEqual(library(text));
      }),
      { numRuns: 200 },
    );
    expect(smsLength('one\r\ntwo').encoding).toBe(library('one\r\ntwo').encoding);
  });
});
