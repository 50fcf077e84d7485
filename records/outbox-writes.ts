import { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../lib/db.js';

/**
 * The outbox's writes on a send's path (activities/outbox.ts), each one statement: the row opened
 * by its idempotency key, the claim of an attempt and the `sent` record, each of the last two with
 * its CommunicationEvent in a CTE, atomic as one statement is. Through Prisma a due step's send
 * took eleven (an upsert's transaction of five, the claim and its event, a transaction of five
 * for `sent`); a burst of steps pays that per message.
 */

/** What a provider's delivery sets on the row; a field the delivery leaves out keeps its value (as Prisma's update did). */
export interface SentRecord {
  provider: string;
  providerId: string;
  segments?: number | null | undefined;
  encoding?: string | null | undefined;
  price?: string | null | undefined;
  priceUnit?: string | null | undefined;
  documentPath?: string | null | undefined;
  documentSha256?: string | null | undefined;
}

const optionalColumns = ['segments', 'encoding', 'price', 'priceUnit', 'documentPath', 'documentSha256'] as const;

/**
 * Claims attempt `attempts + 1` of the communication (status `sending`) with its `sending` event,
 * unless another attempt changed the count first. Answers whether this attempt holds the claim.
 */
export async function claimAttempt(db: Db, { id, attempts, detail }: { id: string; attempts: number; detail: string }): Promise<boolean> {
  const now = new Date();
  const inserted = await db.$executeRaw`
    WITH claimed AS (
      UPDATE "Communication" SET "status" = 'sending', "attempts" = ${attempts + 1}, "sendingAt" = ${now}, "updatedAt" = ${now}
      WHERE "id" = ${id} AND "attempts" = ${attempts}
      RETURNING "id")
    INSERT INTO "CommunicationEvent" ("communicationId", "status", "detail", "source", "at")
    SELECT "id", 'sending', ${detail}, 'activity', ${now} FROM claimed`;
  return inserted === 1;
}

/**
 * Records the provider's acceptance: the delivery's fields, `sentAt`, no error, status `sent` unless
 * the provider's own report (`delivered`, ...) got there first, which is never moved back; with the
 * event (`sent` or `reconciled`) naming the provider and its id.
 */
export async function recordSent(db: Db, id: string, delivery: SentRecord, event: { status: string; detail: string }): Promise<void> {
  const now = new Date();
  const { provider, providerId } = delivery;
  const optional = optionalColumns.filter((column) => delivery[column] !== undefined).map((column) => Prisma.sql`${Prisma.raw(`"${column}"`)} = ${delivery[column]}`);
  const data = JSON.stringify({ provider, providerId });
  await db.$executeRaw`
    WITH sent AS (
      UPDATE "Communication" SET "provider" = ${provider}, "providerId" = ${providerId}, "sentAt" = ${now}, "error" = NULL, "updatedAt" = ${now},
        ${optional.length > 0 ? Prisma.sql`${Prisma.join(optional)},` : Prisma.empty}
        "status" = CASE WHEN "status" IN ('pending', 'sending') THEN 'sent' ELSE "status" END
      WHERE "id" = ${id}
      RETURNING "id")
    INSERT INTO "CommunicationEvent" ("communicationId", "status", "detail", "data", "source", "at")
    SELECT "id", ${event.status}, ${event.detail}, ${data}::jsonb, 'activity', ${now} FROM sent`;
}

/** What the send path reads of its outbox row. */
export interface OutboxRowState {
  id: string;
  status: string;
  attempts: number;
  error: string | null;
  providerId: string | null;
  sentAt: Date | null;
  sendingAt: Date | null;
  createdAt: Date;
}

/** The communication a send writes first (activities/outbox.ts `RenderedMessage`). */
export interface NewCommunication {
  id: string;
  caseId: string;
  stepId: string;
  idempotencyKey: string;
  channel: string;
  template: string;
  recipient: string;
  subject?: string | undefined;
  body: string;
  html?: string | null | undefined;
  templateLanguage?: string | null | undefined;
  templateVersion?: number | null | undefined;
}

/**
 * The send's row by its idempotency key: written `pending` when new (one statement; Prisma's upsert
 * took a transaction of five), else the one an earlier attempt wrote, as it is.
 */
export async function openCommunication(db: Db, row: NewCommunication): Promise<OutboxRowState> {
  const now = new Date();
  const inserted = await db.$queryRaw<OutboxRowState[]>`
    INSERT INTO "Communication" ("id", "caseId", "stepId", "idempotencyKey", "channel", "template", "recipient", "subject", "body", "html",
                                 "templateLanguage", "templateVersion", "status", "createdAt", "updatedAt")
    VALUES (${row.id}, ${row.caseId}, ${row.stepId}, ${row.idempotencyKey}, ${row.channel}, ${row.template}, ${row.recipient}, ${row.subject ?? null}, ${row.body}, ${row.html ?? null},
            ${row.templateLanguage ?? null}, ${row.templateVersion ?? null}::integer, 'pending', ${now}, ${now})
    ON CONFLICT ("idempotencyKey") DO NOTHING
    RETURNING "id", "status", "attempts", "error", "providerId", "sentAt", "sendingAt", "createdAt"`;
  if (inserted[0]) return inserted[0];
  return db.communication.findUniqueOrThrow({
    where: { idempotencyKey: row.idempotencyKey },
    select: { id: true, status: true, attempts: true, error: true, providerId: true, sentAt: true, sendingAt: true, createdAt: true },
  });
}
