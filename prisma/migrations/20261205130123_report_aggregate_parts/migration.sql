-- The aging and liquidation aggregates carry the account ledger's parts (principal, interest, fees)
-- with the meaning the reports give them from the rows (api/services/reports/owed-parts.ts,
-- collected-parts.ts): an open case with a ledger owes its entries' sums, each part never below
-- zero; one without owes its placed balance less what it collected, all principal. A payment not
-- reversed paid what its ledger entry took from each part; one the ledger does not hold paid principal.
-- Writes wait while this runs; the tables are emptied here and rebuilt from the rows at the end.
LOCK TABLE "Case", "Account", "Payment", "LedgerEntry" IN SHARE ROW EXCLUSIVE MODE;
DELETE FROM "AgingCase";
DELETE FROM "AgingOpen";
DELETE FROM "LiquidationCollected";

-- AlterTable
ALTER TABLE "AgingCase" DROP COLUMN "owed",
ADD COLUMN     "fees" BIGINT NOT NULL,
ADD COLUMN     "interest" BIGINT NOT NULL,
ADD COLUMN     "principal" BIGINT NOT NULL;

-- AlterTable
ALTER TABLE "AgingOpen" DROP COLUMN "owed",
ADD COLUMN     "fees" BIGINT NOT NULL,
ADD COLUMN     "interest" BIGINT NOT NULL,
ADD COLUMN     "principal" BIGINT NOT NULL;

-- AlterTable
ALTER TABLE "LiquidationCollected" ADD COLUMN     "fees" BIGINT NOT NULL,
ADD COLUMN     "interest" BIGINT NOT NULL,
ADD COLUMN     "principal" BIGINT NOT NULL;

-- CreateIndex: records/aggregates-cover.ts asks whether any ledger entry is dated on or after a day.
CREATE INDEX "LedgerEntry_on_idx" ON "LedgerEntry"("on");

-- Aging ------------------------------------------------------------------------------------------

DROP FUNCTION "aging_add"(TEXT, DATE, INTEGER, BIGINT);
CREATE FUNCTION "aging_add"(p_currency TEXT, p_due DATE, p_cases INTEGER, p_principal BIGINT, p_interest BIGINT, p_fees BIGINT) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "AgingOpen" ("currency", "dueSince", "cases", "principal", "interest", "fees") VALUES (p_currency, p_due, p_cases, p_principal, p_interest, p_fees)
  ON CONFLICT ("currency", "dueSince") DO UPDATE SET "cases" = "AgingOpen"."cases" + EXCLUDED."cases",
    "principal" = "AgingOpen"."principal" + EXCLUDED."principal", "interest" = "AgingOpen"."interest" + EXCLUDED."interest", "fees" = "AgingOpen"."fees" + EXCLUDED."fees"
