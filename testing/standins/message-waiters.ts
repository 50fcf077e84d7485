/**
 * What both stand-ins (SMTP sink, Twilio) do for `waitForMessages`: a test waits until the
 * stand-in has recorded `count` messages; the stand-in calls `wake()` after recording each one.
 */
export function messageWaiters<T>(messages: T[], standIn: string) {
  const waiters = new Set<() => void>();
  return {
    wake: (): void => {
      for (const wake of waiters) wake();
    },

    waitForMessages: (count: number, timeoutMs = 5_000): Promise<T[]> =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve([...messages]);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${standIn}: expected ${count} message(s), got ${messages.length} within ${timeoutMs}ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}
