-- CreateTable
CREATE TABLE "PaymentRequest" (
    "caseId" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "actor" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PaymentRequest_pkey" PRIMARY KEY ("caseId","reference")
);

-- Payments received before requests were recorded: their first request is the projected payment.
INSERT INTO "PaymentRequest" ("caseId", "reference", "amount", "currency", "receivedAt", "actor")
SELECT "caseId", "reference", "amount", "currency", "receivedAt", 'migration' FROM "Payment"
ON CONFLICT DO NOTHING;
