import { readdir, readFile } from 'node:fs/promises';
import { optionalBlocks, requiredBlocksFor, type OptionalBlock, type TemplateLanguage } from '../../domain/disclosures.js';
import {
  managedTemplateProblems,
  renderTemplate,
  sampleTemplateAccount,
  ZManagedTemplate,
  type TManagedTemplate,
} from '../../domain/template-definition.js';
import type { TemplateAccount } from '../../domain/templates.js';
import type { Db } from '../../lib/db.js';
import { managedTemplate } from '../../records/templates.js';
import { notFound, unprocessable } from '../errors.js';

/**
 * Managed templates: each save becomes the next immutable version of its key and language,
 * validated first (fields, required content, SMS length). One version per key and language is
 * active at a time; sends use it unless a step pins a version.
 */

type TemplateRow = Awaited<ReturnType<Db['template']['findFirstOrThrow']>>;

export function templateView(row: TemplateRow) {
  return {
    id: row.id,
    key: row.key,
    language: row.language,
    version: row.version,
    channel: row.channel,
    subject: row.subject,
    body: row.body,
    requires: row.requiredBlocks.filter((block): block is OptionalBlock => (optionalBlocks as readonly string[]).includes(block)),
    requiredBlocks: row.requiredBlocks,
    status: row.status,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    activatedAt: row.activatedAt?.toISOString() ?? null,
  };
}
export type TemplateView = ReturnType<typeof templateView>;

function refuse(problems: { path: string; message: string }[]) {
  return unprocessable(
    'invalid_template',
    `the template has ${problems.length} problem(s): ${problems.map((problem) => problem.message).join('; ')}`,
    problems.map((problem) => ({ path: `body.${problem.path}`, message: problem.message })),
  );
}

/** Validates and stores `input` as the next version of its key and language. */
export async function createTemplateVersion({
  db,
  input,
  actor,
  maxSmsSegments,
}: {
  db: Db;
  input: unknown;
  actor: string;
  maxSmsSegments: number;
}): Promise<TemplateView> {
  const parsed = ZManagedTemplate.safeParse(input);
  if (!parsed.success) {
    throw refuse(parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })));
  }
  const template = parsed.data;
  const problems = managedTemplateProblems(template, { maxSmsSegments });
  if (problems.length > 0) throw refuse(problems);

  const row = await db.$transaction(
    async (tx) => {
      const versions = await tx.template.findMany({ where: { key: template.key }, select: { channel: true, language: true, version: true } });
      const otherChannel = versions.find((version) => version.channel !== template.channel);
      if (otherChannel) {
        throw refuse([{ path: 'channel', message: `template "${template.key}" is a ${otherChannel.channel} template; use another key for ${template.channel}` }]);
      }
      const latest = Math.max(0, ...versions.filter((version) => version.language === template.language).map((version) => version.version));
      const now = new Date();
      if (template.status === 'active') {
        await tx.template.updateMany({ where: { key: template.key, language: template.language, status: 'active' }, data: { status: 'retired' } });
      }
      const created = await tx.template.create({
        data: {
          key: template.key,
          language: template.language,
          version: latest + 1,
          channel: template.channel,
          subject: template.subject ?? null,
          body: template.body,
          requiredBlocks: requiredBlocksFor(template.channel, template.requires),
          status: template.status,
          createdBy: actor,
          activatedAt: template.status === 'active' ? now : null,
        },
      });
      await tx.auditEvent.create({
        data: { actor, action: 'template_created', data: { key: created.key, language: created.language, version: created.version, status: created.status } },
      });
      return created;
    },
    { isolationLevel: 'Serializable' },
  );
  return templateView(row);
}

/** Makes one version the active one of its key and language (the others retire). */
export async function activateTemplateVersion({ db, key, language, version, actor }: { db: Db; key: string; language: string; version: number; actor: string }) {
  const row = await db.$transaction(async (tx) => {
    const target = await tx.template.findUnique({ where: { key_language_version: { key, language, version } } });
    if (!target) throw notFound(`version ${version} of template "${key}" in ${language}`);
    await tx.template.updateMany({ where: { key, language, status: 'active', NOT: { id: target.id } }, data: { status: 'retired' } });
    const activated = await tx.template.update({ where: { id: target.id }, data: { status: 'active', activatedAt: new Date() } });
    await tx.auditEvent.create({ data: { actor, action: 'template_activated', data: { key, language, version } } });
    return activated;
  });
  return templateView(row);
}

