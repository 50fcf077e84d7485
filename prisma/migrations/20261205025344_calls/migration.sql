-- CreateTable
CREATE TABLE "Call" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "taskId" TEXT,
    "officer" TEXT NOT NULL,
    "officerLine" TEXT,
    "status" TEXT NOT NULL,
    "providerCallId" TEXT,
    "dialerCallId" TEXT,
    "placedAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),
    "connected" BOOLEAN,
    "rightParty" BOOLEAN,
    "durationSeconds" INTEGER,
    "outcome" TEXT,
    "note" TEXT,
    "recordingRef" TEXT,
    "recordingUrl" TEXT,
    "recordingDisclosure" TEXT,
    "disclosureState" TEXT,
    "dispositionAt" TIMESTAMP(3),
    "disposition" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Call_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Call_providerCallId_key" ON "Call"("providerCallId");

-- CreateIndex
CREATE UNIQUE INDEX "Call_dialerCallId_key" ON "Call"("dialerCallId");

-- CreateIndex
CREATE INDEX "Call_caseId_placedAt_idx" ON "Call"("caseId", "placedAt");

-- CreateIndex
CREATE INDEX "Call_taskId_idx" ON "Call"("taskId");
