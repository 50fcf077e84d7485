import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { WebhookEventType } from '../../domain/webhook-events.js';
import type { Prisma, WebhookSubscription } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db.js';
import { privateTargetReason } from '../../lib/public-address.js';
import type { Principal } from '../auth.js';
import { notFound, unprocessable } from '../errors.js';
import { wakeWebhookDelivery } from '../../workflows/webhook-delivery-messages.js';

/**
 * Subscriptions to outbound events (issue 22 "Events out"), per integration key: an integration
 * key sees and changes only its own; managers and admins see every one. A team-scoped key's
 * subscription receives its team's cases only. Delivery itself is the workflow's
 * (workflows/webhook-delivery.ts); here it is started, woken, and told to replay.
 */

export interface SubscriptionView {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  status: string;
  team: string | null;
  ownerKeyId: string;
  failingSince: string | null;
  disabledAt: string | null;
  disabledReason: string | null;
  createdAt: string;
  pending: number;
}

/** A new signing secret: `whsec_` and 24 random bytes, base64 (the Standard Webhooks form). */
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

const seesAll = (principal: Principal) => principal.role === 'manager' || principal.role === 'admin';

function view(row: WebhookSubscription, pending: number): SubscriptionView {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.eventTypes,
    status: row.status,
    team: row.team,
    ownerKeyId: row.ownerKeyId,
    failingSince: row.failingSince?.toISOString() ?? null,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    disabledReason: row.disabledReason,
    createdAt: row.createdAt.toISOString(),
    pending,
  };
}

async function pendingCount(db: Db, subscriptionId: string) {
  return db.webhookDelivery.count({ where: { subscriptionId, status: 'pending' } });
}

/** The subscription if the caller may see it; 404 otherwise, so ids cannot be probed. */
async function ownSubscription(db: Db, principal: Principal, id: string): Promise<WebhookSubscription> {
  const row = await db.webhookSubscription.findUnique({ where: { id } });
  if (!row || (!seesAll(principal) && row.ownerKeyId !== principal.keyId)) throw notFound(`webhook subscription "${id}"`);
  return row;
}

/** A receiver must be on the public internet unless the deployment allows private ones (lib/public-address.ts). */
async function checkReceiver(url: string, allowPrivateUrls: boolean): Promise<void> {
  const reason = allowPrivateUrls ? null : await privateTargetReason(url);
  if (reason) throw unprocessable('private_receiver', `the receiver's address is not allowed: ${reason}`, [{ path: 'body.url', message: reason }]);
}

export async function createSubscription({ db, temporal, principal, url, eventTypes, description, allowPrivateUrls = false }: { db: Db; temporal: Client; principal: Principal; url: string; eventTypes: WebhookEventType[]; description?: string | undefined; allowPrivateUrls?: boolean }) {
  await checkReceiver(url, allowPrivateUrls);
  const row = await db.webhookSubscription.create({
    data: { ownerKeyId: principal.keyId, team: principal.team, url, eventTypes: [...new Set(eventTypes)], description: description ?? null, secret: newSecret() },
  });
  // Not awaited: the projection wakes it again, and the workflow looks at the outbox by itself.
  void wakeWebhookDelivery(temporal, [row.id]);
  // The secret is shown once, here: the receiver keeps it to verify signatures.
  return { ...view(row, 0), secret: row.secret };
}

export async function listSubscriptions({ db, principal }: { db: Db; principal: Principal }): Promise<SubscriptionView[]> {
  const rows = await db.webhookSubscription.findMany({ where: seesAll(principal) ? {} : { ownerKeyId: principal.keyId }, orderBy: { createdAt: 'asc' } });
  const pending = new Map(
    (await db.webhookDelivery.groupBy({ by: ['subscriptionId'], where: { subscriptionId: { in: rows.map((row) => row.id) }, status: 'pending' }, _count: { _all: true } })).map((group) => [group.subscriptionId, group._count._all]),
  );
  return rows.map((row) => view(row, pending.get(row.id) ?? 0));
}

export async function getSubscription({ db, principal, id }: { db: Db; principal: Principal; id: string }): Promise<SubscriptionView> {
  const row = await ownSubscription(db, principal, id);
  return view(row, await pendingCount(db, id));
}

/**
 * Changes a subscription. Enabling a disabled one clears its outage and closes the managers'
 * tasks about it; the events of the outage are not queued again by themselves (a replay does).
 */
