import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ContactChannel, ContactPoint } from '../domain/case-facts.js';
import type { ReplyIntent } from '../domain/replies.js';
import type { TStrategyDefinition } from '../domain/strategy.js';

/**
 * The case workflow's contract with its clients (API, webhooks, scripts): ids, input, messages
 * and the status shape. Side-effect free so the API can import it without workflow code.
 */

export const taskQueue = 'collections';

/** One open case per account: enrollment with the same id is refused by Temporal. */
export function caseWorkflowId(accountId: string): string {
  return `case-${accountId}`;
}

export const CaseStatusValue = { open: 'open', paused: 'paused', closed: 'closed' } as const;
export type CaseStatusValue = (typeof CaseStatusValue)[keyof typeof CaseStatusValue];

export const CloseReason = {
  paid: 'paid',
  settled: 'settled',
  referred: 'referred',
  timelineComplete: 'timeline_complete',
} as const;
export type CloseReason = (typeof CloseReason)[keyof typeof CloseReason];

export interface CaseAccount {
  accountId: string;
  externalId: string;
  currency: string;
  /** Minor units at enrollment. */
  balance: number;
  daysPastDue: number;
  debtor: { name: string; timeZone: string };
  contacts: Partial<Record<ContactChannel, ContactPoint>>;
}

export interface CaseStrategy {
  id: string;
  key: string;
  version: number;
  definition: TStrategyDefinition;
}

export interface CaseInput {
  caseId: string;
  account: CaseAccount;
  /** The version the case started with; replay never reads it from the database. */
  strategy: CaseStrategy;
  /** ISO instant the timeline's offsets count from. */
  startedAt: string;
  /** State carried over continue-as-new; absent on the first run. */
  carried?: CaseState;
}

export interface CaseEvent {
  /** Position in the case's own history, carried across continue-as-new. */
  seq: number;
  at: string;
  type:
    | 'enrolled'
    | 'step_done'
    | 'step_skipped'
    | 'step_failed'
    | 'payment_applied'
    | 'payment_duplicate'
    | 'reply_received'
    | 'opted_out'
    | 'opted_in'
    | 'contact_changed'
    | 'balance_adjusted'
    | 'paused'
    | 'resumed'
    | 'closed';
  stepId?: string;
  detail: string;
  data?: Record<string, unknown>;
}

/** The workflow's state, plain data so it can travel through continue-as-new. */
export interface CaseState {
  status: CaseStatusValue;
  closeReason: CloseReason | null;
  balance: number;
  stepIndex: number;
  currentStep: string | null;
  nextActionAt: string | null;
  nextActionWhy: string | null;
  contacts: Partial<Record<ContactChannel, ContactPoint>>;
  appliedPayments: string[];
  seq: number;
  /** Recent events, newest last, for the status query. */
  recent: CaseEvent[];
}

export interface PaymentReceived {
  /** Unique per payment: a repeat with the same reference is applied once. */
  reference: string;
  /** Minor units, positive. */
  amount: number;
  currency: string;
  receivedAt: string;
}

export interface DebtorReplied {
  channel: 'sms' | 'email' | 'letter' | 'phone';
  text: string;
  /** Detected intent; classified from the text when absent. */
  intent?: ReplyIntent;
  receivedAt: string;
}

export interface ContactChanged {
  channel: ContactChannel;
  address?: string;
  valid?: boolean;
  consent?: boolean;
  optedOut?: boolean;
  source: string;
}

/** The creditor corrected the balance owed (e.g. a re-import with a new balance). */
export interface BalanceAdjusted {
  /** New balance in minor units; 0 closes the case as paid. */
  balance: number;
  reason: string;
  source: string;
}

export interface PauseRequest {
  reason: string;
  by: string;
}

export interface CaseStatus {
  caseId: string;
  status: CaseStatusValue;
  closeReason: CloseReason | null;
  balance: number;
  currency: string;
  currentStep: string | null;
  nextActionAt: string | null;
  nextActionWhy: string | null;
  strategy: { key: string; version: number };
  channels: Partial<Record<ContactChannel, { valid: boolean; optedOut: boolean; consent: boolean }>>;
  history: CaseEvent[];
}

export const paymentReceivedSignal = defineSignal<[PaymentReceived]>('paymentReceived');
export const debtorRepliedSignal = defineSignal<[DebtorReplied]>('debtorReplied');
export const contactChangedSignal = defineSignal<[ContactChanged]>('contactChanged');
export const balanceAdjustedSignal = defineSignal<[BalanceAdjusted]>('balanceAdjusted');
export const pauseSignal = defineSignal<[PauseRequest]>('pause');
export const resumeSignal = defineSignal<[PauseRequest]>('resume');
export const statusQuery = defineQuery<CaseStatus>('status');
