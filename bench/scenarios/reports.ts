import { randomUUID } from 'node:crypto';
import type { ScenarioResult } from '../results.js';
import { consumerEarlyDefinition, saveStrategy } from '../lib/bench-strategies.js';
import { progress } from '../lib/log.js';
import { seedProjection } from '../lib/seed-projection.js';
import type { BenchStack } from '../lib/stack.js';
import { percentiles, round, since } from '../lib/stats.js';

/**
 * Scenario 5: read-side latency with a large projection. Cases are seeded straight into
 * PostgreSQL, then every GET route under /api/v1/reports that the API's OpenAPI document lists
 * is timed (whatever reports exist when the bench runs), and the case list with its filters.
 */

export interface ReportOptions {
  cases: number;
  /** Timed requests per route, after two warm-up requests. */
  requests: number;
}

interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: { type?: string; format?: string; enum?: unknown[]; default?: unknown; minimum?: number };
}

interface OpenApiDocument {
  paths?: Record<string, Record<string, { parameters?: OpenApiParameter[] }>>;
}

/** A value for a required parameter, guessed from its schema and name; undefined when unsure. */
function valueFor(parameter: OpenApiParameter, strategyKey: string): string | undefined {
  const { name, schema = {} } = parameter;
  const endish = /(^to$|until|end|before)/i.test(name);
  if (schema.enum && schema.enum.length > 0) return String(schema.enum[0]);
  if (schema.default !== undefined) return typeof schema.default === 'string' ? schema.default : JSON.stringify(schema.default);
  if (/strategy|key/i.test(name)) return strategyKey;
  const yearAgo = new Date(Date.now() - 365 * 86_400_000);
  const at = endish ? new Date() : yearAgo;
  if (schema.format === 'date-time' || /at$|since|from/i.test(name)) return at.toISOString();
  if (schema.format === 'date') return at.toISOString().slice(0, 10);
  if (schema.type === 'integer' || schema.type === 'number') return String(schema.minimum ?? 30);
  return undefined;
}

/** The report routes' URLs with their required parameters filled, or why a route was skipped. */
export function reportUrls(document: OpenApiDocument, strategyKey: string): { urls: string[]; skipped: string[] } {
  const urls: string[] = [];
  const skipped: string[] = [];
  for (const [route, methods] of Object.entries(document.paths ?? {})) {
    const operation = methods.get;
    if (!route.startsWith('/api/v1/reports') || !operation) continue;
    let url = route;
    const query = new URLSearchParams();
    let missing: string | undefined;
    for (const parameter of operation.parameters ?? []) {
      if (parameter.in !== 'path' && !parameter.required) continue;
      const value = valueFor(parameter, strategyKey);
      if (value === undefined) {
        missing = parameter.name;
        break;
      }
      if (parameter.in === 'path') url = url.replace(`{${parameter.name}}`, encodeURIComponent(value));
      else if (parameter.in === 'query') query.set(parameter.name, value);
    }
    if (missing) skipped.push(`${route} (cannot fill required parameter "${missing}")`);
    else urls.push(query.size > 0 ? `${url}?${query.toString()}` : url);
  }
  return { urls, skipped };
}

export async function reportQueries(stack: BenchStack, { cases, requests }: ReportOptions): Promise<ScenarioResult> {
  const run = randomUUID().slice(0, 8);
  const strategies = [];
  for (const arm of ['a', 'b', 'c']) strategies.push(await saveStrategy(stack, consumerEarlyDefinition(`bench-report-${arm}-${run}`)));
  const seedStart = performance.now();
  await seedProjection(stack, { count: cases, strategies, label: run });
  const seedMs = since(seedStart);
  progress(`reports: ${cases} cases seeded in ${Math.round(seedMs / 1000)} s; timing the routes`);

  const document = (await (await fetch(`${stack.baseUrl}/openapi.json`)).json()) as OpenApiDocument;
  const key = strategies[0]!.key;
  const { urls: reports, skipped } = reportUrls(document, key);
  const caseLists = [
    '/api/v1/cases',
    '/api/v1/cases?status=open',
    `/api/v1/cases?strategy=${key}`,
    '/api/v1/cases?step=letter',
    '/api/v1/cases?officer=officer-3',
    `/api/v1/cases?status=closed&strategy=${key}&limit=200`,
  ];

  const figures: Record<string, number> = { seeded_cases: cases, seed_s: round(seedMs / 1000, 1) };
  const failures: string[] = [];
  for (const url of [...reports, ...caseLists]) {
    const latencies: number[] = [];
    let failed: string | undefined;
    for (let attempt = 0; attempt < requests + 2 && !failed; attempt++) {
      const begin = performance.now();
      const { status, body } = await stack.call('GET', url);
      if (status !== 200) failed = `${url} answered ${status}: ${JSON.stringify(body).slice(0, 200)}`;
      else if (attempt >= 2) latencies.push(since(begin));
    }
    if (failed) {
      failures.push(failed);
      continue;
    }
    const { p50, p95 } = percentiles(latencies);
    const name = url.replace(/^\/api\/v1\//, '').replace(new RegExp(run, 'g'), '<run>');
    figures[`${name} p50_ms`] = round(p50);
    figures[`${name} p95_ms`] = round(p95);
  }

  const notes = [
    `projection seeded with INSERT ... SELECT over generate_series (3 strategies; 55% open, 5% paused, 40% closed; payments, communications, tasks, placements, one audit event per case)`,
    `report routes found in /openapi.json: ${reports.length === 0 ? 'none yet, so only the case list is timed' : reports.join(', ')}`,
    ...skipped.map((route) => `skipped ${route}`),
    ...failures.map((failure) => `failed: ${failure}`),
  ];
  return {
    id: 'reports',
    title: '5. Report queries on a large projection',
    settings: { seededCases: cases, requestsPerRoute: requests, sequential: true, role: 'manager' },
    figures,
    notes,
  };
}
