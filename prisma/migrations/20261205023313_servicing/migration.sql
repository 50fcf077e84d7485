-- AlterTable
ALTER TABLE "Contact" ADD COLUMN     "confidence" INTEGER,
ADD COLUMN     "skipTraceId" TEXT;

-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "closedReason" TEXT;

-- CreateTable
CREATE TABLE "PaymentReversal" (
    "caseId" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "actor" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PaymentReversal_pkey" PRIMARY KEY ("caseId","reference")
);

-- CreateTable
CREATE TABLE "SkipTraceRequest" (
    "id" TEXT NOT NULL,
    "debtorId" TEXT NOT NULL,
    "caseId" TEXT,
    "taskId" TEXT,
    "batchId" TEXT,
    "requestedBy" TEXT NOT NULL,
    "mode" TEXT NOT NULL DEFAULT 'http',
    "status" TEXT NOT NULL DEFAULT 'pending',
    "found" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "SkipTraceRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SkipTraceRequest_debtorId_createdAt_idx" ON "SkipTraceRequest"("debtorId", "createdAt");

-- CreateIndex
CREATE INDEX "SkipTraceRequest_batchId_idx" ON "SkipTraceRequest"("batchId");

-- CreateIndex
CREATE INDEX "SkipTraceRequest_status_createdAt_idx" ON "SkipTraceRequest"("status", "createdAt");
