/**
 * Text the engine can store: PostgreSQL's text and JSON cannot hold U+0000, and JSON refuses a
 * lone UTF-16 surrogate (half of a pair, e.g. `"\ud83d"` without its partner). Input with either
 * is refused where it enters (API, webhooks, imports); what is already inside (older histories)
 * is repaired when written ({@link wellFormedDeep}).
 */

export const nulReason = 'must not contain NUL (U+0000) characters';
export const loneSurrogateReason = 'contains ill-formed Unicode (a lone UTF-16 surrogate)';

// With the `u` flag a surrogate pair is one code point, so only a lone half matches.
const loneSurrogate = /[\uD800-\uDFFF]/u;
const unstorable = /[\u0000\uD800-\uDFFF]/gu;

/** Why `text` cannot be stored, or null when it can. */
export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return nulReason;
  return loneSurrogate.test(text) ? loneSurrogateReason : null;
}

export interface TextProblem {
  /** Path segments from the value's root (keys and array indexes). */
  path: string[];
  reason: string;
}

/** Every string (and object key) in `value` that cannot be stored, with its path; at most `limit`. */
export function textProblems(value: unknown, { limit = 10, maxDepth = 32 }: { limit?: number; maxDepth?: number } = {}): TextProblem[] {
  const problems: TextProblem[] = [];
  const visit = (item: unknown, path: string[]) => {
    if (problems.length >= limit || path.length > maxDepth) return;
    if (typeof item === 'string') {
      const reason = textProblem(item);
      if (reason) problems.push({ path, reason });
    } else if (Array.isArray(item)) {
      item.forEach((entry, index) => visit(entry, [...path, String(index)]));
    } else if (isPlainRecord(item)) {
      for (const [key, entry] of Object.entries(item)) {
        const reason = textProblem(key);
        // The key itself is shown repaired: the path must be printable.
        if (reason) problems.push({ path: [...path, wellFormed(key).replaceAll('\uFFFD', '?')], reason });
        visit(entry, [...path, key]);
      }
    }
  };
  visit(value, []);
  return problems;
}

/** `text` with each NUL and lone surrogate replaced by U+FFFD (the replacement character). */
export function wellFormed(text: string): string {
  return text.replace(unstorable, '\uFFFD');
}

/** A copy of a JSON-like value whose strings and keys are all {@link wellFormed}; the value itself when already so. */
export function wellFormedDeep<T>(value: T): T {
  return hasUnstorable(value) ? repaired(value) : value;
}

/** Whether any string or key in `value` holds a NUL or a lone surrogate (a walk without copies, for hot paths). */
function hasUnstorable(value: unknown): boolean {
  if (typeof value === 'string') return textProblem(value) !== null;
  if (Array.isArray(value)) return value.some(hasUnstorable);
  if (isPlainRecord(value)) return Object.entries(value).some(([key, item]) => textProblem(key) !== null || hasUnstorable(item));
  return false;
}

function repaired<T>(value: T): T {
  if (typeof value === 'string') return wellFormed(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => repaired(item)) as T;
  if (isPlainRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [wellFormed(key), repaired(item)])) as T;
  return value;
}

/**
 * Objects made of keys and values (parsed JSON, forms, Fastify's params and query objects, whose
 * prototypes vary): anything but arrays, buffers, dates and streams (what has a `pipe`).
 */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  return !(value instanceof Uint8Array) && !(value instanceof Date) && typeof (value as { pipe?: unknown }).pipe !== 'function';
}

/** At most `max` UTF-16 units of `text`, never cutting a surrogate pair in half (a half would be a lone surrogate). */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}
