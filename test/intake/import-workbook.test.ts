import { describe, expect, it } from 'vitest';
import { cellText, columnLetter } from '../../api/services/import-workbook.js';

/** How a workbook's cells become the text a CSV would hold, and how columns are named in a rejected row's reason. */

describe('workbook cells', () => {
  it('names columns as a spreadsheet does', () => {
    expect([0, 3, 25, 26, 27, 51, 52, 701, 702].map(columnLetter)).toEqual(['A', 'D', 'Z', 'AA', 'AB', 'AZ', 'BA', 'ZZ', 'AAA']);
  });

  it('reads typed cells as text, and refuses the ones that hold no usable value', () => {
    expect(cellText(125000)).toEqual({ text: '125000' });
    expect(cellText(12.5)).toEqual({ text: '12.5' });
    expect(cellText(true)).toEqual({ text: 'true' });
    expect(cellText(null)).toEqual({ text: '' });
    // A date without a time of day is a calendar date (a birth date); with one, an instant.
    expect(cellText(new Date(Date.UTC(1980, 1, 3)))).toEqual({ text: '1980-02-03' });
    expect(cellText(new Date(Date.UTC(2026, 0, 2, 9, 30)))).toEqual({ text: '2026-01-02T09:30:00.000Z' });
    expect(cellText({ richText: [{ text: 'Ana ' }, { text: 'Ruiz' }] })).toEqual({ text: 'Ana Ruiz' });
    expect(cellText({ formula: 'A1*2', result: 250 })).toEqual({ text: '250' });
    expect(cellText({ text: 'ana@example.com', hyperlink: 'mailto:ana@example.com' })).toEqual({ text: 'ana@example.com' });
    expect(cellText({ error: '#REF!' })).toEqual({ error: 'the cell holds the error #REF!' });
    expect(cellText({ formula: 'A1*2' })).toMatchObject({ error: expect.stringMatching(/no saved result/) });
    expect(cellText({ formula: 'NA()', result: { error: '#N/A' } })).toEqual({ error: 'the cell holds the error #N/A' });
    expect(cellText(Number.NaN)).toMatchObject({ error: expect.any(String) });
  });
});
