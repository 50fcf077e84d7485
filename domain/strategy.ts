import { z } from 'zod';
import { channelIds, channels, type ChannelSpec, type ContactChannel } from './channels/index.js';
import { compareIsoDurations, isIsoDuration } from './duration.js';
import { ZNegotiationPolicy } from './negotiation-policy.js';
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

const ZSlug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lowercase letters, digits, "-" and "_"');

const ZIsoOffset = z.string().refine(isIsoDuration, 'must be an ISO-8601 duration such as P3D or PT2H');

const ZClock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day HH:MM');

/** An object with one optional field per message channel (domain/channels/). */
function perChannel<T extends z.ZodType>(field: T) {
  return z.object(Object.fromEntries(channelIds.map((channel) => [channel, field])) as Record<ContactChannel, T>);
}

export const ZTemplate = z.object({
  channel: z.enum(messageActions),
  subject: z.string().min(1).optional(),
  body: z.string().min(1),
  /**
   * A managed template (POST /api/v1/templates) to send instead, in the debtor's language, at
   * its newest active version; the inline subject and body are used while it has none.
   */
  managed: ZSlug.optional(),
  /**
   * WhatsApp: the name of the template as the provider approved it (Meta, through Twilio). Only
   * an approved template may be sent outside the 24-hour window after the debtor's last message
   * (domain/channels/whatsapp.ts); without it the step is refused there and its fallback runs.
   * The body must be the approved text.
   */
  approvedTemplate: z.string().trim().min(1).max(200).optional(),
});
export type TTemplate = z.infer<typeof ZTemplate>;

const ZArrangementState = z.enum(arrangementStates);

/**
 * Conditions a step needs to run, all of them, checked when it is due (domain/step-conditions.ts);
 * a step whose conditions fail is skipped, with the reason recorded.
 */
export const ZStepConditions = z
  .object({
    /** Run only while the balance is at least this, in minor units. */
    minBalance: z.number().int().nonnegative().optional(),
    /** Run only while the balance is at most this, in minor units. */
    maxBalance: z.number().int().nonnegative().optional(),
    /** Run only while the account is at least this many days past due (at enrollment plus days since). */
    minDaysPastDue: z.number().int().nonnegative().optional(),
    maxDaysPastDue: z.number().int().nonnegative().optional(),
    /** Run only when the last contact with the debtor ended in one of these. */
    lastContactOutcome: z.array(z.enum(contactOutcomes)).min(1).optional(),
    /** Run only when each named channel is usable (`true`) or not usable (`false`) now. */
    channelAvailable: perChannel(z.boolean().optional()).strict().optional(),
    /** Run only while this arrangement (or one of these) is in force: `promise`, `plan` or `none`. */
    arrangementActive: z.union([ZArrangementState, z.array(ZArrangementState).min(1)]).optional(),
    /** Run only when the step just before this one ended so: `sent`, `skipped`, `failed`, `bounced`. */
    previousStepResult: z.array(z.enum(stepResults)).min(1).optional(),
  })
  .strict();
export type TStepConditions = z.infer<typeof ZStepConditions>;

/**
 * What a message step does instead when its channel is unavailable when it is due, or its send
 * failed for good (bounced, undeliverable): run another step of the timeline now (by id; it does
 * not run again at its own time), or an inline `{ action, template }` in its place.
 */
export const ZFallback = z.union([
  ZSlug,
  z
    .object({
      action: z.enum(fallbackActions),
      template: z.string().min(1).optional(),
      /** Instruction for the officer, for a `call`. */
      note: z.string().min(1).max(2000).optional(),
    })
    .strict(),
]);
export type TFallback = z.infer<typeof ZFallback>;

export const ZStep = z
  .object({
    id: ZSlug,
    /** ISO-8601 offset from the case start. */
    at: ZIsoOffset,
    /** What the step does; see domain/step-actions.ts. */
    action: z.enum(stepActions),
    template: z.string().min(1).optional(),
    when: ZStepConditions.optional(),
    /** Agency to refer to, for `agency_referral`. */
    agency: z.string().min(1).optional(),
    /** The text of a `note`, or the instruction on a `call` or `legal_review` task. */
    note: z.string().min(1).max(2000).optional(),
    fallback: ZFallback.optional(),
  })
  .strict();