export async function updateSubscription({
  db,
  temporal,
  principal,
  id,
  change,
  allowPrivateUrls = false,
}: {
  db: Db;
  temporal: Client;
  principal: Principal;
  id: string;
  allowPrivateUrls?: boolean;
  change: { url?: string | undefined; eventTypes?: WebhookEventType[] | undefined; description?: string | null | undefined; status?: 'active' | 'disabled' | undefined };
}): Promise<SubscriptionView> {
  const row = await ownSubscription(db, principal, id);
  if (change.url !== undefined) await checkReceiver(change.url, allowPrivateUrls);
  const enabling = change.status === 'active' && row.status !== 'active';
  const data: Prisma.WebhookSubscriptionUpdateInput = {
    ...(change.url !== undefined ? { url: change.url } : {}),
    ...(change.eventTypes !== undefined ? { eventTypes: [...new Set(change.eventTypes)] } : {}),
    ...(change.description !== undefined ? { description: change.description } : {}),
    ...(change.status === 'disabled' && row.status !== 'disabled' ? { status: 'disabled', disabledAt: new Date(), disabledReason: `disabled by ${principal.role}:${principal.keyId}` } : {}),
    ...(enabling ? { status: 'active', disabledAt: null, disabledReason: null, failingSince: null } : {}),
  };
  const updated = await db.$transaction(async (tx) => {
    const saved = await tx.webhookSubscription.update({ where: { id }, data });
    if (enabling) {
      await tx.task.updateMany({
        where: { kind: 'webhook_disabled', caseId: null, status: { in: ['open', 'claimed'] }, idempotencyKey: { startsWith: `webhook-disabled:${id}:` } },
        data: { status: 'done', completedAt: new Date(), closedReason: `subscription enabled by ${principal.role}:${principal.keyId}` },
      });
    }
    return saved;
  });
  if (updated.status === 'active') void wakeWebhookDelivery(temporal, [id]);
  return view(updated, await pendingCount(db, id));
}

export async function deleteSubscription({ db, principal, id }: { db: Db; principal: Principal; id: string }): Promise<void> {
  await ownSubscription(db, principal, id);
  // Its deliveries go with it (cascade); its workflow finds it gone and ends.
  await db.webhookSubscription.delete({ where: { id } });
}

export async function listDeliveries({ db, principal, id, status, limit, offset }: { db: Db; principal: Principal; id: string; status?: 'pending' | 'delivered' | undefined; limit: number; offset: number }) {
  await ownSubscription(db, principal, id);
  const where: Prisma.WebhookDeliveryWhereInput = { subscriptionId: id, ...(status ? { status } : {}) };
  const [rows, total] = await Promise.all([
    db.webhookDelivery.findMany({ where, orderBy: { position: 'desc' }, take: limit, skip: offset, include: { event: { select: { type: true, caseId: true, occurredAt: true } } } }),
    db.webhookDelivery.count({ where }),
  ]);
  return {
    total,
    items: rows.map((row) => ({
      eventId: row.eventId,
      type: row.event.type,
      caseId: row.event.caseId,
      occurredAt: row.event.occurredAt.toISOString(),
      status: row.status,
      attempts: row.attempts,
      lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
      lastStatus: row.lastStatus,
      lastError: row.lastError,
      deliveredAt: row.deliveredAt?.toISOString() ?? null,
      replays: row.replays,
    })),
  };
}

/**
 * Queues again every event of the time range [from, to) the subscription takes (its types, its
 * team), delivered or not, and those it never had (from before it existed, or while it was
 * disabled). Each goes out with its own `webhook-id`, in outbox order.
 */
export async function replaySubscription({ db, temporal, principal, id, from, to }: { db: Db; temporal: Client; principal: Principal; id: string; from: Date; to: Date }): Promise<{ queued: number }> {
  const row = await ownSubscription(db, principal, id);
  if (from >= to) throw unprocessable('invalid_range', '`from` must be before `to`', [{ path: 'body.to', message: 'must be after from' }]);
  if (row.status !== 'active') throw unprocessable('subscription_disabled', 'enable the subscription before replaying to it', [{ path: 'status', message: row.status }]);
  const queued = await db.$executeRaw`
    INSERT INTO "WebhookDelivery" ("subscriptionId", "eventId", "position")
    SELECT ${id}, e."id", e."position"
      FROM "WebhookEvent" e JOIN "Case" c ON c."id" = e."caseId"
     WHERE e."occurredAt" >= ${from} AND e."occurredAt" < ${to}
       AND (cardinality(${row.eventTypes}::text[]) = 0 OR e."type" = ANY(${row.eventTypes}::text[]))
       AND (${row.team}::text IS NULL OR c."team" = ${row.team}::text)
    ON CONFLICT ("subscriptionId", "eventId") DO UPDATE SET "status" = 'pending', "replays" = "WebhookDelivery"."replays" + 1`;
  void wakeWebhookDelivery(temporal, [id]);
  return { queued };
}
