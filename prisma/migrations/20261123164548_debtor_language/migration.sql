-- AlterTable
ALTER TABLE "Account" ADD COLUMN     "timeBarred" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Debtor" ADD COLUMN     "language" TEXT NOT NULL DEFAULT 'en',
ADD COLUMN     "state" TEXT;
