-- The aging, liquidation and recovery aggregates (migrations report_aggregates, report_aggregate_parts)
-- take their group rows in key order, as the funnel and roll-rate ones do (funnel_aggregates), so two
-- writes never wait on each other's group rows in a cycle (an import's parallel projections met 40P01):
--  * what one row's change takes away and adds is summed per group and applied in the order of the
--    groups' keys (a case moving from group B to group A no longer takes B, then A);
--  * a statement inserting cases (an import's batch) updates the groups once, after all its rows,
--    in key order (statement-level triggers on the inserted rows), where the row-level triggers took
--    each row's groups in the rows' order, table after table: a batch holding the recovery group of
--    its first case and waiting on the aging group of its tenth could meet a projection holding the
--    tenth's aging group and waiting on that recovery group.
-- Every trigger of a statement fires in the order of its name (aging, funnel, liquidation, recovery,
-- roll rate), so the tables too are taken in one order. A group whose sums do not move is not
-- written (a case's share unchanged by a write leaves its group row alone). The figures are the
-- same: test/reports/report-aggregates.test.ts; the order: test/reports/aggregates-key-order.test.ts.
LOCK TABLE "Case", "Account", "Payment", "LedgerEntry" IN SHARE ROW EXCLUSIVE MODE;

-- Aging ------------------------------------------------------------------------------------------

-- The open cases' shares from the rows (as aging_refresh computed one case's).
CREATE FUNCTION "aging_shares"(p_cases TEXT[]) RETURNS TABLE ("caseId" TEXT, "currency" TEXT, "dueSince" DATE, "principal" BIGINT, "interest" BIGINT, "fees" BIGINT)
LANGUAGE sql STABLE AS $$
  SELECT c."id", c."currency", c."startedAt"::date - a."daysPastDue",
         CASE WHEN ow.n > 0 THEN GREATEST(ow.principal, 0)
              ELSE GREATEST(a."originalBalance" - COALESCE((SELECT SUM(p."amount") FROM "Payment" p WHERE p."caseId" = c."id" AND p."reversedAt" IS NULL), 0), 0) END::bigint,
         CASE WHEN ow.n > 0 THEN GREATEST(ow.interest, 0) ELSE 0 END::bigint,
         CASE WHEN ow.n > 0 THEN GREATEST(ow.fees, 0) ELSE 0 END::bigint
  FROM "Case" c
  JOIN "Account" a ON a."id" = c."accountId"
  CROSS JOIN LATERAL (SELECT COUNT(*) AS n, SUM(l."principal")::bigint AS principal, SUM(l."interest")::bigint AS interest, SUM(l."fees")::bigint AS fees
                      FROM "LedgerEntry" l WHERE l."caseId" = c."id") ow
  WHERE c."id" = ANY(p_cases) AND c."closedAt" IS NULL
$$;

-- Takes back what the cases added before and adds what they add now, one change per group, in key order.
CREATE FUNCTION "aging_refresh_cases"(p_cases TEXT[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  taken "AgingCase"[];
  d RECORD;
BEGIN
  IF cardinality(p_cases) = 0 THEN RETURN; END IF;
  WITH gone AS (DELETE FROM "AgingCase" t WHERE t."caseId" = ANY(p_cases) RETURNING t)
  SELECT array_agg(gone.t) INTO taken FROM gone;
  FOR d IN
    WITH added AS (
      INSERT INTO "AgingCase" ("caseId", "currency", "dueSince", "principal", "interest", "fees")
      SELECT s."caseId", s."currency", s."dueSince", s."principal", s."interest", s."fees" FROM "aging_shares"(p_cases) s
      RETURNING "currency", "dueSince", "principal", "interest", "fees"
    ), change AS (
      SELECT t."currency", t."dueSince", -1 AS n, -t."principal" AS principal, -t."interest" AS interest, -t."fees" AS fees FROM unnest(taken) t
      UNION ALL
      SELECT a."currency", a."dueSince", 1, a."principal", a."interest", a."fees" FROM added a
    )
    SELECT g."currency", g."dueSince", SUM(g.n)::int AS n, SUM(g.principal)::bigint AS principal, SUM(g.interest)::bigint AS interest, SUM(g.fees)::bigint AS fees
    FROM change g
    GROUP BY g."currency", g."dueSince"
    ORDER BY g."currency", g."dueSince"
  LOOP
    IF d.n <> 0 OR d.principal <> 0 OR d.interest <> 0 OR d.fees <> 0 THEN
      PERFORM "aging_add"(d."currency", d."dueSince", d.n, d.principal, d.interest, d.fees);
    END IF;
  END LOOP;
END
$$;

-- A payment's or a ledger entry's case (both, when it moves to another case), in one refresh.
CREATE OR REPLACE FUNCTION "aging_payment_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cases TEXT[] := '{}';
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN cases := cases || OLD."caseId"; END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW."caseId" IS DISTINCT FROM OLD."caseId") THEN cases := cases || NEW."caseId"; END IF;
  PERFORM "aging_refresh_cases"(cases);
  RETURN NULL;
END
$$;
-- A case updated or deleted (one inserted: aging_cases_inserted).
CREATE OR REPLACE FUNCTION "aging_case_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "aging_refresh_cases"(ARRAY[CASE WHEN TG_OP = 'DELETE' THEN OLD."id" ELSE NEW."id" END]);
  RETURN NULL;
END
$$;
CREATE FUNCTION "aging_cases_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "aging_refresh_cases"(ARRAY(SELECT i."id" FROM "inserted" i));
  RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION "aging_account_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "aging_refresh_cases"(ARRAY(SELECT c."id" FROM "Case" c WHERE c."accountId" = NEW."id"));
  RETURN NULL;
END
$$;
DROP TRIGGER "Case_aging_insert_delete" ON "Case";
CREATE TRIGGER "Case_aging_delete" AFTER DELETE ON "Case" FOR EACH ROW EXECUTE FUNCTION "aging_case_changed"();
CREATE TRIGGER "Case_aging_insert" AFTER INSERT ON "Case" REFERENCING NEW TABLE AS "inserted" FOR EACH STATEMENT EXECUTE FUNCTION "aging_cases_inserted"();
DROP FUNCTION "aging_refresh"(TEXT);

-- Liquidation ------------------------------------------------------------------------------------

-- A payment not reversed counts in its case's cohort and currency: what it took away and adds, in key order.
CREATE OR REPLACE FUNCTION "liquidation_payment_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d RECORD;
BEGIN
  FOR d IN
    SELECT s.cohort, s."currency", s.month, SUM(s.amount)::bigint AS amount, SUM(s.principal)::bigint AS principal, SUM(s.interest)::bigint AS interest, SUM(s.fees)::bigint AS fees
    FROM (SELECT "liquidation_cohort"(c."startedAt") AS cohort, c."currency", "liquidation_month"(OLD."receivedAt", c."startedAt") AS month,
                 -OLD."amount" AS amount, -pp."principal" AS principal, -pp."interest" AS interest, -pp."fees" AS fees
          FROM "Case" c CROSS JOIN LATERAL "liquidation_payment_parts"(OLD."caseId", OLD."reference", OLD."amount") pp
          WHERE TG_OP IN ('UPDATE', 'DELETE') AND OLD."reversedAt" IS NULL AND c."id" = OLD."caseId"
          UNION ALL
          SELECT "liquidation_cohort"(c."startedAt"), c."currency", "liquidation_month"(NEW."receivedAt", c."startedAt"),
                 NEW."amount", pp."principal", pp."interest", pp."fees"
          FROM "Case" c CROSS JOIN LATERAL "liquidation_payment_parts"(NEW."caseId", NEW."reference", NEW."amount") pp
          WHERE TG_OP IN ('INSERT', 'UPDATE') AND NEW."reversedAt" IS NULL AND c."id" = NEW."caseId") s
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
  LOOP
    IF d.amount <> 0 OR d.principal <> 0 OR d.interest <> 0 OR d.fees <> 0 THEN
      PERFORM "liquidation_add_collected"(d.cohort, d."currency", d.month, d.amount, d.principal, d.interest, d.fees);
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;

-- A case updated or deleted: its cohort and its payments, each table's groups in key order.
CREATE OR REPLACE FUNCTION "liquidation_case_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d RECORD;
BEGIN
  IF TG_OP = 'UPDATE' AND OLD."startedAt" IS NOT DISTINCT FROM NEW."startedAt" AND OLD."currency" IS NOT DISTINCT FROM NEW."currency" AND OLD."accountId" IS NOT DISTINCT FROM NEW."accountId" THEN
    RETURN NULL;
  END IF;
  FOR d IN
    SELECT s.cohort, s."currency", SUM(s.n)::int AS n, SUM(s.placed)::bigint AS placed
    FROM (SELECT "liquidation_cohort"(OLD."startedAt") AS cohort, OLD."currency" AS "currency", -1 AS n, -(SELECT "originalBalance" FROM "Account" WHERE "id" = OLD."accountId")::bigint AS placed
          UNION ALL
          SELECT "liquidation_cohort"(NEW."startedAt"), NEW."currency", 1, (SELECT "originalBalance" FROM "Account" WHERE "id" = NEW."accountId")::bigint
          WHERE TG_OP = 'UPDATE') s
    GROUP BY 1, 2
    ORDER BY 1, 2
  LOOP
    IF d.n <> 0 OR d.placed <> 0 THEN
      PERFORM "liquidation_add_cohort"(d.cohort, d."currency", d.n, d.placed);
    END IF;
  END LOOP;
  FOR d IN
    SELECT s.cohort, s."currency", s.month, SUM(s.amount)::bigint AS amount, SUM(s.principal)::bigint AS principal, SUM(s.interest)::bigint AS interest, SUM(s.fees)::bigint AS fees
    FROM (SELECT "liquidation_cohort"(OLD."startedAt") AS cohort, OLD."currency" AS "currency", "liquidation_month"(p."receivedAt", OLD."startedAt") AS month,
                 -p."amount" AS amount, -pp."principal" AS principal, -pp."interest" AS interest, -pp."fees" AS fees
          FROM "Payment" p CROSS JOIN LATERAL "liquidation_payment_parts"(p."caseId", p."reference", p."amount") pp
          WHERE p."caseId" = OLD."id" AND p."reversedAt" IS NULL
          UNION ALL
          SELECT "liquidation_cohort"(NEW."startedAt"), NEW."currency", "liquidation_month"(p."receivedAt", NEW."startedAt"),
                 p."amount", pp."principal", pp."interest", pp."fees"
          FROM "Payment" p CROSS JOIN LATERAL "liquidation_payment_parts"(p."caseId", p."reference", p."amount") pp
          WHERE TG_OP = 'UPDATE' AND p."caseId" = NEW."id" AND p."reversedAt" IS NULL) s
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
  LOOP
    IF d.amount <> 0 OR d.principal <> 0 OR d.interest <> 0 OR d.fees <> 0 THEN
      PERFORM "liquidation_add_collected"(d.cohort, d."currency", d.month, d.amount, d.principal, d.interest, d.fees);
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;
-- Cases inserted: their cohorts, in key order (a case just inserted has no payments yet: Payment.caseId references it).
CREATE FUNCTION "liquidation_cases_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d RECORD;
BEGIN
  FOR d IN
    SELECT "liquidation_cohort"(i."startedAt") AS cohort, i."currency", COUNT(*)::int AS n, SUM(a."originalBalance")::bigint AS placed
    FROM "inserted" i JOIN "Account" a ON a."id" = i."accountId"
    GROUP BY 1, 2
    ORDER BY 1, 2
  LOOP
    PERFORM "liquidation_add_cohort"(d.cohort, d."currency", d.n, d.placed);
  END LOOP;
  RETURN NULL;
END
$$;
DROP TRIGGER "Case_liquidation_insert_delete" ON "Case";
CREATE TRIGGER "Case_liquidation_delete" AFTER DELETE ON "Case" FOR EACH ROW EXECUTE FUNCTION "liquidation_case_changed"();
CREATE TRIGGER "Case_liquidation_insert" AFTER INSERT ON "Case" REFERENCING NEW TABLE AS "inserted" FOR EACH STATEMENT EXECUTE FUNCTION "liquidation_cases_inserted"();

-- An account's placed balance, in each of its cases' cohorts, in key order.
CREATE OR REPLACE FUNCTION "liquidation_account_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d RECORD;
BEGIN
  IF OLD."originalBalance" IS NOT DISTINCT FROM NEW."originalBalance" THEN RETURN NULL; END IF;
  FOR d IN
    SELECT "liquidation_cohort"(c."startedAt") AS cohort, c."currency", SUM(NEW."originalBalance"::bigint - OLD."originalBalance")::bigint AS placed
    FROM "Case" c WHERE c."accountId" = NEW."id"
    GROUP BY 1, 2
    ORDER BY 1, 2
  LOOP
    PERFORM "liquidation_add_cohort"(d.cohort, d."currency", 0, d.placed);
  END LOOP;
  RETURN NULL;
END
$$;

-- A payment's ledger entry moves what that payment paid of each part: old and new side in key order.
CREATE OR REPLACE FUNCTION "liquidation_ledger_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d RECORD;
BEGIN
  FOR d IN
    SELECT s.cohort, s."currency", s.month, SUM(s.principal)::bigint AS principal, SUM(s.interest)::bigint AS interest, SUM(s.fees)::bigint AS fees
    FROM (SELECT "liquidation_cohort"(c."startedAt") AS cohort, c."currency", "liquidation_month"(p."receivedAt", c."startedAt") AS month,
                 p."amount" + OLD."principal" AS principal, OLD."interest" AS interest, OLD."fees" AS fees
          FROM "Payment" p JOIN "Case" c ON c."id" = p."caseId"
          WHERE TG_OP IN ('UPDATE', 'DELETE') AND OLD."entryId" LIKE 'payment:%'
            AND p."caseId" = OLD."caseId" AND 'payment:' || p."reference" = OLD."entryId" AND p."reversedAt" IS NULL
          UNION ALL
          SELECT "liquidation_cohort"(c."startedAt"), c."currency", "liquidation_month"(p."receivedAt", c."startedAt"),
                 -NEW."principal" - p."amount", -NEW."interest", -NEW."fees"
          FROM "Payment" p JOIN "Case" c ON c."id" = p."caseId"
          WHERE TG_OP IN ('INSERT', 'UPDATE') AND NEW."entryId" LIKE 'payment:%'
            AND p."caseId" = NEW."caseId" AND 'payment:' || p."reference" = NEW."entryId" AND p."reversedAt" IS NULL) s
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
  LOOP
    IF d.principal <> 0 OR d.interest <> 0 OR d.fees <> 0 THEN
      PERFORM "liquidation_add_collected"(d.cohort, d."currency", d.month, 0, d.principal, d.interest, d.fees);
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;

-- Recovery ---------------------------------------------------------------------------------------

-- The cases' shares from the rows (as recovery_share computed one case's).
CREATE FUNCTION "recovery_shares"(p_cases TEXT[]) RETURNS TABLE ("caseId" TEXT, "key" TEXT, "paying" INTEGER, "placed" BIGINT, "collected" BIGINT, "principal" BIGINT, "interest" BIGINT, "fees" BIGINT)
LANGUAGE sql STABLE AS $$
  SELECT c."id", json_build_array(c."currency", c."strategyId", c."arm", a."portfolio", "liquidation_cohort"(c."startedAt"))::text,
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
  WHERE c."id" = ANY(p_cases)
$$;

-- As aging_refresh_cases: one change per group, in key order. A group's columns are its key's
-- parts (json_build_array(currency, strategyId, arm, portfolio, cohort)).
CREATE FUNCTION "recovery_refresh_cases"(p_cases TEXT[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  taken "RecoveryCase"[];
  d RECORD;
  k JSON;
BEGIN
  IF cardinality(p_cases) = 0 THEN RETURN; END IF;
  WITH gone AS (DELETE FROM "RecoveryCase" t WHERE t."caseId" = ANY(p_cases) RETURNING t)
  SELECT array_agg(gone.t) INTO taken FROM gone;
  FOR d IN
    WITH added AS (
      INSERT INTO "RecoveryCase" ("caseId", "key", "paying", "placed", "collected", "principal", "interest", "fees")
      SELECT s."caseId", s."key", s."paying", s."placed", s."collected", s."principal", s."interest", s."fees" FROM "recovery_shares"(p_cases) s
      RETURNING "key", "paying", "placed", "collected", "principal", "interest", "fees"
    ), change AS (
      SELECT t."key", -1 AS n, -t."paying" AS paying, -t."placed" AS placed, -t."collected" AS collected, -t."principal" AS principal, -t."interest" AS interest, -t."fees" AS fees
      FROM unnest(taken) t
      UNION ALL
      SELECT a."key", 1, a."paying", a."placed", a."collected", a."principal", a."interest", a."fees" FROM added a
    )
    SELECT g."key", SUM(g.n)::int AS n, SUM(g.paying)::int AS paying, SUM(g.placed)::bigint AS placed, SUM(g.collected)::bigint AS collected,
           SUM(g.principal)::bigint AS principal, SUM(g.interest)::bigint AS interest, SUM(g.fees)::bigint AS fees
    FROM change g
    GROUP BY g."key"
    ORDER BY g."key"
  LOOP
    IF d.n <> 0 OR d.paying <> 0 OR d.placed <> 0 OR d.collected <> 0 OR d.principal <> 0 OR d.interest <> 0 OR d.fees <> 0 THEN
      k := d."key"::json;
      PERFORM "recovery_add"(d."key", k->>0, k->>1, k->>2, k->>3, k->>4, d.n, d.paying, d.placed, d.collected, d.principal, d.interest, d.fees);
    END IF;
  END LOOP;
END
$$;
CREATE OR REPLACE FUNCTION "recovery_case_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "recovery_refresh_cases"(ARRAY[CASE WHEN TG_OP = 'DELETE' THEN OLD."id" ELSE NEW."id" END]);
  RETURN NULL;
END
$$;
CREATE FUNCTION "recovery_cases_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "recovery_refresh_cases"(ARRAY(SELECT i."id" FROM "inserted" i));
  RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION "recovery_case_row_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cases TEXT[] := '{}';
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN cases := cases || OLD."caseId"; END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW."caseId" IS DISTINCT FROM OLD."caseId") THEN cases := cases || NEW."caseId"; END IF;
  PERFORM "recovery_refresh_cases"(cases);
  RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION "recovery_account_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "recovery_refresh_cases"(ARRAY(SELECT c."id" FROM "Case" c WHERE c."accountId" = NEW."id"));
  RETURN NULL;
END
$$;
DROP TRIGGER "Case_recovery_insert_delete" ON "Case";
CREATE TRIGGER "Case_recovery_delete" AFTER DELETE ON "Case" FOR EACH ROW EXECUTE FUNCTION "recovery_case_changed"();
CREATE TRIGGER "Case_recovery_insert" AFTER INSERT ON "Case" REFERENCING NEW TABLE AS "inserted" FOR EACH STATEMENT EXECUTE FUNCTION "recovery_cases_inserted"();
DROP FUNCTION "recovery_refresh"(TEXT);
DROP FUNCTION "recovery_share"(TEXT);

-- Roll rate: cases inserted by one statement, their groups in key order (as roll_rate_case_changed orders one case's) --

CREATE FUNCTION "roll_rate_cases_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d RECORD;
BEGIN
  FOR d IN
    SELECT i."startedAt"::date - a."daysPastDue" AS due, MIN(i."startedAt") AS started, MIN(i."closedAt") AS closed, COUNT(*)::int AS n
    FROM "inserted" i JOIN "Account" a ON a."id" = i."accountId"
    GROUP BY i."startedAt"::date - a."daysPastDue", date_trunc('month', i."startedAt")::date, date_trunc('month', i."closedAt")::date
    ORDER BY json_build_array(i."startedAt"::date - a."daysPastDue", date_trunc('month', i."startedAt")::date, date_trunc('month', i."closedAt")::date)::text
  LOOP
    PERFORM "roll_rate_add"(d.due, d.started, d.closed, d.n);
  END LOOP;
  RETURN NULL;
END
$$;
DROP TRIGGER "Case_roll_rate_insert_delete" ON "Case";
CREATE TRIGGER "Case_roll_rate_delete" AFTER DELETE ON "Case" FOR EACH ROW EXECUTE FUNCTION "roll_rate_case_changed"();
CREATE TRIGGER "Case_roll_rate_insert" AFTER INSERT ON "Case" REFERENCING NEW TABLE AS "inserted" FOR EACH STATEMENT EXECUTE FUNCTION "roll_rate_cases_inserted"();
