import type { TStep } from '../../domain/strategy.js';

/**
 * The example timeline (consumer-early) moved one day later: a case enrolled during a run only
 * sleeps, so a scenario measures enrollment or signals without sends mixed in (sends have their
 * own scenario).
 */
export function quietTimeline(): TStep[] {
  return [
    { id: 'reminder', at: 'P1D', action: 'email', template: 'reminder' },
    { id: 'nudge', at: 'P4D', action: 'sms', template: 'nudge' },
    { id: 'letter', at: 'P11D', action: 'letter', template: 'demand' },
    { id: 'call', at: 'P15D', action: 'call' },
    { id: 'agency', at: 'P61D', action: 'agency_referral', agency: 'default' },
  ];
}
