import { describe, expect, it } from 'vitest';
import { normalizedName } from '../../api/services/debtor-matches.js';
import { applyPreferences } from '../../api/services/debtor-preferences.js';
import { combinedPreferences, preferenceChanges } from '../../domain/debtor-preference-changes.js';
import { preferencesOf, ZDesignatedTimeInput } from '../../domain/debtor-preferences.js';

/** The pure parts of the person's preferences: validation, provenance kept across PUTs, what the person workflow is told, merges. */

const at = 1_796_000_000_000;
const officer = { at, source: 'debtor' };

describe('designated inconvenient times', () => {
  it('accept HH:MM with from before to, 24:00 as an end, ISO weekdays and media', () => {
    expect(ZDesignatedTimeInput.safeParse({ from: '00:00', to: '10:00' }).success).toBe(true);
    expect(ZDesignatedTimeInput.safeParse({ from: '21:00', to: '24:00', days: [6, 7], media: ['phone', 'sms'] }).success).toBe(true);
  });

  it.each([
    [{ from: '10:00', to: '10:00' }, 'to'],
    [{ from: '21:00', to: '09:00' }, 'to'],
    [{ from: '24:00', to: '24:00' }, 'from'],
    [{ from: '08:60', to: '09:00' }, 'from'],
    [{ from: '08:00', to: '24:01' }, 'to'],
    [{ from: '08:00', to: '09:00', days: [] }, 'days'],
    [{ from: '08:00', to: '09:00', days: [8] }, 'days.0'],
    [{ from: '08:00', to: '09:00', days: [1.5] }, 'days.0'],
    [{ from: '08:00', to: '09:00', extra: true }, ''],
  ])('refuse %j, naming %s', (time, path) => {
    const parsed = ZDesignatedTimeInput.safeParse(time);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });
});

describe('a PUT of preferences', () => {
  it('keeps the provenance of entries it repeats and stamps new ones', () => {
    const first = applyPreferences({}, { inconvenientTimes: [{ from: '00:00', to: '10:00' }], refusedPlaces: ['work'] }, officer);
    const later = applyPreferences(first, { inconvenientTimes: [{ from: '00:00', to: '10:00' }, { from: '20:00', to: '24:00' }] }, { at: at + 1, source: 'officer:x' });
    expect(later.inconvenientTimes).toEqual([
      { from: '00:00', to: '10:00', at, source: 'debtor' },
      { from: '20:00', to: '24:00', at: at + 1, source: 'officer:x' },
    ]);
    expect(later.refusedPlaces).toEqual([{ place: 'work', at, source: 'debtor' }]);
    expect(applyPreferences(later, { inconvenientTimes: [], refusedPlaces: [] }, officer)).toEqual({});
  });

  it('tells the person workflow only what changed, in its own terms', () => {
    const before = { preferences: applyPreferences({}, { refusedPlaces: ['work', 'home'] }, officer), language: 'en' };
    const after = { preferences: applyPreferences(before.preferences, { refusedPlaces: ['home'], callConsent: true, preferredChannel: 'sms' }, officer), language: 'es' };
    const changes = preferenceChanges(before, after, { source: 'officer:x', at });
    expect(changes.map((change) => change.kind)).toEqual(['preferences', 'call_consent', 'refusals']);
    expect(changes[0]).toMatchObject({ language: 'es', preferredChannel: 'sms' });
    expect(changes[2]).toMatchObject({ refusedPlaces: [{ place: 'home' }], refusedMedia: [] });
    expect(preferenceChanges(after, after, { source: 'x', at })).toEqual([]);
  });
});

describe('merging two persons\u2019 preferences', () => {
  it('keeps every restriction of either, the survivor\u2019s choices, and the latest call consent', () => {
    const survivor = { preferredChannel: 'email' as const, inconvenientTimes: [{ from: '00:00', to: '10:00', ...officer }], callConsent: { at, source: 'call' } };
    const merged = {
      preferredChannel: 'sms' as const,
      inconvenientTimes: [{ from: '00:00', to: '10:00', at: at + 5, source: 'letter' }, { from: '20:00', to: '24:00', ...officer }],
      flags: { ceaseCommunication: { at, source: 'letter' } },
      callConsent: { at: at + 10, source: 'call' },
    };
    const combined = combinedPreferences(survivor, merged);
    expect(combined).toEqual({
      preferredChannel: 'email',
      inconvenientTimes: [survivor.inconvenientTimes[0], merged.inconvenientTimes[1]],
      callConsent: { at: at + 10, source: 'call' },
      flags: { ceaseCommunication: { at, source: 'letter' } },
    });
  });

  it('reads stored preferences defensively', () => {
    expect(preferencesOf(null)).toEqual({});
    expect(preferencesOf({ preferredChannel: 'fax', refusedPlaces: [{ place: 'work', at, source: 'x' }] })).toEqual({ refusedPlaces: [{ place: 'work', at, source: 'x' }] });
  });
});

describe('names for match suggestions', () => {
  it('compare without case, accents, punctuation or extra spaces, and nothing more', () => {
    expect(normalizedName("  José  O'Neil ")).toBe(normalizedName('jose oneil'));
    expect(normalizedName('Ana Ruiz')).not.toBe(normalizedName('Ana Ruiz Lopez'));
  });
});
