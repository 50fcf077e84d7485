import { z } from 'zod';
import { compareIsoDurations, isIsoDuration } from './duration.js';
import { templateFieldProblems } from './templates.js';

/**
 * The strategy language: what a collection manager writes and every case runs.
 * Pure and side-effect free so the workflow, the API and previews share it.
 */

export const StepAction = {
  email: 'email',
  sms: 'sms',
  letter: 'letter',
  call: 'call',
  agencyReferral: 'agency_referral',
} as const;
export type StepAction = (typeof StepAction)[keyof typeof StepAction];

/** Actions that deliver a message through a channel and so need a template of that channel. */
export const messageActions = ['email', 'sms', 'letter'] as const;
export type MessageChannel = (typeof messageActions)[number];

/** Actions after which the timeline cannot go on. */
export const terminalActions: readonly StepAction[] = ['agency_referral'];

const ZSlug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lowercase letters, digits, "-" and "_"');

const ZIsoOffset = z.string().refine(isIsoDuration, 'must be an ISO-8601 duration such as P3D or PT2H');

const ZClock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day HH:MM');

export const ZTemplate = z.object({
  channel: z.enum(messageActions),
  subject: z.string().min(1).optional(),
  body: z.string().min(1),
});
export type TTemplate = z.infer<typeof ZTemplate>;

/** Conditions a step needs to run; a step whose conditions fail is skipped, with the reason recorded. */
export const ZStepConditions = z
  .object({
    /** Run only while the balance is at least this, in minor units. */
    minBalance: z.number().int().nonnegative().optional(),
    /** Run only while the balance is at most this, in minor units. */
    maxBalance: z.number().int().nonnegative().optional(),
  })
  .strict();
export type TStepConditions = z.infer<typeof ZStepConditions>;

export const ZStep = z
  .object({
    id: ZSlug,
    /** ISO-8601 offset from the case start. */
    at: ZIsoOffset,
    action: z.enum(['email', 'sms', 'letter', 'call', 'agency_referral']),
    template: z.string().min(1).optional(),
    when: ZStepConditions.optional(),
    /** Agency to refer to, for `agency_referral`. */
    agency: z.string().min(1).optional(),
  })
  .strict();
export type TStep = z.infer<typeof ZStep>;

export const ZNegotiationPolicy = z
  .object({
    maxSettlementDiscountPercent: z.number().min(0).max(100).default(0),
    maxInstallments: z.number().int().min(1).default(12),
    minInstallment: z.number().int().nonnegative().default(0),
    minDownPayment: z.number().int().nonnegative().default(0),
    graceDays: z.number().int().min(0).max(60).default(3),
  })
  .strict();

export const ZContactPolicy = z
  .object({
    /** Local-time window in the debtor's zone in which email, SMS and calls may happen. */
    allowedHours: z.object({ start: ZClock, end: ZClock }).strict().default({ start: '08:00', end: '21:00' }),
  })
  .strict();

export const ZStrategyDefinition = z
  .object({
    key: ZSlug,
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    templates: z.record(ZSlug, ZTemplate).default({}),
    steps: z.array(ZStep).min(1, 'a strategy needs at least one step'),
    negotiation: ZNegotiationPolicy.default(ZNegotiationPolicy.parse({})),
    contact: ZContactPolicy.default(ZContactPolicy.parse({})),
  })
  .strict()
  .superRefine((strategy, ctx) => {
    for (const problem of strategyProblems(strategy)) ctx.addIssue({ code: 'custom', ...problem });
  });
export type TStrategyDefinition = z.infer<typeof ZStrategyDefinition>;

export interface StrategyProblem {
  path: (string | number)[];
  message: string;
}

/** Cross-field rules zod's shape cannot say; every problem is returned, each with its path. */
function strategyProblems(strategy: TStrategyDefinition): StrategyProblem[] {
  const problems: StrategyProblem[] = [];
  const seen = new Set<string>();
  strategy.steps.forEach((step, index) => {
    const path = ['steps', index];
    if (seen.has(step.id)) problems.push({ path: [...path, 'id'], message: `duplicate step id "${step.id}"` });
    seen.add(step.id);

    const previous = strategy.steps[index - 1];
    if (previous && compareIsoDurations(step.at, previous.at) < 0) {
      problems.push({ path: [...path, 'at'], message: `offset ${step.at} is earlier than the previous step's ${previous.at}` });
    }
    if (previous && terminalActions.includes(previous.action)) {
      problems.push({ path, message: `step "${step.id}" comes after the terminal step "${previous.id}" and can never run` });
    }

    const isMessage = (messageActions as readonly string[]).includes(step.action);
    if (isMessage && !step.template) {
      problems.push({ path: [...path, 'template'], message: `a ${step.action} step needs a template` });
    }
    if (step.template) {
      const template = strategy.templates[step.template];
      if (!template) {
        problems.push({ path: [...path, 'template'], message: `no template named "${step.template}"` });
      } else if (isMessage && template.channel !== step.action) {
        problems.push({
          path: [...path, 'template'],
          message: `template "${step.template}" is for ${template.channel}, not ${step.action}`,
        });
      }
    }
    const { minBalance, maxBalance } = step.when ?? {};
    if (minBalance !== undefined && maxBalance !== undefined && minBalance > maxBalance) {
      problems.push({ path: [...path, 'when'], message: 'minBalance is greater than maxBalance: the step can never run' });
    }
  });

  for (const [name, template] of Object.entries(strategy.templates)) {
    if (template.channel === 'email' && !template.subject) {
      problems.push({ path: ['templates', name, 'subject'], message: 'an email template needs a subject' });
    }
    for (const [part, text] of [['body', template.body], ['subject', template.subject]] as const) {
      for (const message of templateFieldProblems(text ?? '')) problems.push({ path: ['templates', name, part], message });
    }
  }

  const { start, end } = strategy.contact.allowedHours;
  if (start >= end) problems.push({ path: ['contact', 'allowedHours'], message: `start ${start} must be before end ${end}` });
  return problems;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problems: StrategyProblem[] };

/** Validates a strategy definition, reporting every problem at once with a path to its field. */
export function parseStrategyDefinition(input: unknown): ParseResult<TStrategyDefinition> {
  const result = ZStrategyDefinition.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => ({
      path: issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment)),
      message: issue.message,
    })),
  };
}
