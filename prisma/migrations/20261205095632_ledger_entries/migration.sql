-- AlterTable
ALTER TABLE "Portfolio" ADD COLUMN     "accruesInterest" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "waterfall" TEXT NOT NULL DEFAULT 'fees_interest_principal';

-- CreateTable
CREATE TABLE "LedgerEntry" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "entryId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "on" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "principal" INTEGER NOT NULL,
    "interest" INTEGER NOT NULL,
    "fees" INTEGER NOT NULL,
    "postedBy" TEXT NOT NULL,
    "reason" TEXT,
    "entry" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LedgerEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "LedgerEntry_caseId_position_idx" ON "LedgerEntry"("caseId", "position");

-- CreateIndex
CREATE INDEX "LedgerEntry_kind_on_idx" ON "LedgerEntry"("kind", "on");

-- CreateIndex
CREATE UNIQUE INDEX "LedgerEntry_caseId_entryId_key" ON "LedgerEntry"("caseId", "entryId");

-- AddForeignKey
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
