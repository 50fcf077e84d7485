import { z } from 'zod';
import { ZAccountEnrollment, type TAccountEnrollment } from './account.js';
import { textProblem, textProblems, wellFormed } from './well-formed-text.js';

/**
 * One row of a bulk import, from a CSV line or a JSON line to a validated enrollment, with every
 * problem named by the column (CSV) or the field path (JSON Lines) a person can fix. Pure: the
 * import service adds what needs the database (duplicates across the file, strategy existence).
 */

/** A problem with one row: which column or field, and why. */
export interface RowProblem {
  field: string;
  reason: string;
}

export type RowResult =
  | { ok: true; account: TAccountEnrollment }
  | { ok: false; problems: RowProblem[]; externalId: string | undefined };

/** The flat CSV columns and where each lands in the enrollment shape. */
export const csvColumns = {
  externalId: ['externalId'],
  strategy: ['strategy'],
  currency: ['currency'],
  balance: ['balance'],
  daysPastDue: ['daysPastDue'],
  portfolio: ['portfolio'],
  team: ['team'],
  timeBarred: ['timeBarred'],
  debtGroup: ['debtGroup'],
  accountLast4: ['accountLast4'],
  birthDate: ['debtor', 'birthDate'],
  debtorExternalId: ['debtor', 'externalId'],
  debtorName: ['debtor', 'name'],
  email: ['debtor', 'email'],
  phone: ['debtor', 'phone'],
  timeZone: ['debtor', 'timeZone'],
  smsConsent: ['debtor', 'smsConsent'],
  emailConsent: ['debtor', 'emailConsent'],
  whatsapp: ['debtor', 'whatsapp'],
  whatsappOptIn: ['debtor', 'whatsappOptIn'],
  language: ['debtor', 'language'],
  addressLine1: ['debtor', 'address', 'line1'],
  addressLine2: ['debtor', 'address', 'line2'],
  city: ['debtor', 'address', 'city'],
  region: ['debtor', 'address', 'region'],
  postalCode: ['debtor', 'address', 'postalCode'],
  country: ['debtor', 'address', 'country'],
} as const satisfies Record<string, readonly string[]>;
export type CsvColumn = keyof typeof csvColumns;

/** Columns a CSV header must have; `strategy` may be left out when the import names a default. */
export const requiredCsvColumns: readonly CsvColumn[] = ['externalId', 'currency', 'balance', 'debtorName', 'timeZone'];

const columnByPath = new Map<string, CsvColumn>(Object.entries(csvColumns).map(([column, path]) => [path.join('.'), column as CsvColumn]));
const addressColumns: readonly CsvColumn[] = ['addressLine1', 'addressLine2', 'city', 'region', 'postalCode', 'country'];

/** Checks a CSV header and maps each position to its column (case-insensitive names). */
export function csvHeader(
  cells: readonly string[],
  { defaultStrategy }: { defaultStrategy?: string | undefined } = {},
): { ok: true; columns: CsvColumn[] } | { ok: false; problems: RowProblem[] } {
  const known = new Map(Object.keys(csvColumns).map((column) => [column.toLowerCase(), column as CsvColumn]));
  const problems: RowProblem[] = [];
  const columns: CsvColumn[] = [];
  cells.forEach((cell, index) => {
    const column = known.get(cell.trim().toLowerCase());
    if (!column) problems.push({ field: cell.trim() || `column ${index + 1}`, reason: `unknown column; known columns: ${Object.keys(csvColumns).join(', ')}` });
    else if (columns.includes(column)) problems.push({ field: column, reason: 'the column appears twice' });
    else columns.push(column);
  });
  const required = defaultStrategy ? requiredCsvColumns : [...requiredCsvColumns, 'strategy' as const];
  for (const column of required) {
    if (!columns.includes(column)) {
      const hint = column === 'strategy' ? ' (or name a default strategy for the import)' : '';
      problems.push({ field: column, reason: `required column is missing${hint}` });
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, columns };
}

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : typeof value === 'string' ? value.trim() : value);
const cell = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema);
const wholeNumber = (message: string) => z.string().regex(/^\d+$/, message).transform(Number);

