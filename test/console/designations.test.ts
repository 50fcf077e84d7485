import { describe, expect, it } from 'vitest';
import { describeDesignation, windowOf } from '../../console/src/pages/debtor/designations.js';

/** The debtor screen says a designated time the way the officer entered it. */
describe('inconvenient times as officers say them', () => {
  it('turns a choice into the local window the rules read', () => {
    expect(windowOf('not_before', '10:00', '')).toEqual({ from: '00:00', to: '10:00' });
    expect(windowOf('not_after', '20:00', '')).toEqual({ from: '20:00', to: '24:00' });
    expect(windowOf('between', '12:00', '13:30')).toEqual({ from: '12:00', to: '13:30' });
  });

  it('reads a window back, with its days and media', () => {
    expect(describeDesignation({ from: '00:00', to: '10:00' })).toBe('not before 10:00');
    expect(describeDesignation({ from: '20:00', to: '24:00', days: [6, 7] })).toBe('not after 20:00 on Sat, Sun');
    expect(describeDesignation({ from: '12:00', to: '13:00', days: [5, 1, 2, 3, 4], media: ['phone'] })).toBe('not between 12:00 and 13:00 on Mon–Fri (phone only)');
    expect(describeDesignation({ from: '00:00', to: '09:00', days: [1, 2, 3, 4, 5, 6, 7] })).toBe('not before 09:00');
  });
});