/** The newest version of every key and language, optionally filtered. */
export async function listTemplates(db: Db, filter: { channel?: string | undefined; language?: string | undefined }) {
  const rows = await db.template.findMany({
    where: { ...(filter.channel ? { channel: filter.channel } : {}), ...(filter.language ? { language: filter.language } : {}) },
    orderBy: [{ key: 'asc' }, { language: 'asc' }, { version: 'desc' }],
    distinct: ['key', 'language'],
  });
  return rows.map(templateView);
}

/** Every version of a key, in every language, newest first. */
export async function templateVersions(db: Db, key: string) {
  const rows = await db.template.findMany({ where: { key }, orderBy: [{ language: 'asc' }, { version: 'desc' }] });
  if (rows.length === 0) throw notFound(`template "${key}"`);
  return rows.map(templateView);
}

export interface PreviewRequest {
  language?: TemplateLanguage | undefined;
  version?: number | undefined;
  /** Overrides of the sample account. */
  account?: { name?: string | undefined; balance?: number | undefined; currency?: string | undefined; externalId?: string | undefined; creditor?: string | undefined } | undefined;
  /** An unsaved draft to render and check instead of a stored version. */
  draft?: Omit<TManagedTemplate, 'key' | 'language' | 'status'> & { status?: TManagedTemplate['status'] } | undefined;
}

/** Renders a stored version (the active one by default) or a draft with a sample account, with its problems. */
export async function previewTemplate({ db, key, request, maxSmsSegments }: { db: Db; key: string; request: PreviewRequest; maxSmsSegments: number }) {
  const language = request.language ?? 'en';
  let template: TManagedTemplate;
  let version: number | null = null;
  if (request.draft) {
    template = { ...request.draft, key, language, status: request.draft.status ?? 'draft' };
  } else {
    const row = await managedTemplate(db, { key, language, version: request.version });
    if (!row) throw notFound(`${request.version ? `version ${request.version} of ` : 'an active '}template "${key}" in ${language}`);
    version = row.version;
    template = {
      key,
      language,
      channel: row.channel as TManagedTemplate['channel'],
      body: row.body,
      ...(row.subject ? { subject: row.subject } : {}),
      requires: templateView(row).requires,
      status: 'active',
    };
  }
  const overrides = request.account ?? {};
  const account: TemplateAccount = {
    ...sampleTemplateAccount,
    ...(overrides.externalId ? { externalId: overrides.externalId } : {}),
    ...(overrides.currency ? { currency: overrides.currency } : {}),
    ...(overrides.balance !== undefined ? { balance: overrides.balance } : {}),
    debtor: { name: overrides.name ?? sampleTemplateAccount.debtor.name },
    ...(overrides.creditor ? { creditor: { name: overrides.creditor } } : {}),
  };
  const rendered = renderTemplate(template, { account });
  return {
    key,
    language,
    version,
    channel: template.channel,
    ...rendered,
    problems: managedTemplateProblems(template, { maxSmsSegments }),
  };
}

/**
 * Stores the example templates (examples/templates/*.json, English and Spanish) that are not
 * there yet; safe to run on every start. Returns what it created.
 */
export async function seedTemplates(db: Db, { maxSmsSegments = 3 }: { maxSmsSegments?: number } = {}): Promise<{ created: string[] }> {
  const folder = new URL('../../examples/templates/', import.meta.url);
  const created: string[] = [];
  for (const file of (await readdir(folder)).filter((name) => name.endsWith('.json')).sort()) {
    const entries = JSON.parse(await readFile(new URL(file, folder), 'utf8')) as { key: string; language: string }[];
    for (const entry of entries) {
      const exists = await db.template.count({ where: { key: entry.key, language: entry.language } });
      if (exists) continue;
      const view = await createTemplateVersion({ db, input: entry, actor: 'seed', maxSmsSegments });
      created.push(`${view.key}/${view.language}`);
    }
  }
  return { created };
}
