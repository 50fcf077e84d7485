-- CreateTable
CREATE TABLE "FunnelCommunication" (
    "key" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "channel" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "strategyId" TEXT NOT NULL,
    "arm" TEXT,
    "count" INTEGER NOT NULL,

    CONSTRAINT "FunnelCommunication_pkey" PRIMARY KEY ("key")
);

-- The funnel report's communications (records/funnel-aggregates.ts) are kept by triggers, so every
-- write of a communication or of a case's strategy or arm updates them in its own transaction.
-- Writes wait while the backfill below runs.
LOCK TABLE "Communication", "Case" IN SHARE ROW EXCLUSIVE MODE;

CREATE FUNCTION "funnel_communication_add"(p_day DATE, p_channel TEXT, p_status TEXT, p_strategy TEXT, p_arm TEXT, p_count INTEGER) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "FunnelCommunication" ("key", "day", "channel", "status", "strategyId", "arm", "count")
  VALUES (json_build_array(p_day, p_channel, p_status, p_strategy, p_arm)::text, p_day, p_channel, p_status, p_strategy, p_arm, p_count)
  ON CONFLICT ("key") DO UPDATE SET "count" = "FunnelCommunication"."count" + EXCLUDED."count"
$$;

-- A communication counts on the UTC day it was created, with its channel, its status now and its
-- case's strategy version and arm. What a write takes away and adds is applied in the order of the
-- groups' keys, as in every trigger here, so two writes never wait on each other's groups in a cycle.
CREATE FUNCTION "funnel_communication_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d RECORD;
BEGIN
  FOR d IN
    SELECT m.day, m."channel", m."status", c."strategyId", c."arm", m.n
    FROM (SELECT OLD."createdAt"::date AS day, OLD."channel", OLD."status", OLD."caseId", -1 AS n WHERE TG_OP IN ('UPDATE', 'DELETE')
          UNION ALL
          SELECT NEW."createdAt"::date, NEW."channel", NEW."status", NEW."caseId", 1 WHERE TG_OP IN ('INSERT', 'UPDATE')) m
    JOIN "Case" c ON c."id" = m."caseId"
    ORDER BY json_build_array(m.day, m."channel", m."status", c."strategyId", c."arm")::text
  LOOP
    PERFORM "funnel_communication_add"(d.day, d."channel", d."status", d."strategyId", d."arm", d.n);
  END LOOP;
  RETURN NULL;
END
$$;
CREATE TRIGGER "Communication_funnel_insert_delete" AFTER INSERT OR DELETE ON "Communication"
  FOR EACH ROW EXECUTE FUNCTION "funnel_communication_changed"();
-- A send updates its row several times (attempts, provider id, times): only what the funnel counts refreshes.
CREATE TRIGGER "Communication_funnel_update" AFTER UPDATE OF "status", "channel", "createdAt", "caseId" ON "Communication"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."channel" IS DISTINCT FROM NEW."channel"
                     OR OLD."createdAt" IS DISTINCT FROM NEW."createdAt" OR OLD."caseId" IS DISTINCT FROM NEW."caseId")
  EXECUTE FUNCTION "funnel_communication_changed"();

-- A case given another strategy version or arm moves its communications to its new group.
CREATE FUNCTION "funnel_case_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d RECORD;
BEGIN
  FOR d IN
    SELECT g.day, g."channel", g."status", side."strategyId", side."arm", g.n * side.sign AS n
    FROM (SELECT "createdAt"::date AS day, "channel", "status", COUNT(*)::int AS n FROM "Communication" WHERE "caseId" = NEW."id" GROUP BY 1, 2, 3) g
    CROSS JOIN (VALUES (OLD."strategyId", OLD."arm", -1), (NEW."strategyId", NEW."arm", 1)) AS side("strategyId", "arm", sign)
    ORDER BY json_build_array(g.day, g."channel", g."status", side."strategyId", side."arm")::text
  LOOP
    PERFORM "funnel_communication_add"(d.day, d."channel", d."status", d."strategyId", d."arm", d.n);
  END LOOP;
  RETURN NULL;
END
$$;
CREATE TRIGGER "Case_funnel_update" AFTER UPDATE OF "strategyId", "arm" ON "Case"
  FOR EACH ROW WHEN (OLD."strategyId" IS DISTINCT FROM NEW."strategyId" OR OLD."arm" IS DISTINCT FROM NEW."arm")
  EXECUTE FUNCTION "funnel_case_changed"();

-- Every communication's group from the rows: the backfill, and after a TRUNCATE (which fires no row trigger).
CREATE FUNCTION "funnel_rebuild"() RETURNS void LANGUAGE sql AS $$
  DELETE FROM "FunnelCommunication";
  INSERT INTO "FunnelCommunication" ("key", "day", "channel", "status", "strategyId", "arm", "count")
    SELECT json_build_array(m."createdAt"::date, m."channel", m."status", c."strategyId", c."arm")::text,
           m."createdAt"::date, m."channel", m."status", c."strategyId", c."arm", COUNT(*)
    FROM "Communication" m JOIN "Case" c ON c."id" = m."caseId"
    GROUP BY m."createdAt"::date, m."channel", m."status", c."strategyId", c."arm";
$$;
CREATE FUNCTION "funnel_truncated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "funnel_rebuild"();
  RETURN NULL;
END
$$;
CREATE TRIGGER "Communication_funnel_truncate" AFTER TRUNCATE ON "Communication" FOR EACH STATEMENT EXECUTE FUNCTION "funnel_truncated"();
CREATE TRIGGER "Case_funnel_truncate" AFTER TRUNCATE ON "Case" FOR EACH STATEMENT EXECUTE FUNCTION "funnel_truncated"();

