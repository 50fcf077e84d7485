import { describe, expect, it } from 'vitest';
import { isTimeZone } from '../../../domain/contact-rules.js';
import {
  candidateTimeZones,
  nanpAreaCode,
  stateOfAreaCode,
  stateZones,
  usMainlandZones,
  zonesOfPhone,
  zonesOfState,
} from '../../../domain/regulation/zones.js';

describe('candidate time zones', () => {
  it.each<[string, Parameters<typeof candidateTimeZones>[0], string[]]>([
    ['the declared zone alone', { timeZone: 'America/Chicago' }, ['America/Chicago']],
    ['a phone in the same zone adds nothing', { timeZone: 'America/Chicago', phone: '+13125550100' }, ['America/Chicago']],
    ['a Los Angeles phone for a Chicago address', { timeZone: 'America/Chicago', phone: '+12135550100' }, ['America/Chicago', 'America/Los_Angeles']],
    ['the Florida panhandle spans two zones', { phone: '+18505550100' }, ['America/New_York', 'America/Chicago']],
    ['Miami is Eastern only', { phone: '+13055550100' }, ['America/New_York']],
    ['El Paso is Mountain', { phone: '+19155550100' }, ['America/Denver']],
    ['Houston is Central', { phone: '+17135550100' }, ['America/Chicago']],
    ['Texas by address', { state: 'tx' }, ['America/Chicago', 'America/Denver']],
    ['Hawaii by address, New York by phone', { state: 'HI', phone: '+12125550100' }, ['America/New_York', 'Pacific/Honolulu']],
    ['Guam', { phone: '+16715550100' }, ['Pacific/Guam']],
    ['American Samoa (east of the date line)', { state: 'AS' }, ['Pacific/Pago_Pago']],
    ['a Canadian number is not ours to place', { timeZone: 'America/Chicago', phone: '+14165550100' }, ['America/Chicago']],
    ['a non-NANP number adds nothing', { timeZone: 'Europe/London', phone: '+442071234567' }, ['Europe/London']],
    ['nothing known: every mainland zone', {}, [...usMainlandZones]],
    ['an unknown area code alone: every mainland zone', { phone: '+15555550100' }, [...usMainlandZones]],
  ])('%s', (_name, sources, expected) => {
    expect(candidateTimeZones(sources)).toEqual(expected);
  });

  it('reads the area code of +1 numbers only', () => {
    expect(nanpAreaCode('+13125550100')).toBe('312');
    expect(nanpAreaCode('+442071234567')).toBeUndefined();
    expect(nanpAreaCode('+11125550100')).toBeUndefined(); // area codes never start with 0 or 1
  });

  it('has valid IANA zones only', () => {
    for (const zones of Object.values(stateZones)) for (const zone of zones) expect(isTimeZone(zone), zone).toBe(true);
    for (const zone of usMainlandZones) expect(isTimeZone(zone)).toBe(true);
  });

  it('places every area code in a zone of its own state', () => {
    for (let code = 200; code <= 999; code++) {
      const state = stateOfAreaCode(String(code));
      const zones = zonesOfPhone(`+1${code}5550100`);
      if (!state) {
        expect(zones, `area code ${code}`).toEqual([]);
        continue;
      }
      expect(zones.length, `area code ${code}`).toBeGreaterThan(0);
      for (const zone of zones) expect(zonesOfState(state), `area code ${code} in ${state}`).toContain(zone);
    }
  });

  it('knows every state, DC and the territories', () => {
    expect(Object.keys(stateZones)).toHaveLength(50 + 1 + 5);
  });
});
