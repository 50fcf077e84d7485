/**
 * The stops of the parts started so far. Each part pushes its stop the moment it is up, so
 * `unwind()` (last started, first stopped) also cleans up after a part that failed to start.
 * A stop that fails is reported and the others still run.
 */
export interface StopStack {
  push(name: string, stop: () => unknown): void;
  unwind(): Promise<void>;
}

export function createStopStack(): StopStack {
  const stops: { name: string; stop: () => unknown }[] = [];
  return {
    push(name, stop) {
      stops.push({ name, stop });
    },
    async unwind() {
      for (let entry = stops.pop(); entry; entry = stops.pop()) {
        try {
          await entry.stop();
        } catch (error) {
          console.error(`stopping ${entry.name} failed:`, error);
        }
      }
    },
  };
}
