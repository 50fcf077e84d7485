-- CreateTable
CREATE TABLE "CaseFilePackage" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "document" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "pdf" BYTEA NOT NULL,
    "pdfSha256" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),
    "location" TEXT,
    "placementId" TEXT,
    "taskId" TEXT,

    CONSTRAINT "CaseFilePackage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "CaseFilePackage_idempotencyKey_key" ON "CaseFilePackage"("idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "CaseFilePackage_taskId_key" ON "CaseFilePackage"("taskId");

-- CreateIndex
CREATE INDEX "CaseFilePackage_caseId_createdAt_idx" ON "CaseFilePackage"("caseId", "createdAt");

-- AddForeignKey
ALTER TABLE "CaseFilePackage" ADD CONSTRAINT "CaseFilePackage_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CaseFilePackage" ADD CONSTRAINT "CaseFilePackage_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task"("id") ON DELETE SET NULL ON UPDATE CASCADE;
