// `npm run docs:strategy`: writes docs/strategy-language.md from the hand-written guide
// (docs/strategy-language.intro.md) and a reference generated from the strategy schema itself
// (domain/strategy.ts: each field's `.describe()` text). test/domain/strategy-docs.test.ts fails
// when the committed file differs from what this writes, so the reference cannot drift.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ZStrategyDefinition } from '../domain/strategy.js';

export const strategyDocPaths = {
  intro: fileURLToPath(new URL('../docs/strategy-language.intro.md', import.meta.url)),
  output: fileURLToPath(new URL('../docs/strategy-language.md', import.meta.url)),
};

/** The part of JSON Schema that zod emits for the strategy schema and this page reads. */
interface JsonSchema {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
}

interface Section {
  path: string;
  schema: JsonSchema;
}

/** Objects waiting for their table; an object already shown (the same shape) is linked, not repeated. */
class Sections {
  readonly queue: Section[] = [];
  private readonly shown = new Map<string, string>();

  /** The heading that documents `schema`, queueing it the first time. */
  add(path: string, schema: JsonSchema): string {
    const key = JSON.stringify(schema);
    const known = this.shown.get(key);
    if (known) return known;
    this.shown.set(key, path);
    this.queue.push({ path, schema });
    return path;
  }
}

const code = (value: unknown) => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
/** The anchor GitHub gives a heading: lowercase, punctuation dropped, spaces as hyphens. */
const anchor = (heading: string) => heading.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
const isObject = (schema: JsonSchema) => schema.type === 'object' && schema.properties !== undefined;

function bounds(schema: JsonSchema): string[] {
  const notes: string[] = [];
  if (schema.minimum !== undefined && schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER) {
    notes.push(`${schema.minimum}–${schema.maximum}`);
  } else if (schema.minimum !== undefined) {
    notes.push(`≥ ${schema.minimum}`);
  }
  if (schema.minLength !== undefined && schema.maxLength !== undefined) notes.push(`${schema.minLength}–${schema.maxLength} chars`);
  else if (schema.maxLength !== undefined) notes.push(`≤ ${schema.maxLength} chars`);
  else if (schema.minLength !== undefined && schema.minLength > 1) notes.push(`≥ ${schema.minLength} chars`);
  else if (schema.minLength === 1) notes.push('not empty');
  if (schema.pattern) notes.push(`matching ${code(schema.pattern)}`);
  if (schema.minItems !== undefined) notes.push(`at least ${schema.minItems}`);
  if (schema.maxItems !== undefined) notes.push(`at most ${schema.maxItems}`);
  return notes;
}

/** A field's type in words, queueing the nested objects that get their own table. */
function typeOf(schema: JsonSchema, fieldPath: string, queue: Sections): string {
  if (schema.anyOf) return schema.anyOf.map((option) => typeOf(option, fieldPath, queue)).join(', or ');
  if (schema.enum) return `one of ${schema.enum.map(code).join(', ')}`;
  if (schema.const !== undefined) return code(schema.const);
  if (isObject(schema)) {
    const heading = queue.add(fieldPath, schema);
    return `object, see [${heading}](#${anchor(heading)})`;
  }
  if (schema.type === 'object' && typeof schema.additionalProperties === 'object') {
    const key = schema.propertyNames ? `name (${bounds(schema.propertyNames).join(', ')})` : 'name';
    return `map of ${key} to ${typeOf(schema.additionalProperties, `${fieldPath}.NAME`, queue)}`;
  }
  if (schema.type === 'array' && schema.items) {
    const notes = bounds(schema);
    return `list${notes.length ? ` (${notes.join(', ')})` : ''} of ${typeOf(schema.items, `${fieldPath}[]`, queue)}`;
  }
  const notes = bounds(schema);
  return `${schema.type ?? 'any'}${notes.length ? ` (${notes.join(', ')})` : ''}`;
}

/** What a field's parts say of themselves: list items, and the options of a choice that get no table. */
function partsMeaning(field: JsonSchema): string[] {
  if (field.items?.description && !isObject(field.items)) return [`Each: ${field.items.description}`];
  return (field.anyOf ?? []).filter((option) => option.description && !isObject(option)).map((option) => `As a ${option.type ?? 'value'}: ${option.description ?? ''}`);
}

function table({ path: sectionPath, schema }: Section, queue: Sections): string {
  const lines = [`### ${sectionPath}`, ''];
  if (schema.description) lines.push(schema.description, '');
  lines.push('| field | type | required / default | meaning |', '| --- | --- | --- | --- |');
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const required = schema.required?.includes(name) && field.default === undefined;
    const presence = field.default !== undefined ? `default ${code(field.default)}` : required ? 'required' : 'optional';
    const type = typeOf(field, sectionPath === 'strategy' ? name : `${sectionPath}.${name}`, queue);
    const meaning = [field.description ?? '', ...partsMeaning(field)].filter(Boolean).join(' ');
    lines.push(`| ${code(name)} | ${cell(type)} | ${cell(presence)} | ${cell(meaning)} |`);
  }
  return lines.join('\n');
}

/** The reference: one table per object of the strategy schema, breadth first from the top. */
export function strategyReference(): string {
  const root = z.toJSONSchema(ZStrategyDefinition, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const sections = new Sections();
  sections.add('strategy', root);
  const tables: string[] = [];
  for (let section = sections.queue.shift(); section; section = sections.queue.shift()) tables.push(table(section, sections));
  return [
    '## Reference',
    '',
    'Generated from the schema in `domain/strategy.ts` and `domain/negotiation-policy.ts`; every rule it states is checked when a',
    'strategy is saved, together with the cross-field rules and lint listed above.',
    '',
    tables.join('\n\n'),
  ].join('\n');
}

/** The whole page, as `npm run docs:strategy` writes it. */
export function strategyLanguageDoc(intro: string = readFileSync(strategyDocPaths.intro, 'utf8')): string {
  const banner =
    '<!-- Generated by `npm run docs:strategy` from docs/strategy-language.intro.md and the schema in domain/strategy.ts. ' +
    'Edit those, not this file. -->';
  return `${banner}\n\n${intro.trim()}\n\n${strategyReference()}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(strategyDocPaths.output, strategyLanguageDoc());
  process.stdout.write(`wrote ${path.relative(process.cwd(), strategyDocPaths.output)}\n`);
}
