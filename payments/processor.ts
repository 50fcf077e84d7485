/**
 * The payment processor behind the debtor's page, the officer's phone payment and autopay: one
 * interface, so processors other than Stripe fit later. Amounts are integer minor units; a
 * currency is ISO 4217 lower- or uppercase as the caller gives it (implementations normalize).
 * Uses the network, so never import it from workflows.
 */

export const PaymentMethodKind = { card: 'card', usBankAccount: 'us_bank_account' } as const;
export type PaymentMethodKind = (typeof PaymentMethodKind)[keyof typeof PaymentMethodKind];

/** Where a payment came from, kept in the processor's metadata and on our records. */
export const PaymentChannel = { debtorPage: 'debtor_page', officerPhone: 'officer_phone', autopay: 'autopay' } as const;
export type PaymentChannel = (typeof PaymentChannel)[keyof typeof PaymentChannel];

export interface StartPayment {
  caseId: string;
  debtorId: string;
  amount: number;
  currency: string;
  methods: readonly PaymentMethodKind[];
  channel: PaymentChannel;
  /** Keep the method for off-session installments (autopay). */
  saveForAutopay: boolean;
  /** Same key, same payment: a repeated start answers the first one (count what reached the stand-in: localstripe ignores the header). */
  idempotencyKey: string;
}

/**
 * A payment the browser confirms with the processor's own script (Stripe.js / Elements). The
 * browser first collects the method against `setupClientSecret` (Stripe.js `confirmCardSetup`
 * with the card Element), then the server charges it ({@link PaymentProcessor.confirmPayment});
 * when the bank asks for authentication (3-D Secure) the browser completes it with
 * `confirmCardPayment(clientSecret)` and the server reads the result ({@link PaymentProcessor.retrievePayment}).
 * One flow that works against Stripe and against localstripe's fake Stripe.js alike.
 */
export interface StartedPayment {
  paymentId: string;
  clientSecret: string;
  setupClientSecret: string;
}

/** A method the browser saves without paying now (autopay for a plan whose first installment is later). */
export interface StartSaveMethod {
  caseId: string;
  debtorId: string;
  methods: readonly PaymentMethodKind[];
}

export interface StartedSaveMethod {
  setupId: string;
  /** For Stripe.js `confirmCardSetup`. */
  clientSecret: string;
}

/** A saved method and its customer: what autopay charges. */
export interface SavedMethod {
  customerId: string;
  paymentMethodId: string;
  kind: PaymentMethodKind;
}

export type PaymentState = 'requires_action' | 'processing' | 'succeeded' | 'failed' | 'canceled';

export interface PaymentSnapshot {
  paymentId: string;
  state: PaymentState;
  amount: number;
  currency: string;
  caseId: string | null;
  /** The saved method and customer when the payment was set up for autopay. */
  saved: SavedMethod | null;
  failureReason: string | null;
}

export interface ChargeSaved {
  caseId: string;
  customerId: string;
  paymentMethodId: string;
  amount: number;
  currency: string;
  /** Derived from the case and the installment, so a retry never charges twice. */
  idempotencyKey: string;
}

/** A verified processor webhook, in the engine's words. */
export type ProcessorEvent =
  | { eventId: string; kind: 'payment_succeeded'; paymentId: string; caseId: string | null; amount: number; currency: string; at: number }
  | { eventId: string; kind: 'payment_failed'; paymentId: string; caseId: string | null; reason: string; at: number }
  | {
      eventId: string;
      kind: 'payment_reversed';
      paymentId: string;
      caseId: string | null;
      amount: number;
      currency: string;
      reason: 'refunded' | 'chargeback' | 'ach_return';
      at: number;
    }
  | { eventId: string; kind: 'ignored'; type: string };

export class WebhookSignatureError extends Error {}

/** The browser has not collected a payment method for this payment yet. */
export class PaymentMethodMissing extends Error {}

/** The processor refused the request itself (unknown payment, bad parameters): the caller's mistake, not an outage. */
export class PaymentRequestRefused extends Error {}

export interface PaymentProcessor {
  readonly name: string;
  /** What the browser needs to load the processor's script and confirm a payment. */
  browserConfig(): { publishableKey: string; scriptUrl: string };
  startPayment(input: StartPayment): Promise<StartedPayment>;
  /**
   * Charges the method the browser collected for `paymentId` (on session). Answers the payment as
   * it stands: `succeeded`, `failed` (declined), or `requires_action` (the browser authenticates).
   * Throws {@link PaymentMethodMissing} while no method was collected.
   */
  confirmPayment(paymentId: string): Promise<PaymentSnapshot>;
  /** Collects a method for later off-session charges without paying now. */
  startSaveMethod(input: StartSaveMethod): Promise<StartedSaveMethod>;
  /** The method saved by {@link startSaveMethod}, or null while the browser has not finished. */
  retrieveSavedMethod(setupId: string): Promise<(SavedMethod & { caseId: string | null }) | null>;
  /** The payment as the processor knows it now (the page's own confirmation reads it). */
  retrievePayment(paymentId: string): Promise<PaymentSnapshot>;
  /** An off-session charge of a saved method (autopay installments). */
  chargeSaved(input: ChargeSaved): Promise<PaymentSnapshot>;
  /** Verifies the signature and reads the event; throws {@link WebhookSignatureError} when forged. */
  parseWebhook(rawBody: Buffer | string, signatureHeader: string | undefined): ProcessorEvent;
}
