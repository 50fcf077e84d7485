import { describe, expect, it } from 'vitest';
import { clip, loneSurrogateReason, nulReason, textProblem, textProblems, wellFormedDeep } from '../../domain/well-formed-text.js';

describe('well-formed text', () => {
  it('finds lone surrogates and NULs, but not surrogate pairs', () => {
    expect(textProblem('smile \ud83d\ude00')).toBeNull();
    expect(textProblem('hi \ud83d there')).toBe(loneSurrogateReason);
    expect(textProblem('\ude00 first')).toBe(loneSurrogateReason);
    expect(textProblem('a\u0000b')).toBe(nulReason);
  });

  it('names each problem by its path, keys included', () => {
    expect(textProblems({ debtor: { name: 'x\ud83d', contacts: ['ok', '\udc00'] }, ['k\ud800']: 1 })).toEqual([
      { path: ['debtor', 'name'], reason: loneSurrogateReason },
      { path: ['debtor', 'contacts', '1'], reason: loneSurrogateReason },
      { path: ['k?'], reason: loneSurrogateReason },
    ]);
  });

  it('repairs with U+FFFD, and leaves a clean value as it is', () => {
    const clean = { a: ['b', { c: 'd\ud83d\ude00' }] };
    expect(wellFormedDeep(clean)).toBe(clean);
    expect(wellFormedDeep({ text: 'hi \ud83d there', n: 1, none: null })).toEqual({ text: 'hi \uFFFD there', n: 1, none: null });
  });

  it('clips without cutting a surrogate pair in half', () => {
    expect(clip('ab\ud83d\ude00', 3)).toBe('ab');
    expect(clip('ab\ud83d\ude00', 4)).toBe('ab\ud83d\ude00');
    expect(textProblem(clip('😀'.repeat(3000), 5000))).toBeNull();
  });
});
