import type { Client } from '@temporalio/client';
import { log } from '@temporalio/activity';
import { deriveWebhookEvents, planStandingOf, WebhookEventType, webhookEventId } from '../domain/webhook-events.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { CaseEvent } from '../workflows/case-messages.js';
import { wakeWebhookDelivery } from '../workflows/webhook-delivery-messages.js';

/**
 * The outbound events' outbox, written by the case projection in its own transaction
 * (activities/projection.ts): the events derived from the case's new history entries
 * (domain/webhook-events.ts) and one delivery per matching active subscription. Nothing is sent
 * here; a commit that rolls back leaves no event, and one that commits is never lost. Safe to
 * repeat: event ids derive from the case event, deliveries are unique per subscription and event.
 */

/** History entries that say what a plan stands at (for `plan.installment_paid`). */
const planHistory = ['arrangement_made', 'arrangement_changed', 'arrangement_kept', 'arrangement_broken', 'arrangement_cancelled', 'payment_applied', 'payment_reversed'];

interface OutboxCase {
  id: string;
  team: string | null;
  currency: string;
  account: { id: string; externalId: string; portfolio: string | null };
}

/** An audit row of the projection back as the case event it was written from. */
function auditRowEvent(row: { action: string; at: Date; data: Prisma.JsonValue }): CaseEvent | null {
  const data = row.data as { seq?: unknown; detail?: unknown; stepId?: unknown } & Record<string, unknown>;
  if (typeof data?.seq !== 'number') return null;
  const { seq, detail, stepId: _stepId, ...rest } = data;
  return { seq, at: row.at.toISOString(), type: row.action, detail: typeof detail === 'string' ? detail : '', data: rest } as unknown as CaseEvent;
}

/**
 * The communications of `events`' retried sends (`duplicate`: the attempt found the message made)
 * that an earlier write already announced as `step.sent`; asked only when there is such a send.
 */
async function announcedSends(tx: Prisma.TransactionClient, caseId: string, events: readonly CaseEvent[]): Promise<Set<string>> {
  const retried = new Set(events.flatMap((event) => (event.type === 'step_done' && event.data?.duplicate && event.data.communicationId ? [event.data.communicationId] : [])));
  if (retried.size === 0) return new Set();
  const announced = await tx.webhookEvent.findMany({ where: { caseId, type: WebhookEventType.stepSent }, select: { payload: true } });
  return new Set(announced.map((row) => (row.payload as { data?: { communicationId?: string } }).data?.communicationId ?? '').filter((id) => retried.has(id)));
}

/** Writes the outbox rows of `events`; answers the subscriptions that have new deliveries, to wake after the commit. */
export async function writeWebhookOutbox(tx: Prisma.TransactionClient, caseRow: OutboxCase, events: readonly CaseEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  const firstSeq = Math.min(...events.map((event) => event.seq));
  // Only a payment needs the earlier history: which plan it pays toward.
  const earlier = events.some((event) => event.type === 'payment_applied')
    ? planStandingOf(
        (await tx.auditEvent.findMany({ where: { caseId: caseRow.id, action: { in: planHistory }, actor: 'workflow' }, select: { action: true, at: true, data: true } }))
          .map(auditRowEvent)
          .filter((event): event is CaseEvent => event !== null && event.seq < firstSeq),
      )
    : null;
  const derived = deriveWebhookEvents(events, earlier, await announcedSends(tx, caseRow.id, events));
  if (derived.length === 0) return [];

  const perSeq = new Map<number, number>();
  const rows = derived.map((event) => {
    const index = perSeq.get(event.caseSeq) ?? 0;
    perSeq.set(event.caseSeq, index + 1);
    const id = webhookEventId(caseRow.id, event.caseSeq, index);
    const payload = {
      type: event.type,
      timestamp: event.at,
      data: { caseId: caseRow.id, accountId: caseRow.account.id, externalId: caseRow.account.externalId, portfolio: caseRow.account.portfolio, currency: caseRow.currency, caseSeq: event.caseSeq, ...event.data },
    };
    return { id, caseId: caseRow.id, caseSeq: event.caseSeq, type: event.type, occurredAt: new Date(event.at), payload };
  });
  // One statement, rows in the case's order: their positions follow it.
  await tx.webhookEvent.createMany({ data: rows, skipDuplicates: true });

  const subscriptions = await tx.webhookSubscription.findMany({ where: { status: 'active', OR: [{ team: null }, { team: caseRow.team ?? '' }] }, select: { id: true, eventTypes: true } });
  if (subscriptions.length === 0) return [];
  const positions = new Map((await tx.webhookEvent.findMany({ where: { id: { in: rows.map((row) => row.id) } }, select: { id: true, position: true } })).map((row) => [row.id, row.position]));
  const deliveries = subscriptions.flatMap((subscription) =>
    rows
      .filter((row) => subscription.eventTypes.length === 0 || subscription.eventTypes.includes(row.type))
      .map((row) => ({ subscriptionId: subscription.id, eventId: row.id, position: positions.get(row.id) ?? 0n })),
  );
  if (deliveries.length === 0) return [];
  await tx.webhookDelivery.createMany({ data: deliveries, skipDuplicates: true });
  return [...new Set(deliveries.map((delivery) => delivery.subscriptionId))];
}

/** Wakes the subscriptions' delivery workflows after the commit; a failure is logged (ids only) and caught up by their polling. */
export async function wakeAfterCommit(temporal: Client | undefined, subscriptionIds: readonly string[]): Promise<void> {
  if (!temporal) return;
  await wakeWebhookDelivery(temporal, subscriptionIds, (subscriptionId, error) => {
    log.warn('webhook delivery not woken', { subscriptionId, error: error.message });
  });
}
