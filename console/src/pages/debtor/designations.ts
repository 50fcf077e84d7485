/**
 * Times a person said are inconvenient, as officers say them: "not before 10:00", "not after
 * 20:00", "not between 12:00 and 13:00", on some days or every day. A designation is a local
 * window `from` (inclusive) to `to` (exclusive, "24:00" is midnight) of ISO weekdays (1 Monday).
 */

export const weekdays = [
  [1, 'Mon'],
  [2, 'Tue'],
  [3, 'Wed'],
  [4, 'Thu'],
  [5, 'Fri'],
  [6, 'Sat'],
  [7, 'Sun'],
] as const;

export const designationKinds = ['not_before', 'not_after', 'between'] as const;
export type DesignationKind = (typeof designationKinds)[number];

export const designationKindLabels: Record<DesignationKind, string> = {
  not_before: 'Not before',
  not_after: 'Not after',
  between: 'Not between',
};

export interface DesignatedWindow {
  from: string;
  to: string;
  days?: number[];
  media?: string[];
}

/** The window an officer's choice describes: "not before 10:00" is 00:00 to 10:00. */
export function windowOf(kind: DesignationKind, first: string, second: string): { from: string; to: string } {
  if (kind === 'not_before') return { from: '00:00', to: first };
  if (kind === 'not_after') return { from: first, to: '24:00' };
  return { from: first, to: second };
}

function dayList(days: readonly number[] | undefined): string {
  if (!days || days.length === 0 || days.length === 7) return '';
  const sorted = [...days].sort((a, b) => a - b);
  const names = sorted.map((day) => weekdays.find(([n]) => n === day)?.[1] ?? String(day));
  const consecutive = sorted.every((day, index) => index === 0 || day === (sorted[index - 1] ?? 0) + 1);
  return consecutive && sorted.length > 2 ? ` on ${names[0]}–${names.at(-1)}` : ` on ${names.join(', ')}`;
}

/** "not before 10:00 on Mon–Fri (calls only)". */
export function describeDesignation(window: DesignatedWindow): string {
  const span = window.from === '00:00' ? `not before ${window.to}` : window.to === '24:00' || window.to === '00:00' ? `not after ${window.from}` : `not between ${window.from} and ${window.to}`;
  const media = window.media && window.media.length > 0 ? ` (${window.media.join(', ')} only)` : '';
  return `${span}${dayList(window.days)}${media}`;
}
