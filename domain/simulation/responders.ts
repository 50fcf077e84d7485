import { isMessageAction } from '../step-actions.js';
import type { ResponseKind, TResponseModel } from './contract.js';
import { pickResponse, ratesLookup, type StratumFields } from './strata.js';

/** The debtor's side of a simulated case: what follows each contact, drawn from the response model (or scripted in a test). */

/** A contact the debtor may answer: what the response model's strata are read from. */
export interface SimulatedContact extends StratumFields {
  caseId: string;
  stepId: string;
  /** Epoch ms. */
  at: number;
  /** The contact's number in its case, from 1. */
  index: number;
}

/** What follows a contact: nothing, a bounce of the send itself, or a response `afterDays` whole days later. */
export type ContactAnswer = { kind: 'bounce' } | { kind: Exclude<ResponseKind, 'bounce'>; afterDays: number } | null;

/** Decides the debtor's side of one case in one run: the model's draws, or a script in a test. */
export interface Responder {
  /** The day (from the start, 0-based) the debtor pays in full without any contact, or null. */
  backgroundPayDay(): number | null;
  answer(contact: SimulatedContact): ContactAnswer;
}

/** The model's responder for one case in one run: one seeded stream, drawn in the case's own order. */
export function modelResponder(model: TResponseModel, random: () => number, lookup = ratesLookup(model)): Responder {
  return {
    backgroundPayDay() {
      const draw = random();
      const p = model.backgroundDailyPayFull;
      if (p <= 0) return null;
      if (p >= 1) return 0;
      // The first success of a daily Bernoulli(p): geometric, drawn at once instead of day by day.
      return Math.floor(Math.log(1 - draw) / Math.log(1 - p));
    },
    answer(contact) {
      const kind = pickResponse(lookup(contact), random());
      const day = random();
      if (kind === null) return null;
      if (kind === 'bounce') return isMessageAction(contact.action) ? { kind } : null;
      return { kind, afterDays: 1 + Math.floor(day * model.responseWindowDays) };
    },
  };
}