-- Backfill from the rows already there.
SELECT "funnel_rebuild"();

-- CreateTable
CREATE TABLE "RollRateCases" (
    "key" TEXT NOT NULL,
    "dueSince" DATE NOT NULL,
    "startedMonth" DATE NOT NULL,
    "closedMonth" DATE,
    "cases" INTEGER NOT NULL,

    CONSTRAINT "RollRateCases_pkey" PRIMARY KEY ("key")
);

-- The roll-rate report's cases (records/roll-rate-aggregates.ts), kept by triggers on Case and
-- Account: a case counts once, by the day it became delinquent (its start less its days past due
-- at placement, as AgingCase), the month it started and the month it closed.
LOCK TABLE "Account" IN SHARE ROW EXCLUSIVE MODE;

CREATE FUNCTION "roll_rate_add"(p_due DATE, p_started TIMESTAMP(3), p_closed TIMESTAMP(3), p_cases INTEGER) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "RollRateCases" ("key", "dueSince", "startedMonth", "closedMonth", "cases")
  VALUES (json_build_array(p_due, date_trunc('month', p_started)::date, date_trunc('month', p_closed)::date)::text,
          p_due, date_trunc('month', p_started)::date, date_trunc('month', p_closed)::date, p_cases)
  ON CONFLICT ("key") DO UPDATE SET "cases" = "RollRateCases"."cases" + EXCLUDED."cases"
$$;
CREATE FUNCTION "roll_rate_case_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d RECORD;
BEGIN
  FOR d IN
    SELECT m."startedAt"::date - a."daysPastDue" AS due, m."startedAt", m."closedAt", m.n
    FROM (SELECT OLD."startedAt", OLD."closedAt", OLD."accountId", -1 AS n WHERE TG_OP IN ('UPDATE', 'DELETE')
          UNION ALL
          SELECT NEW."startedAt", NEW."closedAt", NEW."accountId", 1 WHERE TG_OP IN ('INSERT', 'UPDATE')) m
    JOIN "Account" a ON a."id" = m."accountId"
    ORDER BY json_build_array(m."startedAt"::date - a."daysPastDue", date_trunc('month', m."startedAt")::date, date_trunc('month', m."closedAt")::date)::text
  LOOP
    PERFORM "roll_rate_add"(d.due, d."startedAt", d."closedAt", d.n);
  END LOOP;
  RETURN NULL;
END
$$;
CREATE TRIGGER "Case_roll_rate_insert_delete" AFTER INSERT OR DELETE ON "Case"
  FOR EACH ROW EXECUTE FUNCTION "roll_rate_case_changed"();
-- The projection names closedAt in every write: only a real change moves the case.
CREATE TRIGGER "Case_roll_rate_update" AFTER UPDATE OF "startedAt", "closedAt", "accountId" ON "Case"
  FOR EACH ROW WHEN (OLD."startedAt" IS DISTINCT FROM NEW."startedAt" OR OLD."closedAt" IS DISTINCT FROM NEW."closedAt" OR OLD."accountId" IS DISTINCT FROM NEW."accountId")
  EXECUTE FUNCTION "roll_rate_case_changed"();
CREATE FUNCTION "roll_rate_account_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d RECORD;
BEGIN
  FOR d IN
    SELECT c."startedAt"::date - side.dpd AS due, c."startedAt", c."closedAt", side.n
    FROM "Case" c CROSS JOIN (VALUES (OLD."daysPastDue", -1), (NEW."daysPastDue", 1)) AS side(dpd, n)
    WHERE c."accountId" = NEW."id"
    ORDER BY json_build_array(c."startedAt"::date - side.dpd, date_trunc('month', c."startedAt")::date, date_trunc('month', c."closedAt")::date)::text
  LOOP
    PERFORM "roll_rate_add"(d.due, d."startedAt", d."closedAt", d.n);
  END LOOP;
  RETURN NULL;
END
$$;
CREATE TRIGGER "Account_roll_rate" AFTER UPDATE OF "daysPastDue" ON "Account"
  FOR EACH ROW WHEN (OLD."daysPastDue" IS DISTINCT FROM NEW."daysPastDue")
  EXECUTE FUNCTION "roll_rate_account_changed"();

-- Every case from the rows: the backfill, and after a TRUNCATE.
CREATE FUNCTION "roll_rate_rebuild"() RETURNS void LANGUAGE sql AS $$
  DELETE FROM "RollRateCases";
  INSERT INTO "RollRateCases" ("key", "dueSince", "startedMonth", "closedMonth", "cases")
    SELECT json_build_array(g.due, g.started, g.closed)::text, g.due, g.started, g.closed, g.n
    FROM (SELECT c."startedAt"::date - a."daysPastDue" AS due, date_trunc('month', c."startedAt")::date AS started, date_trunc('month', c."closedAt")::date AS closed, COUNT(*)::int AS n
          FROM "Case" c JOIN "Account" a ON a."id" = c."accountId" GROUP BY 1, 2, 3) g;
$$;
CREATE FUNCTION "roll_rate_truncated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "roll_rate_rebuild"();
  RETURN NULL;
END
$$;
CREATE TRIGGER "Case_roll_rate_truncate" AFTER TRUNCATE ON "Case" FOR EACH STATEMENT EXECUTE FUNCTION "roll_rate_truncated"();

SELECT "roll_rate_rebuild"();
