import { responseKinds, type ResponseKind, type TResponseModel, type TResponseRates } from './contract.js';

/**
 * The response model's strata: the band labels a contact falls in (shared by the fit and the
 * simulator, so a fitted stratum is the one the simulator looks up) and the rates of the most
 * specific stratum that matches a contact.
 */

export interface StratumFields {
  action: string;
  channel: string;
  balanceBand: string;
  daysPastDueBand: string;
  daysSinceContactBand: string;
}

/** Balance bands in major units (the balance is in minor units). */
export function balanceBand(balance: number): string {
  if (balance < 10_000) return '0-100';
  if (balance < 50_000) return '100-500';
  if (balance < 200_000) return '500-2000';
  return '2000+';
}

export function daysPastDueBand(days: number): string {
  if (days <= 30) return '0-30';
  if (days <= 60) return '31-60';
  if (days <= 90) return '61-90';
  if (days <= 180) return '91-180';
  return '181+';
}

/** Days since the case's previous contact; `none` for its first. */
export function daysSinceContactBand(days: number | null): string {
  if (days === null) return 'none';
  if (days < 3) return '0-2';
  if (days < 8) return '3-7';
  if (days < 15) return '8-14';
  return '15+';
}

/** The channel a step's action contacts the debtor through: the message channel, or `phone` for a call. */
export function channelOfAction(action: string): string {
  return action === 'call' ? 'phone' : action;
}

const stratumFieldNames = ['action', 'channel', 'balanceBand', 'daysPastDueBand', 'daysSinceContactBand'] as const;

export function stratumKeyString(fields: Partial<StratumFields>): string {
  return stratumFieldNames.map((name) => fields[name] ?? '*').join('|');
}

/**
 * The rates for a contact: the stratum whose every given field matches and that gives the most
 * fields (the first such on a tie), else the base rates. Looked up once per distinct contact key.
 */
export function ratesLookup(model: TResponseModel): (fields: StratumFields) => TResponseRates {
  const cache = new Map<string, TResponseRates>();
  return (fields) => {
    // The hot path: one string per contact, not an array joined.
    const key = `${fields.action}|${fields.channel}|${fields.balanceBand}|${fields.daysPastDueBand}|${fields.daysSinceContactBand}`;
    let rates = cache.get(key);
    if (!rates) {
      let best = -1;
      rates = model.base;
      for (const stratum of model.strata) {
        let given = 0;
        let matches = true;
        for (const name of stratumFieldNames) {
          const value = stratum.key[name];
          if (value === undefined) continue;
          if (value !== fields[name]) {
            matches = false;
            break;
          }
          given++;
        }
        if (matches && given > best) {
          best = given;
          rates = stratum.rates;
        }
      }
      cache.set(key, rates);
    }
    return rates;
  };
}

/** The response a uniform draw picks from `rates` (their sum at most 1; the rest is no response). */
export function pickResponse(rates: TResponseRates, draw: number): ResponseKind | null {
  let cumulative = 0;
  for (const kind of responseKinds) {
    cumulative += rates[kind];
    if (draw < cumulative) return kind;
  }
  return null;
}
