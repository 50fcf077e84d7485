-- AlterTable
ALTER TABLE "Account" ADD COLUMN     "debtGroup" TEXT;

-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "debtorId" TEXT;

-- AlterTable
ALTER TABLE "Contact" ADD COLUMN     "place" TEXT,
ADD COLUMN     "retiredAt" TIMESTAMP(3),
ADD COLUMN     "source" TEXT NOT NULL DEFAULT 'enrollment',
ADD COLUMN     "verifiedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Debtor" ADD COLUMN     "externalId" TEXT,
ADD COLUMN     "mergedIntoId" TEXT,
ADD COLUMN     "preferences" JSONB,
ADD COLUMN     "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateTable
CREATE TABLE "DebtorMerge" (
    "id" TEXT NOT NULL,
    "survivorId" TEXT NOT NULL,
    "mergedId" TEXT NOT NULL,
    "accountIds" TEXT[],
    "contactIds" TEXT[],
    "survivorPreferencesBefore" JSONB,
    "by" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "undoneAt" TIMESTAMP(3),
    "undoneBy" TEXT,
    "undoReason" TEXT,

    CONSTRAINT "DebtorMerge_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DebtorMerge_survivorId_at_idx" ON "DebtorMerge"("survivorId", "at");

-- CreateIndex
CREATE INDEX "DebtorMerge_mergedId_at_idx" ON "DebtorMerge"("mergedId", "at");

-- CreateIndex
CREATE INDEX "AuditEvent_debtorId_at_idx" ON "AuditEvent"("debtorId", "at");

-- CreateIndex
CREATE INDEX "Contact_channel_value_idx" ON "Contact"("channel", "value");

-- CreateIndex
CREATE UNIQUE INDEX "Debtor_externalId_key" ON "Debtor"("externalId");

-- CreateIndex
CREATE INDEX "Debtor_mergedIntoId_idx" ON "Debtor"("mergedIntoId");

-- CreateIndex
CREATE INDEX "Debtor_name_idx" ON "Debtor"("name");

-- AddForeignKey
ALTER TABLE "Debtor" ADD CONSTRAINT "Debtor_mergedIntoId_fkey" FOREIGN KEY ("mergedIntoId") REFERENCES "Debtor"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_debtorId_fkey" FOREIGN KEY ("debtorId") REFERENCES "Debtor"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Contacts enrolled before sources were kept: the ones whose consent came with a bulk import were imported.
UPDATE "Contact" SET "source" = 'import' WHERE "consentSource" = 'import';
