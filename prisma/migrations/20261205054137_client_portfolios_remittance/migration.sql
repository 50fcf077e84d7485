-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "client" TEXT;

-- CreateTable
CREATE TABLE "Client" (
    "id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Client_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Portfolio" (
    "id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "regime" TEXT NOT NULL,
    "strategies" TEXT[],
    "segmentRules" JSONB,
    "commission" JSONB NOT NULL,
    "remittance" JSONB NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Portfolio_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RemittanceStatement" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "document" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "issuedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "issuedBy" TEXT NOT NULL,
    "carriedFromId" TEXT,

    CONSTRAINT "RemittanceStatement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RemittanceItem" (
    "paymentId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "statementId" TEXT NOT NULL,

    CONSTRAINT "RemittanceItem_pkey" PRIMARY KEY ("paymentId","kind")
);

-- CreateIndex
CREATE UNIQUE INDEX "Client_key_key" ON "Client"("key");

-- CreateIndex
CREATE UNIQUE INDEX "Portfolio_key_key" ON "Portfolio"("key");

-- CreateIndex
CREATE INDEX "Portfolio_clientId_idx" ON "Portfolio"("clientId");

-- CreateIndex
CREATE UNIQUE INDEX "RemittanceStatement_carriedFromId_key" ON "RemittanceStatement"("carriedFromId");

-- CreateIndex
CREATE UNIQUE INDEX "RemittanceStatement_clientId_period_key" ON "RemittanceStatement"("clientId", "period");

-- CreateIndex
CREATE INDEX "RemittanceItem_statementId_idx" ON "RemittanceItem"("statementId");

-- CreateIndex
CREATE INDEX "Account_portfolio_idx" ON "Account"("portfolio");

-- AddForeignKey
ALTER TABLE "Portfolio" ADD CONSTRAINT "Portfolio_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "Client"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RemittanceStatement" ADD CONSTRAINT "RemittanceStatement_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "Client"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RemittanceItem" ADD CONSTRAINT "RemittanceItem_statementId_fkey" FOREIGN KEY ("statementId") REFERENCES "RemittanceStatement"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
