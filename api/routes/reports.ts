import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { downloadMediaTypes, sendTable } from '../downloads.js';
import { errorResponses, inMediaTypes } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import type { SyncTable } from '../services/tables.js';
import { agingTable, agingReport, ZAgingReport } from '../services/reports/aging.js';
import { asOf, ZReportQuery, type ReportFormat } from '../services/reports/as-of.js';
import { funnelTable, funnelReport, ZFunnelReport } from '../services/reports/funnel.js';
import { liquidationTable, liquidationReport, ZLiquidationReport } from '../services/reports/liquidation.js';
import { officerTable, officerReport, ZOfficerReport } from '../services/reports/officers.js';
import { period, ZPeriodQuery } from '../services/reports/period.js';
import { recoveryTable, recoveryDimensions, recoveryReport, ZRecoveryReport, type RecoveryDimension } from '../services/reports/recovery.js';
import { rollRateTable, rollRateReport, ZRollRateReport } from '../services/reports/roll-rates.js';
import { reportScopeOf } from '../services/reports/scope.js';

/**
 * The reports a collections manager runs the business on, read from the database projection
 * (never from Temporal's visibility store). Every report takes `asOf` (YYYY-MM-DD, end of day
 * UTC) and `format=json|csv|xlsx`. A key with a team (an officer's, typically) gets the figures of its
 * team's cases only, as in every case list (api/access.ts), and a key with a client the cases of
 * that client's portfolios (api/services/reports/scope.ts); other keys see every case.
 */

const readers = ['manager', 'auditor', 'admin', 'officer'] as const;

/** The report as JSON, or its table as a CSV or .xlsx download named after the report and its date. */
function answer<R extends { asOf: string }>(reply: FastifyReply, format: ReportFormat, name: string, report: R, table: (report: R) => SyncTable) {
  return format === 'json' ? report : sendTable(reply, { format, filename: `${name}-${report.asOf}`, table: table(report) });
}

const csvOr = <T extends z.ZodType>(schema: T) => inMediaTypes({ 'application/json': schema, ...downloadMediaTypes });

const ZGroupBy = z
  .string()
  .max(100)
  .default('strategy')
  .transform((value, ctx) => {
    const names = value.split(',').map((name) => name.trim()).filter(Boolean);
    const unknown = names.filter((name) => !(recoveryDimensions as readonly string[]).includes(name));
    if (unknown.length > 0) {
      ctx.addIssue({ code: 'custom', message: `unknown dimension(s) ${unknown.join(', ')}; use any of ${recoveryDimensions.join(', ')}` });
      return z.NEVER;
    }
    return names as RecoveryDimension[];
  })
  .describe(`comma-separated: ${recoveryDimensions.join(', ')}`);

export function reportRoutes({ db }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/reports/recovery',
      {
        config: { roles: readers },
        schema: {
          tags: ['reports'],
          summary: 'Recovery rate (collected / placed) by strategy, version, arm, portfolio and placement cohort',
          querystring: ZReportQuery.extend({ groupBy: ZGroupBy }),
          response: { 200: csvOr(ZRecoveryReport), ...errorResponses },
        },
      },
      async (request, reply) => {
        const report = await recoveryReport({ db, at: asOf(request.query.asOf), groupBy: request.query.groupBy, scope: reportScopeOf(request) });
        return answer(reply, request.query.format, 'recovery', report, recoveryTable);
      },
    );

    app.get(
      '/api/v1/reports/aging',
      {
        config: { roles: readers },
        schema: {
          tags: ['reports'],
          summary: 'Open cases and balances by days past due: current, 1-30, 31-60, 61-90, 91-120, 121-180, 180+',
          querystring: ZReportQuery,
          response: { 200: csvOr(ZAgingReport), ...errorResponses },
        },
      },
      async (request, reply) => {
        const report = await agingReport({ db, at: asOf(request.query.asOf), scope: reportScopeOf(request) });
        return answer(reply, request.query.format, 'aging', report, agingTable);
      },
    );

    app.get(
      '/api/v1/reports/roll-rates',
      {
        config: { roles: readers },
        schema: {
          tags: ['reports'],
          summary: 'How cases moved between aging buckets from one month-end to the next',
          querystring: ZReportQuery,
          response: { 200: csvOr(ZRollRateReport), ...errorResponses },
        },
      },
      async (request, reply) => {
        const report = await rollRateReport({ db, at: asOf(request.query.asOf), scope: reportScopeOf(request) });
        return answer(reply, request.query.format, 'roll-rates', report, rollRateTable);
      },
    );

    app.get(
      '/api/v1/reports/liquidation',
      {
        config: { roles: readers },
        schema: {
          tags: ['reports'],
          summary: 'Liquidation curves: cumulative % collected by months since placement, per placement cohort',
          querystring: ZReportQuery,
          response: { 200: csvOr(ZLiquidationReport), ...errorResponses },
        },
      },
      async (request, reply) => {
        const report = await liquidationReport({ db, at: asOf(request.query.asOf), scope: reportScopeOf(request) });
        return answer(reply, request.query.format, 'liquidation', report, liquidationTable);
      },
    );

    app.get(
      '/api/v1/reports/funnel',
      {
        config: { roles: readers },
        schema: {
          tags: ['reports'],
          summary: 'Contact and outcome funnel: attempts, deliveries, right-party contacts, promises, plans, disputes, opt-outs, holds, and the debtor page per strategy and arm (messages sent → links opened → identity confirmed → paid / plan / promise / dispute)',
          querystring: ZPeriodQuery,
          response: { 200: csvOr(ZFunnelReport), ...errorResponses },
        },
      },
      async (request, reply) => {
        const report = await funnelReport({ db, range: period(asOf(request.query.asOf), request.query.from), scope: reportScopeOf(request) });
        return answer(reply, request.query.format, 'funnel', report, funnelTable);
      },
    );

    app.get(
      '/api/v1/reports/officers',
      {
        config: { roles: readers },
        schema: {
          tags: ['reports'],
          summary: 'Officer performance: tasks worked, outcomes by kind, arrangements kept, money collected on them',
          querystring: ZPeriodQuery,
          response: { 200: csvOr(ZOfficerReport), ...errorResponses },
        },
      },
      async (request, reply) => {
        const report = await officerReport({ db, range: period(asOf(request.query.asOf), request.query.from), scope: reportScopeOf(request) });
        return answer(reply, request.query.format, 'officers', report, officerTable);
      },
    );
  };
}