$$;
CREATE OR REPLACE FUNCTION "aging_refresh"(p_case TEXT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  prior RECORD;
  share RECORD;
BEGIN
  DELETE FROM "AgingCase" WHERE "caseId" = p_case RETURNING "currency", "dueSince", "principal", "interest", "fees" INTO prior;
  IF FOUND THEN
    PERFORM "aging_add"(prior."currency", prior."dueSince", -1, -prior."principal", -prior."interest", -prior."fees");
  END IF;
  SELECT c."currency", (c."startedAt"::date - a."daysPastDue") AS due,
         CASE WHEN ow.n > 0 THEN GREATEST(ow.principal, 0)
              ELSE GREATEST(a."originalBalance" - COALESCE((SELECT SUM(p."amount") FROM "Payment" p WHERE p."caseId" = c."id" AND p."reversedAt" IS NULL), 0), 0) END::bigint AS principal,
         CASE WHEN ow.n > 0 THEN GREATEST(ow.interest, 0) ELSE 0 END::bigint AS interest,
         CASE WHEN ow.n > 0 THEN GREATEST(ow.fees, 0) ELSE 0 END::bigint AS fees
    INTO share
    FROM "Case" c
    JOIN "Account" a ON a."id" = c."accountId"
    CROSS JOIN LATERAL (SELECT COUNT(*) AS n, SUM(l."principal")::bigint AS principal, SUM(l."interest")::bigint AS interest, SUM(l."fees")::bigint AS fees
                        FROM "LedgerEntry" l WHERE l."caseId" = c."id") ow
    WHERE c."id" = p_case AND c."closedAt" IS NULL;
  IF FOUND THEN
    INSERT INTO "AgingCase" ("caseId", "currency", "dueSince", "principal", "interest", "fees") VALUES (p_case, share."currency", share.due, share.principal, share.interest, share.fees);
    PERFORM "aging_add"(share."currency", share.due, 1, share.principal, share.interest, share.fees);
  END IF;
END
$$;
-- Any ledger entry changes what its case owes (aging_payment_changed refreshes the row's case).
CREATE TRIGGER "LedgerEntry_aging" AFTER INSERT OR UPDATE OR DELETE ON "LedgerEntry"
  FOR EACH ROW EXECUTE FUNCTION "aging_payment_changed"();
CREATE OR REPLACE FUNCTION "aging_rebuild"() RETURNS void LANGUAGE sql AS $$
  DELETE FROM "AgingCase";
  DELETE FROM "AgingOpen";
  INSERT INTO "AgingCase" ("caseId", "currency", "dueSince", "principal", "interest", "fees")
    SELECT c."id", c."currency", c."startedAt"::date - a."daysPastDue",
           CASE WHEN ow."caseId" IS NULL THEN GREATEST(a."originalBalance" - COALESCE(col.amount, 0), 0) ELSE GREATEST(ow.principal, 0) END,
           GREATEST(COALESCE(ow.interest, 0), 0),
           GREATEST(COALESCE(ow.fees, 0), 0)
    FROM "Case" c
    JOIN "Account" a ON a."id" = c."accountId"
    LEFT JOIN (SELECT "caseId", SUM("amount")::bigint AS amount FROM "Payment" WHERE "reversedAt" IS NULL GROUP BY 1) col ON col."caseId" = c."id"
    LEFT JOIN (SELECT "caseId", SUM("principal")::bigint AS principal, SUM("interest")::bigint AS interest, SUM("fees")::bigint AS fees
               FROM "LedgerEntry" GROUP BY 1) ow ON ow."caseId" = c."id"
    WHERE c."closedAt" IS NULL;
  INSERT INTO "AgingOpen" ("currency", "dueSince", "cases", "principal", "interest", "fees")
    SELECT "currency", "dueSince", COUNT(*), SUM("principal"), SUM("interest"), SUM("fees") FROM "AgingCase" GROUP BY 1, 2;
$$;

-- Liquidation ------------------------------------------------------------------------------------

-- What one payment paid of each part: its ledger entry's, or all principal when the ledger does not hold it.
CREATE FUNCTION "liquidation_payment_parts"(p_case TEXT, p_reference TEXT, p_amount BIGINT) RETURNS TABLE ("principal" BIGINT, "interest" BIGINT, "fees" BIGINT)
LANGUAGE sql STABLE AS $$
  SELECT COALESCE(-l."principal", p_amount)::bigint, COALESCE(-l."interest", 0)::bigint, COALESCE(-l."fees", 0)::bigint
  FROM (SELECT 1) one
  LEFT JOIN "LedgerEntry" l ON l."caseId" = p_case AND l."entryId" = 'payment:' || p_reference
$$;

DROP FUNCTION "liquidation_add_collected"(TEXT, TEXT, INTEGER, BIGINT);
CREATE FUNCTION "liquidation_add_collected"(p_cohort TEXT, p_currency TEXT, p_month INTEGER, p_amount BIGINT, p_principal BIGINT, p_interest BIGINT, p_fees BIGINT) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "LiquidationCollected" ("cohort", "currency", "month", "collected", "principal", "interest", "fees") VALUES (p_cohort, p_currency, p_month, p_amount, p_principal, p_interest, p_fees)
  ON CONFLICT ("cohort", "currency", "month") DO UPDATE SET "collected" = "LiquidationCollected"."collected" + EXCLUDED."collected",
    "principal" = "LiquidationCollected"."principal" + EXCLUDED."principal", "interest" = "LiquidationCollected"."interest" + EXCLUDED."interest",
    "fees" = "LiquidationCollected"."fees" + EXCLUDED."fees"
$$;

-- A payment counts while it is not reversed, in its case's cohort and currency, with its parts as the ledger holds them now.
CREATE OR REPLACE FUNCTION "liquidation_payment_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  c RECORD;
  parts RECORD;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD."reversedAt" IS NULL THEN
    SELECT "startedAt", "currency" INTO c FROM "Case" WHERE "id" = OLD."caseId";
    IF FOUND THEN
      SELECT * INTO parts FROM "liquidation_payment_parts"(OLD."caseId", OLD."reference", OLD."amount");
      PERFORM "liquidation_add_collected"("liquidation_cohort"(c."startedAt"), c."currency", "liquidation_month"(OLD."receivedAt", c."startedAt"),
                                          -OLD."amount", -parts."principal", -parts."interest", -parts."fees");
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW."reversedAt" IS NULL THEN
    SELECT "startedAt", "currency" INTO c FROM "Case" WHERE "id" = NEW."caseId";
    SELECT * INTO parts FROM "liquidation_payment_parts"(NEW."caseId", NEW."reference", NEW."amount");
    PERFORM "liquidation_add_collected"("liquidation_cohort"(c."startedAt"), c."currency", "liquidation_month"(NEW."receivedAt", c."startedAt"),
                                        NEW."amount", parts."principal", parts."interest", parts."fees");
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION "liquidation_case_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD."startedAt" IS NOT DISTINCT FROM NEW."startedAt" AND OLD."currency" IS NOT DISTINCT FROM NEW."currency" AND OLD."accountId" IS NOT DISTINCT FROM NEW."accountId" THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM "liquidation_add_cohort"("liquidation_cohort"(OLD."startedAt"), OLD."currency", -1, -(SELECT "originalBalance" FROM "Account" WHERE "id" = OLD."accountId")::bigint);
    PERFORM "liquidation_add_collected"("liquidation_cohort"(OLD."startedAt"), OLD."currency", "liquidation_month"(p."receivedAt", OLD."startedAt"),
                                        -p."amount", -pp."principal", -pp."interest", -pp."fees")
      FROM "Payment" p CROSS JOIN LATERAL "liquidation_payment_parts"(p."caseId", p."reference", p."amount") pp
      WHERE p."caseId" = OLD."id" AND p."reversedAt" IS NULL;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM "liquidation_add_cohort"("liquidation_cohort"(NEW."startedAt"), NEW."currency", 1, (SELECT "originalBalance" FROM "Account" WHERE "id" = NEW."accountId")::bigint);
    PERFORM "liquidation_add_collected"("liquidation_cohort"(NEW."startedAt"), NEW."currency", "liquidation_month"(p."receivedAt", NEW."startedAt"),
                                        p."amount", pp."principal", pp."interest", pp."fees")
      FROM "Payment" p CROSS JOIN LATERAL "liquidation_payment_parts"(p."caseId", p."reference", p."amount") pp
      WHERE p."caseId" = NEW."id" AND p."reversedAt" IS NULL;
  END IF;
  RETURN NULL;
END
$$;

-- A payment's ledger entry (entryId payment:<reference>) moves what that payment, if not reversed,
-- paid of each part: without the entry it is all principal, with it the entry's parts.
CREATE FUNCTION "liquidation_ledger_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD."entryId" LIKE 'payment:%' THEN
    PERFORM "liquidation_add_collected"("liquidation_cohort"(c."startedAt"), c."currency", "liquidation_month"(p."receivedAt", c."startedAt"),
                                        0, p."amount" + OLD."principal", OLD."interest", OLD."fees")
      FROM "Payment" p JOIN "Case" c ON c."id" = p."caseId"
      WHERE p."caseId" = OLD."caseId" AND 'payment:' || p."reference" = OLD."entryId" AND p."reversedAt" IS NULL;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW."entryId" LIKE 'payment:%' THEN
    PERFORM "liquidation_add_collected"("liquidation_cohort"(c."startedAt"), c."currency", "liquidation_month"(p."receivedAt", c."startedAt"),
                                        0, -NEW."principal" - p."amount", -NEW."interest", -NEW."fees")
      FROM "Payment" p JOIN "Case" c ON c."id" = p."caseId"
      WHERE p."caseId" = NEW."caseId" AND 'payment:' || p."reference" = NEW."entryId" AND p."reversedAt" IS NULL;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER "LedgerEntry_liquidation" AFTER INSERT OR UPDATE OR DELETE ON "LedgerEntry"
  FOR EACH ROW EXECUTE FUNCTION "liquidation_ledger_changed"();

CREATE OR REPLACE FUNCTION "liquidation_rebuild"() RETURNS void LANGUAGE sql AS $$
  DELETE FROM "LiquidationCohort";
  DELETE FROM "LiquidationCollected";
  INSERT INTO "LiquidationCohort" ("cohort", "currency", "cases", "placed")
    SELECT "liquidation_cohort"(c."startedAt"), c."currency", COUNT(*), SUM(a."originalBalance")
    FROM "Case" c JOIN "Account" a ON a."id" = c."accountId"
    GROUP BY 1, 2;
  INSERT INTO "LiquidationCollected" ("cohort", "currency", "month", "collected", "principal", "interest", "fees")
    SELECT "liquidation_cohort"(c."startedAt"), c."currency", "liquidation_month"(p."receivedAt", c."startedAt"), SUM(p."amount"),
           SUM(CASE WHEN l."id" IS NULL THEN p."amount" ELSE -l."principal" END), SUM(COALESCE(-l."interest", 0)), SUM(COALESCE(-l."fees", 0))
    FROM "Payment" p JOIN "Case" c ON c."id" = p."caseId"
    LEFT JOIN "LedgerEntry" l ON l."caseId" = p."caseId" AND l."entryId" = 'payment:' || p."reference"
    WHERE p."reversedAt" IS NULL
    GROUP BY 1, 2, 3;
$$;

-- Backfill from the rows already there (the recovery aggregates are unchanged).
SELECT "liquidation_rebuild"();
SELECT "aging_rebuild"();
