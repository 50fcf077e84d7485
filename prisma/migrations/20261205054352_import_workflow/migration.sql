-- DropIndex
DROP INDEX "ImportJob_status_leaseExpiresAt_idx";

-- AlterTable
ALTER TABLE "ImportJob" DROP COLUMN "leaseExpiresAt",
DROP COLUMN "leaseOwner";
