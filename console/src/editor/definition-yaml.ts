import { stringify } from 'yaml';

/**
 * A stored definition as the YAML a manager reads: the database keeps JSON with its keys in its
 * own order (PostgreSQL jsonb sorts them by length), so put them back in the order people write.
 */

const topOrder = ['key', 'name', 'description', 'templates', 'steps', 'negotiation', 'contact', 'on'];
const stepOrder = ['id', 'at', 'action', 'template', 'agency', 'note', 'when', 'fallback'];
const templateOrder = ['channel', 'subject', 'body'];

type Fields = Record<string, unknown>;
const isFields = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

function ordered(fields: Fields, order: readonly string[]): Fields {
  const known = order.filter((key) => key in fields).map((key): [string, unknown] => [key, fields[key]]);
  return Object.fromEntries([...known, ...Object.entries(fields).filter(([key]) => !order.includes(key))]);
}

export function definitionYaml(definition: Fields): string {
  const top = ordered(definition, topOrder);
  if (isFields(top.templates)) top.templates = Object.fromEntries(Object.entries(top.templates).map(([name, template]) => [name, isFields(template) ? ordered(template, templateOrder) : template]));
  if (Array.isArray(top.steps)) top.steps = top.steps.map((step: unknown) => (isFields(step) ? ordered(step, stepOrder) : step));
  return stringify(top, { lineWidth: 0 });
}