export type TStep = z.infer<typeof ZStep>;

const ZBranch = z.enum(['resume', 'restart', 'escalate_agency', 'escalate_legal']);

/**
 * What the case does when something happens to it (domain/strategy-branches.ts says what each
 * choice means and the defaults when a field is absent).
 */
export const ZEventBranches = z
  .object({
    /** A promise or plan installment unpaid past the grace days. Default: `negotiation.onBroken`. */
    brokenPromise: ZBranch.optional(),
    /** A payment came back (NSF, chargeback). Default: `resume`. */
    paymentReturned: ZBranch.optional(),
    reply: z
      .object({
        /** The debtor disputes the debt. Default: `task` (an officer reviews and records the dispute). */
        dispute: z.enum(['task', 'hold', 'escalate_legal']).optional(),
        /** The debtor asks to be called. Default: `call_task`. */
        callMe: z.enum(['call_task', 'ignore']).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type TEventBranches = z.infer<typeof ZEventBranches>;

export { ZNegotiationPolicy, type TNegotiationPolicy } from './negotiation-policy.js';

/** A local day without email, SMS or calls: a weekday (`sun`) or an ISO date (`2026-12-25`). */
const ZNoContactDay = z
  .string()
  .refine(
    (day) => (weekdayNames as readonly string[]).includes(day) || z.iso.date().safeParse(day).success,
    `must be a weekday (${weekdayNames.join(', ')}) or an ISO date such as 2026-12-25`,
  );

/** At most `max` contacts within `days` consecutive local days; 0 turns the channel off. */
const ZFrequencyCap = z.object({ max: z.number().int().min(0).max(100), days: z.number().int().min(1).max(31) }).strict();

/**
 * The strategy's contact rules. They only ever narrow the law's (domain/regulation/): a window
 * wider than 08:00–21:00 is cut to it, the federal cap of 7 calls in 7 days always applies.
 */
export const ZContactPolicy = z
  .object({
    /** Local-time window in the debtor's zone in which email, SMS and calls may happen. */
    allowedHours: z.object({ start: ZClock, end: ZClock }).strict().default({ start: '08:00', end: '21:00' }),
    /** Local days without email, SMS or calls, in every zone the debtor may be in (letters still go). */
    noContactDays: z.array(ZNoContactDay).max(400).default(() => []),
    /** Caps per channel on top of the law's. */
    frequencyCaps: z
      .object({ phone: ZFrequencyCap, ...perChannel(ZFrequencyCap).shape })
      .partial()
      .strict()
      .default(() => ({})),
    /**
     * The validation information (12 CFR 1006.34): `templates` are the templates that carry it.
     * While `required`, collection waits once 5 days have passed since the first communication
     * without it; set `required: false` only where Reg F does not apply (a creditor's own debts).
     */
    validationNotice: z
      .object({ required: z.boolean().default(true), templates: z.array(ZSlug).default(() => []) })
      .strict()
      .prefault({}),
  })
  .strict();
export type TContactPolicy = z.infer<typeof ZContactPolicy>;

export const ZStrategyDefinition = z
  .object({
    key: ZSlug,
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    templates: z.record(ZSlug, ZTemplate).default({}),
    steps: z.array(ZStep).min(1, 'a strategy needs at least one step'),
    negotiation: ZNegotiationPolicy.default(ZNegotiationPolicy.parse({})),
    contact: ZContactPolicy.default(ZContactPolicy.parse({})),
    /** Branching on events: broken promise, returned payment, replies. */
    on: ZEventBranches.optional(),
  })
  .strict()
  .superRefine((strategy, ctx) => {
    for (const problem of strategyProblems(strategy)) ctx.addIssue({ code: 'custom', ...problem });
    for (const problem of lintStrategy(strategy)) ctx.addIssue({ code: 'custom', ...problem });
  });
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
