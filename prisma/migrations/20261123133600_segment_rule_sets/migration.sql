-- CreateTable
CREATE TABLE "SegmentRuleSet" (
    "id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "rules" JSONB NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SegmentRuleSet_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SegmentRuleSet_version_key" ON "SegmentRuleSet"("version");

-- CreateIndex
CREATE INDEX "SegmentRuleSet_status_idx" ON "SegmentRuleSet"("status");
