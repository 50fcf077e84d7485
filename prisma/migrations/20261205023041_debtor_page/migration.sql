-- AlterTable
ALTER TABLE "Account" ADD COLUMN     "last4Hash" TEXT;

-- AlterTable
ALTER TABLE "Debtor" ADD COLUMN     "birthDateHash" TEXT,
ADD COLUMN     "postalCodeHash" TEXT;
