import { consumerEarly, negotiationLimits } from '../support/strategies.js';

/** A reminder at once and nothing else for 300 days, negotiable, contact at any hour: the webhook tests' cases. */
export function webhookStrategy(key: string) {
  return {
    ...consumerEarly,
    key,
    steps: [
      { id: 'reminder', at: 'P0D', action: 'email', template: 'reminder' },
      { id: 'call', at: 'P300D', action: 'call' },
    ],
    negotiation: negotiationLimits,
    contact: { allowedHours: { start: '00:00', end: '23:59' } },
  };
}
