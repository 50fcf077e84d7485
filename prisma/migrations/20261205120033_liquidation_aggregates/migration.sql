-- CreateTable
CREATE TABLE "LiquidationCohort" (
    "cohort" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "cases" INTEGER NOT NULL,
    "placed" BIGINT NOT NULL,

    CONSTRAINT "LiquidationCohort_pkey" PRIMARY KEY ("cohort","currency")
);

-- CreateTable
CREATE TABLE "LiquidationCollected" (
    "cohort" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "month" INTEGER NOT NULL,
    "collected" BIGINT NOT NULL,

    CONSTRAINT "LiquidationCollected_pkey" PRIMARY KEY ("cohort","currency","month")
);

-- CreateIndex
CREATE INDEX "Payment_reversedAt_idx" ON "Payment"("reversedAt");

-- The liquidation report's aggregates (records/report-aggregates.ts) are kept by triggers, so every
-- write of a case, an account's placed balance or a payment updates them in its own transaction:
-- the projection's, enrollment's, an import's. Writes wait while the backfill below runs.
LOCK TABLE "Case", "Account", "Payment" IN SHARE ROW EXCLUSIVE MODE;

-- A case's placement cohort (the month it started) and a payment's month since placement, as the
-- report computed them from the rows.
CREATE FUNCTION "liquidation_cohort"(started TIMESTAMP(3)) RETURNS TEXT STABLE LANGUAGE sql AS $$
  SELECT to_char(date_trunc('month', started), 'YYYY-MM')
$$;
CREATE FUNCTION "liquidation_month"(received TIMESTAMP(3), started TIMESTAMP(3)) RETURNS INTEGER IMMUTABLE LANGUAGE sql AS $$
  SELECT GREATEST(0, EXTRACT(YEAR FROM age(received, started)) * 12 + EXTRACT(MONTH FROM age(received, started)))::int
$$;

CREATE FUNCTION "liquidation_add_cohort"(p_cohort TEXT, p_currency TEXT, p_cases INTEGER, p_placed BIGINT) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "LiquidationCohort" ("cohort", "currency", "cases", "placed") VALUES (p_cohort, p_currency, p_cases, p_placed)
  ON CONFLICT ("cohort", "currency") DO UPDATE SET "cases" = "LiquidationCohort"."cases" + EXCLUDED."cases", "placed" = "LiquidationCohort"."placed" + EXCLUDED."placed"
$$;
CREATE FUNCTION "liquidation_add_collected"(p_cohort TEXT, p_currency TEXT, p_month INTEGER, p_amount BIGINT) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "LiquidationCollected" ("cohort", "currency", "month", "collected") VALUES (p_cohort, p_currency, p_month, p_amount)
  ON CONFLICT ("cohort", "currency", "month") DO UPDATE SET "collected" = "LiquidationCollected"."collected" + EXCLUDED."collected"
$$;

-- A payment counts while it is not reversed, in its case's cohort and currency.
CREATE FUNCTION "liquidation_payment_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  c RECORD;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD."reversedAt" IS NULL THEN
    SELECT "startedAt", "currency" INTO c FROM "Case" WHERE "id" = OLD."caseId";
    IF FOUND THEN
      PERFORM "liquidation_add_collected"("liquidation_cohort"(c."startedAt"), c."currency", "liquidation_month"(OLD."receivedAt", c."startedAt"), -OLD."amount");
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW."reversedAt" IS NULL THEN
    SELECT "startedAt", "currency" INTO c FROM "Case" WHERE "id" = NEW."caseId";
    PERFORM "liquidation_add_collected"("liquidation_cohort"(c."startedAt"), c."currency", "liquidation_month"(NEW."receivedAt", c."startedAt"), NEW."amount");
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER "Payment_liquidation" AFTER INSERT OR UPDATE OR DELETE ON "Payment"
  FOR EACH ROW EXECUTE FUNCTION "liquidation_payment_changed"();

