/**
 * HTML by tagged template: every interpolated value is escaped unless it is already {@link SafeHtml}
 * (made by `html` itself), arrays are joined, `null`/`undefined`/`false` render nothing. We chose
 * this over a template engine because the page is a handful of small views: TypeScript checks every
 * value a view uses, escaping is the default rather than a habit, and nothing is compiled at
 * runtime or loaded from disk (no template injection, no extra dependency).
 */

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = SafeHtml | string | number | null | undefined | false | readonly Part[];

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => entities[character] ?? character);
}

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Trusted markup written by us (a catalog message with `<strong>`), never data. */
export const trusted = (markup: string): SafeHtml => new SafeHtml(markup);
