-- CreateTable
CREATE TABLE "ProjectionFailure" (
    "caseId" TEXT NOT NULL,
    "firstFailedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastFailedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "failures" INTEGER NOT NULL DEFAULT 1,
    "code" TEXT,
    "message" TEXT NOT NULL,

    CONSTRAINT "ProjectionFailure_pkey" PRIMARY KEY ("caseId")
);

-- CreateIndex
CREATE INDEX "ProjectionFailure_lastFailedAt_idx" ON "ProjectionFailure"("lastFailedAt");
