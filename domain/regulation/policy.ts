import type { CaseFacts, ContactMedium } from '../case-facts.js';
import type { ContactWindow } from '../contact-rules.js';
import { federalCallCap, type FrequencyCap } from './call-frequency.js';
import { federalContactWindow, intersectWindows } from './inconvenient-time.js';
import { stateOverride, stateOverrides, type StateOverrideTable } from './state-overrides.js';

/**
 * The rules in force for one case: the federal floor, narrowed by the strategy's contact policy
 * and by the debtor's state. Nothing here can widen the federal rules.
 */

/**
 * A strategy's contact policy as the rules read it (the shape of `ZContactPolicy` in
 * domain/strategy.ts, every field optional so a definition saved before a field existed works).
 */
export interface ContactPolicyInput {
  allowedHours?: ContactWindow;
  noContactDays?: readonly string[];
  frequencyCaps?: Partial<Record<ContactMedium, { max: number; days: number }>>;
  validationNotice?: {
    required?: boolean;
    templates?: readonly string[];
    /**
     * Calendar days added to the end of the validation period as 12 CFR 1006.34(b)(5) computes it,
     * for a collector who wants room beyond the rule (a dispute received in the margin is treated as
     * within the period). 0, the default, is off: the period ends exactly where the rule says.
     */
    safetyMarginDays?: number;
  };
}

export interface EffectiveContactRules {
  /** The local window every candidate zone must be in, or `null` when the parts share no minute. */
  window: ContactWindow | null;
  /** The windows that were intersected, for the reason when they share none. */
  windowParts: string[];
  noContactDays: string[];
  caps: FrequencyCap[];
  validationNoticeRequired: boolean;
  /** `validationNotice.safetyMarginDays`, 0 when unset or not a whole number of days ≥ 0. */
  validationSafetyMarginDays: number;
}

export function effectiveContactRules({
  policy,
  facts,
  overrides = stateOverrides,
}: {
  policy: ContactPolicyInput;
  facts: Pick<CaseFacts, 'state'>;
  overrides?: StateOverrideTable;
}): EffectiveContactRules {
  const state = stateOverride(facts.state, overrides);
  const windows: [ContactWindow, string][] = [[federalContactWindow, 'federal']];
  if (policy.allowedHours) windows.push([policy.allowedHours, 'strategy']);
  if (state?.allowedHours) windows.push([state.allowedHours, state.source]);

  const caps: FrequencyCap[] = [federalCallCap];
  for (const [medium, cap] of Object.entries(policy.frequencyCaps ?? {})) {
    if (cap) caps.push({ media: [medium as ContactMedium], max: cap.max, days: cap.days, source: 'strategy contact policy', scope: 'person' });
  }
  for (const cap of state?.frequencyCaps ?? []) caps.push({ ...cap, source: state?.source ?? 'state rule', scope: cap.scope ?? 'person' });

  return {
    window: intersectWindows(windows.map(([window]) => window)),
    windowParts: windows.map(([window, source]) => `${window.start}–${window.end} (${source})`),
    noContactDays: [...new Set([...(policy.noContactDays ?? []), ...(state?.noContactDays ?? [])])],
    caps,
    validationNoticeRequired: policy.validationNotice?.required ?? true,
    validationSafetyMarginDays: safetyMargin(policy.validationNotice?.safetyMarginDays),
  };
}

function safetyMargin(days: number | undefined): number {
  return days !== undefined && Number.isInteger(days) && days > 0 ? days : 0;
}
