import { z } from 'zod';
import { channelIds, channels, type ChannelSpec, type ContactChannel } from './channels/index.js';
import { compareIsoDurations, isIsoDuration } from './duration.js';
import { ZNegotiationPolicy } from './negotiation-policy.js';
import { ZSelfServicePolicy } from './self-service-policy.js';
import { fallbackActions, messageActions, stepActions, terminalActions } from './step-actions.js';
import { arrangementStates, contactOutcomes, stepResults } from './step-conditions.js';
import { lintStrategy } from './strategy-lint.js';
import { weekdayNames } from './regulation/inconvenient-time.js';
import { templateFieldProblems } from './templates.js';

/**
 * The strategy language: what a collection manager writes and every case runs.
 * Pure and side-effect free so the workflow, the API and previews share it.
 */

// The actions and what each one does are in step-actions.ts, which the workflow reads too.
export { StepAction, messageActions, terminalActions, type MessageChannel } from './step-actions.js';

// Each field's `.describe()` text is its reference documentation: docs/strategy-language.md is
// generated from it (npm run docs:strategy), and a test fails when the two drift apart.

const ZSlug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lowercase letters, digits, "-" and "_"');

const ZIsoOffset = z.string().refine(isIsoDuration, 'must be an ISO-8601 duration such as P3D or PT2H');

const ZClock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day HH:MM');

/** An object with one field per message channel (domain/channels/), each made by `field`. */
function perChannel<T extends z.ZodType>(field: (channel: ContactChannel) => T) {
  return z.object(Object.fromEntries(channelIds.map((channel) => [channel, field(channel)])) as Record<ContactChannel, T>);
}

export const ZTemplate = z
  .object({
    channel: z.enum(messageActions).describe('The channel the template is written for; a step sends it only through this channel.'),
    subject: z.string().min(1).optional().describe('Email subject (required for `email`); mustache placeholders allowed.'),
    body: z
      .string()
      .min(1)
      .describe(
        'The text, with mustache placeholders such as `{{debtor.name}}`, `{{balance}}` (formatted in the account currency) and `{{creditor.name}}`. ' +
          'When it lacks the collection disclosure or the opt-out (unsubscribe link, "Reply STOP"), they are appended in the debtor\'s language.',
      ),
    managed: ZSlug.optional().describe(
      'A managed template (POST /api/v1/templates) to send instead, in the debtor\'s language, at its newest active version; ' +
        'the inline subject and body are used while it has none.',
    ),
    approvedTemplate: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe(
        'WhatsApp only: the name the provider (Meta, through Twilio) approved this template under; the body must be its approved text. ' +
          'Outside the 24 hours after the debtor\'s last WhatsApp message only an approved template may be sent; ' +
          'a step whose template has none is refused there and its fallback runs.',
      ),
  })
  .describe('A message the steps can send, by name.');
export type TTemplate = z.infer<typeof ZTemplate>;

const ZArrangementState = z.enum(arrangementStates);

/**
 * Conditions a step needs to run, all of them, checked when it is due (domain/step-conditions.ts);
 * a step whose conditions fail is skipped, with the reason recorded.
 */
