/**
 * Money is integer minor units everywhere; this is the one place it becomes text.
 *
 * @param minor amount in the currency's minor units (cents for USD)
 * @param currency ISO-4217 code
 */
export function formatMoney(minor: number, currency: string): string {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

/** True for a known ISO-4217 currency code. */
export function isCurrency(code: string): boolean {
  return Intl.supportedValuesOf('currency').includes(code);
}
