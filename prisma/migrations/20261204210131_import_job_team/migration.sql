-- AlterTable
ALTER TABLE "ImportJob" ADD COLUMN     "team" TEXT;

-- CreateIndex
CREATE INDEX "ImportJob_team_idx" ON "ImportJob"("team");