const yesNo = z
  .string()
  .regex(/^(true|false|yes|no|y|n|1|0)$/i, 'must be yes or no (true/false, 1/0)')
  .transform((value) => /^(true|yes|y|1)$/i.test(value))
  .optional();

/** A CSV row as text cells: blanks are absent, numbers and yes/no are read, the rest stays text. */
export const ZCsvAccountRow = z.object({
  externalId: cell(z.string({ error: 'required' })),
  strategy: cell(z.string().optional()),
  currency: cell(z.string({ error: 'required' }).transform((value) => value.toUpperCase())),
  balance: cell(wholeNumber('must be a whole number of minor units (cents), e.g. 125000 for 1,250.00').pipe(z.number().max(Number.MAX_SAFE_INTEGER, 'is too large'))),
  daysPastDue: cell(wholeNumber('must be a whole number of days').optional()),
  portfolio: cell(z.string().optional()),
  team: cell(z.string().optional()),
  debtGroup: cell(z.string().optional()),
  accountLast4: cell(z.string().optional()),
  birthDate: cell(z.string().optional()),
  debtorExternalId: cell(z.string().optional()),
  debtorName: cell(z.string({ error: 'required' })),
  email: cell(z.string().optional()),
  phone: cell(z.string().optional()),
  timeZone: cell(z.string({ error: 'required' })),
  smsConsent: cell(yesNo),
  /** E-SIGN consent to electronic delivery of notices (the generated validation notice goes by email only with it). */
  emailConsent: cell(yesNo),
  whatsapp: cell(z.string().optional()),
  whatsappOptIn: cell(yesNo),
  language: cell(z.string().transform((value) => value.toLowerCase()).optional()),
  timeBarred: cell(yesNo),
  addressLine1: cell(z.string().optional()),
  addressLine2: cell(z.string().optional()),
  city: cell(z.string().optional()),
  region: cell(z.string().optional()),
  postalCode: cell(z.string().optional()),
  country: cell(z.string().transform((value) => value.toUpperCase()).optional()),
});
export type TCsvAccountRow = z.infer<typeof ZCsvAccountRow>;

/** An enrollment before its strategy is chosen: rows may leave the strategy to the import's default. */
export const ZImportAccount = ZAccountEnrollment.partial({ strategy: true });
export type TImportAccount = z.infer<typeof ZImportAccount>;

/** What strategy choice may use besides the row itself. Segment rules will join the default here. */
export interface StrategyChoiceContext {
  /** The import's default, for rows that name no strategy. */
  defaultStrategy?: string | undefined;
}

/**
 * The strategy key a new account starts with: the one its row names, else the import's default.
 * The one place to extend when segment rules exist (they would be tried before the default).
 */
export function chooseStrategyKey(row: TImportAccount, context: StrategyChoiceContext): { ok: true; key: string } | { ok: false; problem: RowProblem } {
  const key = row.strategy ?? context.defaultStrategy;
  if (key) return { ok: true, key };
  return { ok: false, problem: { field: 'strategy', reason: 'no strategy named on the row and no default strategy for the import' } };
}

function nestedAccount(row: TCsvAccountRow): Record<string, unknown> {
  const hasAddress = addressColumns.some((column) => row[column] !== undefined);
  return {
    externalId: row.externalId,
    strategy: row.strategy,
    currency: row.currency,
    balance: row.balance,
    daysPastDue: row.daysPastDue,
    portfolio: row.portfolio,
    team: row.team,
    timeBarred: row.timeBarred,
    debtGroup: row.debtGroup,
    accountLast4: row.accountLast4,
    debtor: {
      externalId: row.debtorExternalId,
      name: row.debtorName,
      email: row.email,
      phone: row.phone,
      timeZone: row.timeZone,
      smsConsent: row.smsConsent,
      emailConsent: row.emailConsent,
      whatsapp: row.whatsapp,
      whatsappOptIn: row.whatsappOptIn,
      language: row.language,
      birthDate: row.birthDate,
      address: hasAddress
        ? { line1: row.addressLine1, line2: row.addressLine2, city: row.city, region: row.region, postalCode: row.postalCode, country: row.country }
        : undefined,
    },
  };
}

