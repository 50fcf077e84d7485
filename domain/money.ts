/**
 * Money is integer minor units everywhere; this is the one place it becomes text.
 *
 * @param minor amount in the currency's minor units (cents for USD)
 * @param currency ISO-4217 code
 */
export function formatMoney(minor: number, currency: string): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(toMajorUnits(minor, currency));
}

/** Digits after the decimal point in `currency`'s major unit (2 for USD, 0 for JPY). */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** An amount in minor units as a number of major units, for a spreadsheet cell (never for arithmetic). */
export function toMajorUnits(minor: number, currency: string): number {
  return minor / 10 ** minorDigits(currency);
}

/** True for a known ISO-4217 currency code. */
export function isCurrency(code: string): boolean {
  return Intl.supportedValuesOf('currency').includes(code);
}
