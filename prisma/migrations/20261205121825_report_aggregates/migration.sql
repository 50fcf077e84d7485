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

-- CreateTable
CREATE TABLE "RecoveryGroup" (
    "key" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "strategyId" TEXT NOT NULL,
    "arm" TEXT,
    "portfolio" TEXT,
    "cohort" TEXT NOT NULL,
    "cases" INTEGER NOT NULL,
    "paying" INTEGER NOT NULL,
    "placed" BIGINT NOT NULL,
    "collected" BIGINT NOT NULL,
    "principal" BIGINT NOT NULL,
    "interest" BIGINT NOT NULL,
    "fees" BIGINT NOT NULL,

    CONSTRAINT "RecoveryGroup_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "RecoveryCase" (
    "caseId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "paying" INTEGER NOT NULL,
    "placed" BIGINT NOT NULL,
    "collected" BIGINT NOT NULL,
    "principal" BIGINT NOT NULL,
    "interest" BIGINT NOT NULL,
    "fees" BIGINT NOT NULL,

    CONSTRAINT "RecoveryCase_pkey" PRIMARY KEY ("caseId")
);

-- CreateIndex
CREATE INDEX "Case_closedAt_idx" ON "Case"("closedAt");

-- CreateIndex
CREATE INDEX "Payment_reversedAt_idx" ON "Payment"("reversedAt");

-- The liquidation, aging and recovery reports' aggregates (records/liquidation-aggregates.ts,
-- records/aging-aggregates.ts, records/recovery-aggregates.ts) are kept by triggers, so every write of a case, an account or a
-- payment updates them in its own transaction:
-- the projection's, enrollment's, an import's. Writes wait while the backfill below runs.
LOCK TABLE "Case", "Account", "Payment", "LedgerEntry" IN SHARE ROW EXCLUSIVE MODE;

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

-- The recovery report's groups (records/recovery-aggregates.ts): each case's share is kept in
-- RecoveryCase and added into RecoveryGroup, as for aging. A case counts in its group (currency,
-- strategy version, arm, portfolio, cohort) with its placed balance, its payments not reversed,
-- and what its account ledger's payments (less their reversals) took from each part; a case
-- without such ledger entries counts all it collected as principal.
CREATE FUNCTION "recovery_add"(p_key TEXT, p_currency TEXT, p_strategy TEXT, p_arm TEXT, p_portfolio TEXT, p_cohort TEXT, p_cases INTEGER, p_paying INTEGER,
                               p_placed BIGINT, p_collected BIGINT, p_principal BIGINT, p_interest BIGINT, p_fees BIGINT) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "RecoveryGroup" ("key", "currency", "strategyId", "arm", "portfolio", "cohort", "cases", "paying", "placed", "collected", "principal", "interest", "fees")
  VALUES (p_key, p_currency, p_strategy, p_arm, p_portfolio, p_cohort, p_cases, p_paying, p_placed, p_collected, p_principal, p_interest, p_fees)
  ON CONFLICT ("key") DO UPDATE SET
    "cases" = "RecoveryGroup"."cases" + EXCLUDED."cases", "paying" = "RecoveryGroup"."paying" + EXCLUDED."paying",
    "placed" = "RecoveryGroup"."placed" + EXCLUDED."placed", "collected" = "RecoveryGroup"."collected" + EXCLUDED."collected",
    "principal" = "RecoveryGroup"."principal" + EXCLUDED."principal", "interest" = "RecoveryGroup"."interest" + EXCLUDED."interest",
    "fees" = "RecoveryGroup"."fees" + EXCLUDED."fees"
$$;
-- One case's share from the rows (no row for a case that does not exist).
CREATE FUNCTION "recovery_share"(p_case TEXT) RETURNS TABLE ("key" TEXT, "currency" TEXT, "strategyId" TEXT, "arm" TEXT, "portfolio" TEXT, "cohort" TEXT,
                                                            "paying" INTEGER, "placed" BIGINT, "collected" BIGINT, "principal" BIGINT, "interest" BIGINT, "fees" BIGINT)
LANGUAGE sql STABLE AS $$
  SELECT json_build_array(c."currency", c."strategyId", c."arm", a."portfolio", "liquidation_cohort"(c."startedAt"))::text,
         c."currency", c."strategyId", c."arm", a."portfolio", "liquidation_cohort"(c."startedAt"),
         (col.n > 0)::int, a."originalBalance"::bigint, COALESCE(col.amount, 0),
         CASE WHEN pt.n > 0 THEN pt.principal ELSE COALESCE(col.amount, 0) END,
         CASE WHEN pt.n > 0 THEN pt.interest ELSE 0 END,
         CASE WHEN pt.n > 0 THEN pt.fees ELSE 0 END
  FROM "Case" c
  JOIN "Account" a ON a."id" = c."accountId"
  CROSS JOIN LATERAL (SELECT COUNT(*) AS n, SUM(p."amount")::bigint AS amount FROM "Payment" p WHERE p."caseId" = c."id" AND p."reversedAt" IS NULL) col
  CROSS JOIN LATERAL (
    SELECT COUNT(*) AS n, -SUM(l."principal")::bigint AS principal, -SUM(l."interest")::bigint AS interest, -SUM(l."fees")::bigint AS fees
    FROM "LedgerEntry" l
    WHERE l."caseId" = c."id" AND (l."kind" = 'payment' OR (l."kind" = 'reversal' AND l."entry"->>'of' LIKE 'payment:%'))) pt
  WHERE c."id" = p_case
