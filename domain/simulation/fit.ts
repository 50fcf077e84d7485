import { responseKinds, ZResponseModel, type ResponseKind, type TResponseModel, type TResponseRates } from './contract.js';
import { balanceBand, channelOfAction, daysPastDueBand, daysSinceContactBand, stratumKeyString, type StratumFields } from './strata.js';

/**
 * The response model fitted from the engine's own history: for each contact, the first thing that
 * followed within the window (history.ts derives these from the read model). Rates per stratum
 * (step action and channel, balance band, days-past-due band, days-since-contact band) and per
 * action alone, each shrunk toward the base rates by a Beta prior worth `priorStrength`
 * observations: rate = (count + priorStrength × base) / (observations + priorStrength), so a
 * stratum seen twice says little and one seen a thousand times speaks for itself.
 */

export interface ContactObservation {
  /** The step's action: a message channel or `call`. */
  action: string;
  /** Minor units owed when the contact was made. */
  balance: number;
  daysPastDue: number;
  /** Days since the case's previous contact; null for its first. */
  daysSinceContact: number | null;
  /** The first thing that followed within the window, or null. */
  response: ResponseKind | null;
  /** A part payment's share of what was owed, to fit the model's `partShare`. */
  share?: number;
}

export interface FitOptions {
  name: string;
  version: number;
  responseWindowDays: number;
  priorStrength: number;
  /** Payments in full that followed no contact, over the days cases were open: the background rate. */
  background?: { payments: number; caseDays: number };
  fittedFrom?: { from: string; to: string; cases: number };
  /** Strata with fewer observations are left out (the action's or the base rates serve them). */
  minObservations?: number;
}

const defaultPartShare = 0.5;

function emptyCounts(): Record<ResponseKind, number> {
  return Object.fromEntries(responseKinds.map((kind) => [kind, 0])) as Record<ResponseKind, number>;
}

interface Tally {
  key: Partial<StratumFields>;
  counts: Record<ResponseKind, number>;
  observations: number;
}

export function stratumOf(observation: ContactObservation): StratumFields {
  return {
    action: observation.action,
    channel: channelOfAction(observation.action),
    balanceBand: balanceBand(observation.balance),
    daysPastDueBand: daysPastDueBand(observation.daysPastDue),
    daysSinceContactBand: daysSinceContactBand(observation.daysSinceContact),
  };
}

export function fitResponseModel(observations: readonly ContactObservation[], options: FitOptions): TResponseModel {
  const { priorStrength, minObservations = 1 } = options;
  const total = emptyCounts();
  const tallies = new Map<string, Tally>();
  const tally = (key: Partial<StratumFields>, response: ResponseKind | null) => {
    const id = stratumKeyString(key);
    let entry = tallies.get(id);
    if (!entry) {
      entry = { key, counts: emptyCounts(), observations: 0 };
      tallies.set(id, entry);
    }
    entry.observations++;
    if (response) entry.counts[response]++;
  };
  const shares: number[] = [];
  for (const observation of observations) {
    if (observation.response) total[observation.response]++;
    if (observation.response === 'pay_part' && observation.share !== undefined && observation.share > 0 && observation.share < 1) shares.push(observation.share);
    const fields = stratumOf(observation);
    tally({ action: fields.action, channel: fields.channel }, observation.response);
    tally(fields, observation.response);
  }
  const base = rates(total, observations.length, null, 0);
  const strata = [...tallies.values()]
    .filter((entry) => entry.observations >= minObservations)
    .sort((a, b) => b.observations - a.observations)
    .slice(0, 10_000)
    .map((entry) => ({ key: entry.key, rates: rates(entry.counts, entry.observations, base, priorStrength), observations: entry.observations }));
  const { background } = options;
  const model: TResponseModel = {
    name: options.name,
    version: options.version,
    responseWindowDays: options.responseWindowDays,
    partShare: shares.length === 0 ? defaultPartShare : shares.reduce((sum, share) => sum + share, 0) / shares.length,
    priorStrength,
    base,
    backgroundDailyPayFull: background && background.caseDays > 0 ? Math.min(1, background.payments / background.caseDays) : 0,
    strata,
    ...(options.fittedFrom ? { fittedFrom: options.fittedFrom } : {}),
  };
  // What the API stores must be what the schema accepts.
  return ZResponseModel.parse(model);
}

/** Counts over observations, shrunk toward `prior` by `strength` pseudo-observations. */
function rates(counts: Record<ResponseKind, number>, observations: number, prior: TResponseRates | null, strength: number): TResponseRates {
  const denominator = observations + (prior ? strength : 0);
  return Object.fromEntries(
    responseKinds.map((kind) => {
      const pseudo = prior ? strength * prior[kind] : 0;
      return [kind, denominator === 0 ? (prior?.[kind] ?? 0) : Math.min(1, (counts[kind] + pseudo) / denominator)];
    }),
  ) as TResponseRates;
}