-- A case counts in its cohort with its account's placed balance; moving its start, currency or
-- account moves it and its payments.
CREATE FUNCTION "liquidation_case_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD."startedAt" IS NOT DISTINCT FROM NEW."startedAt" AND OLD."currency" IS NOT DISTINCT FROM NEW."currency" AND OLD."accountId" IS NOT DISTINCT FROM NEW."accountId" THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM "liquidation_add_cohort"("liquidation_cohort"(OLD."startedAt"), OLD."currency", -1, -(SELECT "originalBalance" FROM "Account" WHERE "id" = OLD."accountId")::bigint);
    PERFORM "liquidation_add_collected"("liquidation_cohort"(OLD."startedAt"), OLD."currency", "liquidation_month"(p."receivedAt", OLD."startedAt"), -p."amount")
      FROM "Payment" p WHERE p."caseId" = OLD."id" AND p."reversedAt" IS NULL;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM "liquidation_add_cohort"("liquidation_cohort"(NEW."startedAt"), NEW."currency", 1, (SELECT "originalBalance" FROM "Account" WHERE "id" = NEW."accountId")::bigint);
    PERFORM "liquidation_add_collected"("liquidation_cohort"(NEW."startedAt"), NEW."currency", "liquidation_month"(p."receivedAt", NEW."startedAt"), p."amount")
      FROM "Payment" p WHERE p."caseId" = NEW."id" AND p."reversedAt" IS NULL;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER "Case_liquidation_insert_delete" AFTER INSERT OR DELETE ON "Case"
  FOR EACH ROW EXECUTE FUNCTION "liquidation_case_changed"();
CREATE TRIGGER "Case_liquidation_update" AFTER UPDATE OF "startedAt", "currency", "accountId" ON "Case"
  FOR EACH ROW EXECUTE FUNCTION "liquidation_case_changed"();

-- An account's placed balance (an import may place a new amount) counts in each of its cases' cohorts.
CREATE FUNCTION "liquidation_account_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."originalBalance" IS DISTINCT FROM NEW."originalBalance" THEN
    PERFORM "liquidation_add_cohort"("liquidation_cohort"(c."startedAt"), c."currency", 0, NEW."originalBalance"::bigint - OLD."originalBalance")
      FROM "Case" c WHERE c."accountId" = NEW."id";
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER "Account_liquidation" AFTER UPDATE OF "originalBalance" ON "Account"
  FOR EACH ROW EXECUTE FUNCTION "liquidation_account_changed"();

-- TRUNCATE fires no row triggers: emptying the rows empties what they added up to.
CREATE FUNCTION "liquidation_truncated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'Payment' THEN
    DELETE FROM "LiquidationCollected";
  ELSE
    DELETE FROM "LiquidationCohort";
    DELETE FROM "LiquidationCollected";
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER "Payment_liquidation_truncate" AFTER TRUNCATE ON "Payment" FOR EACH STATEMENT EXECUTE FUNCTION "liquidation_truncated"();
CREATE TRIGGER "Case_liquidation_truncate" AFTER TRUNCATE ON "Case" FOR EACH STATEMENT EXECUTE FUNCTION "liquidation_truncated"();

-- Backfill from the rows already there.
INSERT INTO "LiquidationCohort" ("cohort", "currency", "cases", "placed")
  SELECT "liquidation_cohort"(c."startedAt"), c."currency", COUNT(*), SUM(a."originalBalance")
  FROM "Case" c JOIN "Account" a ON a."id" = c."accountId"
  GROUP BY 1, 2;
INSERT INTO "LiquidationCollected" ("cohort", "currency", "month", "collected")
  SELECT "liquidation_cohort"(c."startedAt"), c."currency", "liquidation_month"(p."receivedAt", c."startedAt"), SUM(p."amount")
  FROM "Payment" p JOIN "Case" c ON c."id" = p."caseId"
  WHERE p."reversedAt" IS NULL
  GROUP BY 1, 2, 3;
