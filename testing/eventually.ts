/**
 * Polls `probe` until it answers something truthy and returns that; an error thrown by the probe
 * counts as "not yet" and is named if time runs out.
 */
export async function eventually<T>(probe: () => Promise<T | undefined | false | null>, what: string, timeoutMs = 30_000, everyMs = 150): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out waiting for ${what}${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