export const ZStepConditions = z
  .object({
    minBalance: z.number().int().nonnegative().optional().describe('Run only while the balance is at least this, in minor units (cents).'),
    maxBalance: z.number().int().nonnegative().optional().describe('Run only while the balance is at most this, in minor units (cents).'),
    minDaysPastDue: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Run only while the account is at least this many days past due (days past due at enrollment plus the days since).'),
    maxDaysPastDue: z.number().int().nonnegative().optional().describe('Run only while the account is at most this many days past due.'),
    lastContactOutcome: z
      .array(z.enum(contactOutcomes))
      .min(1)
      .optional()
      .describe('Run only when the last contact with the debtor (a call, or a negotiated outcome) ended in one of these.'),
    channelAvailable: perChannel((channel) => {
      const spec: ChannelSpec = channels[channel];
      const standing = spec.consent ? ' (number valid, consent, not opted out)' : '';
      return z.boolean().optional().describe(`\`true\`: ${spec.medium} can reach the debtor now${standing}; \`false\`: they cannot.`);
    })
      .strict()
      .optional()
      .describe('Run only when each named channel is usable (`true`) or not usable (`false`) now.'),
    arrangementActive: z
      .union([ZArrangementState, z.array(ZArrangementState).min(1)])
      .optional()
      .describe('Run only while this arrangement (or one of these) is in force: `promise`, `plan` or `none`.'),
    previousStepResult: z
      .array(z.enum(stepResults))
      .min(1)
      .optional()
      .describe('Run only when the step just before this one ended so: `sent`, `skipped`, `failed` or `bounced`.'),
  })
  .strict()
  .describe('Conditions the step needs, all of them, checked when it is due; when one fails the step is skipped and the reason recorded.');
export type TStepConditions = z.infer<typeof ZStepConditions>;

/**
 * What a message step does instead when its channel is unavailable when it is due, or its send
 * failed for good (bounced, undeliverable): run another step of the timeline now (by id; it does
 * not run again at its own time), or an inline `{ action, template }` in its place.
 */
export const ZFallback = z
  .union([
    ZSlug.describe('The id of a later step of the timeline, run now instead (it does not run again at its own time).'),
    z
      .object({
        action: z.enum(fallbackActions).describe('Another channel, or a call task for an officer.'),
        template: z.string().min(1).optional().describe('The template to send, for `email`, `sms` and `letter`; of the action\'s channel.'),
        note: z.string().min(1).max(2000).optional().describe('Instruction for the officer, for a `call`.'),
      })
      .strict()
      .describe('An inline step run in this step\'s place.'),
  ])
  .describe(
    'What a message step does instead when its channel is unavailable when it is due, or its send failed for good ' +
      '(bounced email, undeliverable SMS, returned letter).',
  );
export type TFallback = z.infer<typeof ZFallback>;

export const ZStep = z
  .object({
    id: ZSlug.describe('Unique within the strategy; tasks, the audit trail, fallbacks and version migrations name the step by it.'),
    at: ZIsoOffset.describe(
      'When the step is due: an ISO-8601 duration (`P0D`, `P3D`, `PT2H`, `P1M`) counted from the enrollment (the case start), ' +
        'pushed back by every time the timeline was suspended (arrangements, holds, pauses). Offsets never decrease along the timeline.',
    ),
    action: z.enum(stepActions).describe('What the step does (see "Actions" above).'),
    template: z.string().min(1).optional().describe('The template to send: required for `email`, `sms` and `letter`, of the same channel.'),
    when: ZStepConditions.optional(),
    agency: z.string().min(1).optional().describe('Agency to refer to, for `agency_referral` (default `default`).'),
    note: z.string().min(1).max(2000).optional().describe('The text of a `note`, or the instruction on a `call` or `legal_review` task.'),
    fallback: ZFallback.optional(),
  })
  .strict()
  .describe('One step of the timeline, in order of `at`.');
export type TStep = z.infer<typeof ZStep>;

const ZBranch = z.enum(['resume', 'restart', 'escalate_agency', 'escalate_legal']);

/**
 * What the case does when something happens to it (domain/strategy-branches.ts says what each
 * choice means and the defaults when a field is absent).
 */
export const ZEventBranches = z
  .object({
    brokenPromise: ZBranch.optional().describe(
      'A promise or plan installment unpaid past the grace days. Default: `negotiation.onBroken`, else `resume`.',
    ),
    paymentReturned: ZBranch.optional().describe('A payment came back (NSF, chargeback). Default: `resume`.'),
    reply: z
      .object({
        dispute: z
          .enum(['task', 'hold', 'escalate_legal'])
          .optional()
          .describe('The debtor disputes the debt in a reply. Default: `task` (an officer reviews and records the dispute).'),
        callMe: z.enum(['call_task', 'ignore']).optional().describe('The debtor asks to be called. Default: `call_task`.'),
      })
      .strict()
      .optional()
      .describe('How debtor replies are answered.'),
  })
  .strict()
  .describe('What the case does when something happens to it.');