$$;
CREATE FUNCTION "recovery_refresh"(p_case TEXT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  prior RECORD;
  share RECORD;
BEGIN
  DELETE FROM "RecoveryCase" WHERE "caseId" = p_case RETURNING * INTO prior;
  IF FOUND THEN
    UPDATE "RecoveryGroup" SET "cases" = "cases" - 1, "paying" = "paying" - prior."paying", "placed" = "placed" - prior."placed",
           "collected" = "collected" - prior."collected", "principal" = "principal" - prior."principal", "interest" = "interest" - prior."interest", "fees" = "fees" - prior."fees"
    WHERE "key" = prior."key";
  END IF;
  SELECT * INTO share FROM "recovery_share"(p_case);
  IF FOUND THEN
    INSERT INTO "RecoveryCase" ("caseId", "key", "paying", "placed", "collected", "principal", "interest", "fees")
    VALUES (p_case, share."key", share."paying", share."placed", share."collected", share."principal", share."interest", share."fees");
    PERFORM "recovery_add"(share."key", share."currency", share."strategyId", share."arm", share."portfolio", share."cohort", 1, share."paying",
                           share."placed", share."collected", share."principal", share."interest", share."fees");
  END IF;
END
$$;
CREATE FUNCTION "recovery_case_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "recovery_refresh"(CASE WHEN TG_OP = 'DELETE' THEN OLD."id" ELSE NEW."id" END);
  RETURN NULL;
END
$$;
CREATE TRIGGER "Case_recovery_insert_delete" AFTER INSERT OR DELETE ON "Case"
  FOR EACH ROW EXECUTE FUNCTION "recovery_case_changed"();
CREATE TRIGGER "Case_recovery_update" AFTER UPDATE OF "strategyId", "arm", "startedAt", "currency", "accountId" ON "Case"
  FOR EACH ROW WHEN (OLD."strategyId" IS DISTINCT FROM NEW."strategyId" OR OLD."arm" IS DISTINCT FROM NEW."arm" OR OLD."startedAt" IS DISTINCT FROM NEW."startedAt"
                     OR OLD."currency" IS DISTINCT FROM NEW."currency" OR OLD."accountId" IS DISTINCT FROM NEW."accountId")
  EXECUTE FUNCTION "recovery_case_changed"();
CREATE FUNCTION "recovery_case_row_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM "recovery_refresh"(OLD."caseId"); END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW."caseId" IS DISTINCT FROM OLD."caseId") THEN PERFORM "recovery_refresh"(NEW."caseId"); END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER "Payment_recovery" AFTER INSERT OR UPDATE OR DELETE ON "Payment"
  FOR EACH ROW EXECUTE FUNCTION "recovery_case_row_changed"();
CREATE TRIGGER "LedgerEntry_recovery" AFTER INSERT OR UPDATE OR DELETE ON "LedgerEntry"
  FOR EACH ROW EXECUTE FUNCTION "recovery_case_row_changed"();
CREATE FUNCTION "recovery_account_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "recovery_refresh"(c."id") FROM "Case" c WHERE c."accountId" = NEW."id";
  RETURN NULL;
END
$$;
CREATE TRIGGER "Account_recovery" AFTER UPDATE OF "originalBalance", "portfolio" ON "Account"
  FOR EACH ROW WHEN (OLD."originalBalance" IS DISTINCT FROM NEW."originalBalance" OR OLD."portfolio" IS DISTINCT FROM NEW."portfolio")
  EXECUTE FUNCTION "recovery_account_changed"();
CREATE FUNCTION "recovery_rebuild"() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "RecoveryCase";
  DELETE FROM "RecoveryGroup";
  -- What recovery_share gives one case, for every case at once.
  CREATE TEMP TABLE "recovery_shares" AS
    SELECT c."id" AS "caseId", json_build_array(c."currency", c."strategyId", c."arm", a."portfolio", "liquidation_cohort"(c."startedAt"))::text AS "key",
           c."currency", c."strategyId", c."arm", a."portfolio", "liquidation_cohort"(c."startedAt") AS "cohort",
           (col.n IS NOT NULL)::int AS "paying", a."originalBalance"::bigint AS "placed", COALESCE(col.amount, 0) AS "collected",
           CASE WHEN pt.n IS NOT NULL THEN pt.principal ELSE COALESCE(col.amount, 0) END AS "principal",
           CASE WHEN pt.n IS NOT NULL THEN pt.interest ELSE 0 END AS "interest",
           CASE WHEN pt.n IS NOT NULL THEN pt.fees ELSE 0 END AS "fees"
    FROM "Case" c
    JOIN "Account" a ON a."id" = c."accountId"
    LEFT JOIN (SELECT "caseId", COUNT(*) AS n, SUM("amount")::bigint AS amount FROM "Payment" WHERE "reversedAt" IS NULL GROUP BY 1) col ON col."caseId" = c."id"
    LEFT JOIN (
      SELECT "caseId", COUNT(*) AS n, -SUM("principal")::bigint AS principal, -SUM("interest")::bigint AS interest, -SUM("fees")::bigint AS fees
      FROM "LedgerEntry" WHERE "kind" = 'payment' OR ("kind" = 'reversal' AND "entry"->>'of' LIKE 'payment:%') GROUP BY 1) pt ON pt."caseId" = c."id";
  INSERT INTO "RecoveryCase" ("caseId", "key", "paying", "placed", "collected", "principal", "interest", "fees")
    SELECT "caseId", "key", "paying", "placed", "collected", "principal", "interest", "fees" FROM "recovery_shares";
  INSERT INTO "RecoveryGroup" ("key", "currency", "strategyId", "arm", "portfolio", "cohort", "cases", "paying", "placed", "collected", "principal", "interest", "fees")
    SELECT "key", "currency", "strategyId", "arm", "portfolio", "cohort", COUNT(*), SUM("paying"), SUM("placed"), SUM("collected"), SUM("principal"), SUM("interest"), SUM("fees")
    FROM "recovery_shares" GROUP BY 1, 2, 3, 4, 5, 6;
  DROP TABLE "recovery_shares";
END
$$;

-- Every open case's share from the rows: the backfill, and after a TRUNCATE (which fires no row trigger).
CREATE FUNCTION "aging_rebuild"() RETURNS void LANGUAGE sql AS $$
  DELETE FROM "AgingCase";
  DELETE FROM "AgingOpen";
  INSERT INTO "AgingCase" ("caseId", "currency", "dueSince", "owed")
    SELECT c."id", c."currency", c."startedAt"::date - a."daysPastDue", GREATEST(a."originalBalance" - COALESCE(col.amount, 0), 0)
    FROM "Case" c
    JOIN "Account" a ON a."id" = c."accountId"
    LEFT JOIN (SELECT "caseId", SUM("amount")::bigint AS amount FROM "Payment" WHERE "reversedAt" IS NULL GROUP BY 1) col ON col."caseId" = c."id"
    WHERE c."closedAt" IS NULL;
  INSERT INTO "AgingOpen" ("currency", "dueSince", "cases", "owed")
    SELECT "currency", "dueSince", COUNT(*), SUM("owed") FROM "AgingCase" GROUP BY 1, 2;
$$;

-- The liquidation tables from the rows: the backfill, and after a TRUNCATE.
CREATE FUNCTION "liquidation_rebuild"() RETURNS void LANGUAGE sql AS $$
  DELETE FROM "LiquidationCohort";
  DELETE FROM "LiquidationCollected";
  INSERT INTO "LiquidationCohort" ("cohort", "currency", "cases", "placed")
    SELECT "liquidation_cohort"(c."startedAt"), c."currency", COUNT(*), SUM(a."originalBalance")
    FROM "Case" c JOIN "Account" a ON a."id" = c."accountId"
    GROUP BY 1, 2;
  INSERT INTO "LiquidationCollected" ("cohort", "currency", "month", "collected")
    SELECT "liquidation_cohort"(c."startedAt"), c."currency", "liquidation_month"(p."receivedAt", c."startedAt"), SUM(p."amount")
    FROM "Payment" p JOIN "Case" c ON c."id" = p."caseId"
    WHERE p."reversedAt" IS NULL
    GROUP BY 1, 2, 3;
$$;

-- TRUNCATE fires no row triggers: emptying the rows empties what they added up to.
CREATE FUNCTION "report_aggregates_truncated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "liquidation_rebuild"();
  PERFORM "aging_rebuild"();
  PERFORM "recovery_rebuild"();
  RETURN NULL;
END
$$;
CREATE TRIGGER "Payment_report_aggregates_truncate" AFTER TRUNCATE ON "Payment" FOR EACH STATEMENT EXECUTE FUNCTION "report_aggregates_truncated"();
CREATE TRIGGER "Case_report_aggregates_truncate" AFTER TRUNCATE ON "Case" FOR EACH STATEMENT EXECUTE FUNCTION "report_aggregates_truncated"();
CREATE TRIGGER "LedgerEntry_report_aggregates_truncate" AFTER TRUNCATE ON "LedgerEntry" FOR EACH STATEMENT EXECUTE FUNCTION "report_aggregates_truncated"();

-- Backfill from the rows already there.
SELECT "liquidation_rebuild"();
SELECT "aging_rebuild"();
SELECT "recovery_rebuild"();
