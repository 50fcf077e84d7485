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

-- CreateTable
CREATE TABLE "AgingOpen" (
    "currency" TEXT NOT NULL,
    "dueSince" DATE NOT NULL,
    "cases" INTEGER NOT NULL,
    "owed" BIGINT NOT NULL,

    CONSTRAINT "AgingOpen_pkey" PRIMARY KEY ("currency","dueSince")
);

-- CreateTable
CREATE TABLE "AgingCase" (
    "caseId" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "dueSince" DATE NOT NULL,
    "owed" BIGINT NOT NULL,

    CONSTRAINT "AgingCase_pkey" PRIMARY KEY ("caseId")
);

-- CreateIndex
CREATE INDEX "Case_closedAt_idx" ON "Case"("closedAt");

-- CreateIndex
CREATE INDEX "Payment_reversedAt_idx" ON "Payment"("reversedAt");

-- The liquidation and aging reports' aggregates (records/liquidation-aggregates.ts,
-- records/aging-aggregates.ts) are kept by triggers, so every write of a case, an account or a
-- payment updates them in its own transaction:
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

-- The aging report's open cases (records/aging-aggregates.ts): each case's share is kept in
-- AgingCase and added into AgingOpen, so any write can take back what the case added before and
-- add what it adds now. An open case (not closed) counts once, with what it still owes: its placed
-- balance less its payments not reversed, never below zero.
CREATE FUNCTION "aging_add"(p_currency TEXT, p_due DATE, p_cases INTEGER, p_owed BIGINT) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "AgingOpen" ("currency", "dueSince", "cases", "owed") VALUES (p_currency, p_due, p_cases, p_owed)
  ON CONFLICT ("currency", "dueSince") DO UPDATE SET "cases" = "AgingOpen"."cases" + EXCLUDED."cases", "owed" = "AgingOpen"."owed" + EXCLUDED."owed"
$$;
CREATE FUNCTION "aging_refresh"(p_case TEXT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  prior RECORD;
  share RECORD;
BEGIN
  DELETE FROM "AgingCase" WHERE "caseId" = p_case RETURNING "currency", "dueSince", "owed" INTO prior;
  IF FOUND THEN
    PERFORM "aging_add"(prior."currency", prior."dueSince", -1, -prior."owed");
  END IF;
  SELECT c."currency", (c."startedAt"::date - a."daysPastDue") AS due,
         GREATEST(a."originalBalance" - COALESCE((SELECT SUM(p."amount") FROM "Payment" p WHERE p."caseId" = c."id" AND p."reversedAt" IS NULL), 0), 0)::bigint AS owed
    INTO share
    FROM "Case" c JOIN "Account" a ON a."id" = c."accountId"
    WHERE c."id" = p_case AND c."closedAt" IS NULL;
  IF FOUND THEN
    INSERT INTO "AgingCase" ("caseId", "currency", "dueSince", "owed") VALUES (p_case, share."currency", share.due, share."owed");
    PERFORM "aging_add"(share."currency", share.due, 1, share."owed");
  END IF;
END
$$;
CREATE FUNCTION "aging_payment_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM "aging_refresh"(OLD."caseId"); END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW."caseId" IS DISTINCT FROM OLD."caseId") THEN PERFORM "aging_refresh"(NEW."caseId"); END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER "Payment_aging" AFTER INSERT OR UPDATE OR DELETE ON "Payment"
  FOR EACH ROW EXECUTE FUNCTION "aging_payment_changed"();
CREATE FUNCTION "aging_case_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM "aging_refresh"(OLD."id");
  ELSE
    PERFORM "aging_refresh"(NEW."id");
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER "Case_aging_insert_delete" AFTER INSERT OR DELETE ON "Case"
  FOR EACH ROW EXECUTE FUNCTION "aging_case_changed"();
-- The projection names closedAt in every write: only a real change refreshes.
CREATE TRIGGER "Case_aging_update" AFTER UPDATE OF "closedAt", "startedAt", "currency", "accountId" ON "Case"
  FOR EACH ROW WHEN (OLD."closedAt" IS DISTINCT FROM NEW."closedAt" OR OLD."startedAt" IS DISTINCT FROM NEW."startedAt" OR OLD."currency" IS DISTINCT FROM NEW."currency" OR OLD."accountId" IS DISTINCT FROM NEW."accountId")
  EXECUTE FUNCTION "aging_case_changed"();
CREATE FUNCTION "aging_account_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "aging_refresh"(c."id") FROM "Case" c WHERE c."accountId" = NEW."id";
  RETURN NULL;
END
$$;
CREATE TRIGGER "Account_aging" AFTER UPDATE OF "originalBalance", "daysPastDue" ON "Account"
  FOR EACH ROW WHEN (OLD."originalBalance" IS DISTINCT FROM NEW."originalBalance" OR OLD."daysPastDue" IS DISTINCT FROM NEW."daysPastDue")
  EXECUTE FUNCTION "aging_account_changed"();

-- Every open case's share from the rows: the backfill, and after a TRUNCATE (which fires no row trigger).
CREATE FUNCTION "aging_rebuild"() RETURNS void LANGUAGE sql AS $$
  DELETE FROM "AgingCase";
  DELETE FROM "AgingOpen";
  INSERT INTO "AgingCase" ("caseId", "currency", "dueSince", "owed")
    SELECT c."id", c."currency", c."startedAt"::date - a."daysPastDue",
           GREATEST(a."originalBalance" - COALESCE((SELECT SUM(p."amount") FROM "Payment" p WHERE p."caseId" = c."id" AND p."reversedAt" IS NULL), 0), 0)
    FROM "Case" c JOIN "Account" a ON a."id" = c."accountId"
    WHERE c."closedAt" IS NULL;
  INSERT INTO "AgingOpen" ("currency", "dueSince", "cases", "owed")
    SELECT "currency", "dueSince", COUNT(*), SUM("owed") FROM "AgingCase" GROUP BY 1, 2;
$$;

-- TRUNCATE fires no row triggers: emptying the rows empties what they added up to.
CREATE FUNCTION "report_aggregates_truncated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'Payment' THEN
    DELETE FROM "LiquidationCollected";
  ELSE
    DELETE FROM "LiquidationCohort";
    DELETE FROM "LiquidationCollected";
  END IF;
  PERFORM "aging_rebuild"();
  RETURN NULL;
END
$$;
CREATE TRIGGER "Payment_report_aggregates_truncate" AFTER TRUNCATE ON "Payment" FOR EACH STATEMENT EXECUTE FUNCTION "report_aggregates_truncated"();
CREATE TRIGGER "Case_report_aggregates_truncate" AFTER TRUNCATE ON "Case" FOR EACH STATEMENT EXECUTE FUNCTION "report_aggregates_truncated"();

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
SELECT "aging_rebuild"();