type Issue = z.core.$ZodIssue;

/** One problem per field (several messages for one field are joined), named by `name`. */
function problemsOf(issues: readonly Issue[], name: (path: PropertyKey[]) => string): RowProblem[] {
  const byField = new Map<string, string[]>();
  for (const issue of issues) {
    const field = name(issue.path);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) byField.set(issue.path.length > 0 ? `${field}.${key}` : key, ['unknown field']);
      continue;
    }
    byField.set(field, [...(byField.get(field) ?? []), issue.message]);
  }
  return [...byField].map(([field, reasons]) => ({ field, reason: [...new Set(reasons)].join('; ') }));
}

/** The CSV column for a path into the enrollment shape (a whole address maps to its first line). */
function columnOf(path: PropertyKey[]): string {
  const segments = path.map(String);
  for (let length = segments.length; length > 0; length--) {
    const column = columnByPath.get(segments.slice(0, length).join('.'));
    if (column) return column;
  }
  return segments.join('.') === 'debtor.address' ? 'addressLine1' : segments.join('.') || 'row';
}

const jsonPath = (path: PropertyKey[]) => path.map(String).join('.') || 'row';

function finish(candidate: unknown, context: StrategyChoiceContext, name: (path: PropertyKey[]) => string, externalId: string | undefined): RowResult {
  const parsed = ZImportAccount.safeParse(candidate);
  if (!parsed.success) return { ok: false, problems: problemsOf(parsed.error.issues, name), externalId };
  const choice = chooseStrategyKey(parsed.data, context);
  if (!choice.ok) return { ok: false, problems: [choice.problem], externalId };
  return { ok: true, account: { ...parsed.data, strategy: choice.key } };
}

/** An external id as a rejected row reports it: repaired so the report itself can be stored. */
function reportable(externalId: string | undefined): string | undefined {
  return externalId ? wellFormed(externalId) : undefined;
}

/** A CSV record (cells in header order) to an enrollment, or its problems by column. */
export function importRowFromCsv(cells: readonly string[], columns: readonly CsvColumn[], context: StrategyChoiceContext): RowResult {
  const externalId = reportable(cells[columns.indexOf('externalId')]?.trim());
  if (cells.length !== columns.length) {
    return { ok: false, problems: [{ field: 'row', reason: `has ${cells.length} cells, the header has ${columns.length} columns` }], externalId };
  }
  // Refused as a single request would be (api/input-guards.ts): text PostgreSQL cannot store.
  const unstorable = columns.flatMap((field, index) => {
    const reason = textProblem(cells[index] ?? '');
    return reason ? [{ field, reason }] : [];
  });
  if (unstorable.length > 0) return { ok: false, problems: unstorable, externalId };
  const record = Object.fromEntries(columns.map((column, index) => [column, cells[index]]));
  const flat = ZCsvAccountRow.safeParse(record);
  if (!flat.success) return { ok: false, problems: problemsOf(flat.error.issues, (path) => String(path[0] ?? 'row')), externalId };
  return finish(nestedAccount(flat.data), context, columnOf, externalId);
}

/** A JSON line (an enrollment object, strategy optional) to an enrollment, or its problems by field path. */
export function importRowFromJson(line: string, context: StrategyChoiceContext): RowResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { ok: false, problems: [{ field: 'row', reason: `not valid JSON: ${(error as Error).message}` }], externalId: undefined };
  }
  const externalId = typeof value === 'object' && value && 'externalId' in value && typeof value.externalId === 'string' ? reportable(value.externalId.trim()) : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problems: [{ field: 'row', reason: 'must be a JSON object (one account per line)' }], externalId };
  }
  const unstorable = textProblems(value, { limit: 50 });
  if (unstorable.length > 0) return { ok: false, problems: unstorable.map(({ path, reason }) => ({ field: path.join('.') || 'row', reason })), externalId };
  return finish(value, context, jsonPath, externalId);
}