export type TEventBranches = z.infer<typeof ZEventBranches>;

export { ZNegotiationPolicy, type TNegotiationPolicy } from './negotiation-policy.js';

/** A local day without email, SMS or calls: a weekday (`sun`) or an ISO date (`2026-12-25`). */
const ZNoContactDay = z
  .string()
  .refine(
    (day) => (weekdayNames as readonly string[]).includes(day) || z.iso.date().safeParse(day).success,
    `must be a weekday (${weekdayNames.join(', ')}) or an ISO date such as 2026-12-25`,
  )
  .describe(`A weekday (${weekdayNames.join(', ')}) or an ISO date such as 2026-12-25.`);

/** At most `max` contacts within `days` consecutive local days; 0 turns the channel off. */
const ZFrequencyCap = z
  .object({
    max: z.number().int().min(0).max(100).describe('Most contacts allowed in the period; 0 turns the channel off.'),
    days: z.number().int().min(1).max(31).describe('Length of the period in consecutive local days.'),
  })
  .strict()
  .describe('At most `max` contacts within `days` consecutive local days.');

/**
 * The strategy's contact rules. They only ever narrow the law's (domain/regulation/): a window
 * wider than 08:00–21:00 is cut to it, the federal cap of 7 calls in 7 days always applies.
 */
export const ZContactPolicy = z
  .object({
    allowedHours: z
      .object({
        start: ZClock.describe('Local time HH:MM from which contact may happen.'),
        end: ZClock.describe('Local time HH:MM at which contact stops; after `start`.'),
      })
      .strict()
      .default({ start: '08:00', end: '21:00' })
      .describe('Local-time window in the debtor\'s zone (every zone the debtor may be in) in which email, SMS and calls may happen.'),
    noContactDays: z
      .array(ZNoContactDay)
      .max(400)
      .default(() => [])
      .describe('Local days without email, SMS or calls, in every zone the debtor may be in (letters still go).'),
    frequencyCaps: z
      .object({ phone: ZFrequencyCap, ...perChannel(() => ZFrequencyCap).shape })
      .partial()
      .strict()
      .default(() => ({}))
      .describe('Caps per channel on top of the law\'s (the federal 7 calls in 7 days always applies).'),
    validationNotice: z
      .object({
        required: z
          .boolean()
          .default(true)
          .describe('While true, collection waits once 5 days have passed since the first communication without the notice. ' +
            'Set `false` only where Reg F does not apply (a creditor\'s own debts).'),
        templates: z.array(ZSlug).default(() => []).describe('The templates that carry the validation information; sending one counts as sending the notice.'),
        generate: z
          .boolean()
          .optional()
          .describe('The engine generates the notice from the case\'s ledger (the model form, in the debtor\'s language) and sends it as the case\'s first ' +
            'communication: by email where the person consented to electronic delivery, otherwise by letter. On by default for portfolios of ' +
            'third-party collectors and debt buyers; `false` turns it off, and then a template in `templates` must carry the notice before any other contact.'),
        safetyMarginDays: z
          .number()
          .int()
          .min(0)
          .max(30)
          .optional()
          .describe('Days added to the end of the validation period as 12 CFR 1006.34(b)(5) computes it (receipt 5 days after sending, ' +
            'Saturdays, Sundays and federal holidays excluded; the period ends 30 days after). Off (0) unless set; see docs/contact-times.md.'),
      })
      .strict()
      .prefault({})
      .describe('The validation information of 12 CFR 1006.34.'),
    consolidate: z
      .array(z.enum(['email', 'sms']))
      .max(2)
      .optional()
      .describe('Channels on which one message lists every account of the person due the same local day, instead of one message per account ' +
        '(a built-in template in the debtor\'s language, English or Spanish, with the disclosures any listed debt needs). It is one contact with the ' +
        'person, recorded as a communication of each listed case. Only for people whose other accounts consolidate too; letters and validation ' +
        'notices always go per debt. Off by default.'),
  })
  .strict()
  .describe('The strategy\'s contact rules. They only ever narrow the law\'s and the debtor\'s state\'s rules, never widen them.');
