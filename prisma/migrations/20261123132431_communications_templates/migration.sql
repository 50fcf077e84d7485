-- AlterTable
ALTER TABLE "Communication" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "deliveredAt" TIMESTAMP(3),
ADD COLUMN     "documentPath" TEXT,
ADD COLUMN     "documentSha256" TEXT,
ADD COLUMN     "encoding" TEXT,
ADD COLUMN     "html" TEXT,
ADD COLUMN     "price" TEXT,
ADD COLUMN     "priceUnit" TEXT,
ADD COLUMN     "segments" INTEGER,
ADD COLUMN     "sendingAt" TIMESTAMP(3),
ADD COLUMN     "templateLanguage" TEXT,
ADD COLUMN     "templateVersion" INTEGER;

-- CreateTable
CREATE TABLE "CommunicationEvent" (
    "id" BIGSERIAL NOT NULL,
    "communicationId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "detail" TEXT,
    "source" TEXT NOT NULL DEFAULT 'activity',
    "data" JSONB,
    "idempotencyKey" TEXT,

    CONSTRAINT "CommunicationEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Template" (
    "id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "subject" TEXT,
    "body" TEXT NOT NULL,
    "requiredBlocks" TEXT[],
    "status" TEXT NOT NULL DEFAULT 'active',
    "createdBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activatedAt" TIMESTAMP(3),

    CONSTRAINT "Template_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InboundMessage" (
    "id" TEXT NOT NULL,
    "providerKey" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "caseId" TEXT,
    "communicationId" TEXT,
    "fromAddress" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "intent" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InboundMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "CommunicationEvent_idempotencyKey_key" ON "CommunicationEvent"("idempotencyKey");

-- CreateIndex
CREATE INDEX "CommunicationEvent_communicationId_at_idx" ON "CommunicationEvent"("communicationId", "at");

-- CreateIndex
CREATE INDEX "Template_key_language_status_idx" ON "Template"("key", "language", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Template_key_language_version_key" ON "Template"("key", "language", "version");

-- CreateIndex
CREATE UNIQUE INDEX "InboundMessage_providerKey_key" ON "InboundMessage"("providerKey");

-- CreateIndex
CREATE INDEX "InboundMessage_caseId_receivedAt_idx" ON "InboundMessage"("caseId", "receivedAt");

-- CreateIndex
CREATE INDEX "Communication_providerId_idx" ON "Communication"("providerId");

-- AddForeignKey
ALTER TABLE "CommunicationEvent" ADD CONSTRAINT "CommunicationEvent_communicationId_fkey" FOREIGN KEY ("communicationId") REFERENCES "Communication"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