export type TContactPolicy = z.infer<typeof ZContactPolicy>;

export const ZStrategyDefinition = z
  .object({
    key: ZSlug.describe('Identifies the strategy across its versions; accounts enroll by it.'),
    name: z.string().min(1).max(200).describe('A name for people.'),
    description: z.string().max(2000).optional().describe('What the strategy is for.'),
    templates: z.record(ZSlug, ZTemplate).default({}).describe('The messages the steps send, by name.'),
    steps: z.array(ZStep).min(1, 'a strategy needs at least one step').describe('The timeline, in order of `at`.'),
    negotiation: ZNegotiationPolicy.default(ZNegotiationPolicy.parse({})),
    contact: ZContactPolicy.default(ZContactPolicy.parse({})),
    selfService: ZSelfServicePolicy.optional(),
    on: ZEventBranches.optional(),
  })
  .strict()
  .superRefine((strategy, ctx) => {
    for (const problem of strategyProblems(strategy)) ctx.addIssue({ code: 'custom', ...problem });
    for (const problem of lintStrategy(strategy)) ctx.addIssue({ code: 'custom', ...problem });
  })
  .describe('A strategy definition, JSON or YAML.');
export type TStrategyDefinition = z.infer<typeof ZStrategyDefinition>;

export interface StrategyProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Cross-field rules zod's shape cannot say; every problem is returned, each with its path.
 * zod runs this even when a field failed its own check, so a rule only reads fields that passed.
 */
function strategyProblems(strategy: TStrategyDefinition): StrategyProblem[] {
  const problems: StrategyProblem[] = [];
  const seen = new Set<string>();
  let terminal: TStep | undefined;
  strategy.steps.forEach((step, index) => {
    const path = ['steps', index];
    if (seen.has(step.id)) problems.push({ path: [...path, 'id'], message: `duplicate step id "${step.id}"` });
    seen.add(step.id);

    const previous = strategy.steps[index - 1];
    if (previous && isIsoDuration(step.at) && isIsoDuration(previous.at) && compareIsoDurations(step.at, previous.at) < 0) {
      problems.push({ path: [...path, 'at'], message: `offset ${step.at} is earlier than the previous step's ${previous.at}` });
    }
    if (terminal) {
      problems.push({ path, message: `step "${step.id}" comes after the terminal step "${terminal.id}" and can never run` });
    } else if (terminalActions.includes(step.action)) {
      terminal = step;
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
    const spec: ChannelSpec = channels[template.channel];
    if (spec.template.subject === 'required' && !template.subject) {
      problems.push({ path: ['templates', name, 'subject'], message: `an ${template.channel} template needs a subject` });
    }
    if (template.approvedTemplate !== undefined && !spec.template.approvedTemplate) {
      problems.push({ path: ['templates', name, 'approvedTemplate'], message: `${spec.name} has no provider-approved templates; remove approvedTemplate` });
    }
    for (const [part, text] of [['body', template.body], ['subject', template.subject]] as const) {
      for (const message of templateFieldProblems(text ?? '')) problems.push({ path: ['templates', name, part], message });
    }
  }

  const { start, end } = strategy.contact.allowedHours;
  if (ZClock.safeParse(start).success && ZClock.safeParse(end).success && start >= end) {
    problems.push({ path: ['contact', 'allowedHours'], message: `start ${start} must be before end ${end}` });
  }
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
