import type { Engine } from '../../../testing/engine.js';

/**
 * The soak's kills: what is killed how, restarted at once as a supervisor would, and how long
 * until the whole engine answers again.
 */

export const killTargets = ['worker', 'api', 'temporal', 'postgres'] as const;
export type KillTarget = (typeof killTargets)[number];

export interface Kill {
  n: number;
  target: KillTarget;
  /** A worker killed while an SMS's answer was held at the Twilio stand-in (its row `sending`). */
  midSend: boolean;
  killedAt: number;
  /** From the kill until the part was started again (its process up and, for the servers, answering). */
  restartMs: number | null;
  /** From the kill until the probe answered through every part; null if it never did. */
  recoveryMs: number | null;
  /** Rows `sending` at the kill (worker kills): their recovery is measured from the events. */
  inFlight: string[];
  error?: string;
}

/** kill -9 and a restart of `target`; resolves once the process is started again. */
export async function killAndRestart(engine: Engine, target: KillTarget): Promise<void> {
  switch (target) {
    case 'worker':
      await engine.killChildWorkers('SIGKILL');
      await engine.startChildWorker().ready;
      return;
    case 'api':
      await engine.apiProcess.kill('SIGKILL');
      await engine.apiProcess.start();
      return;
    case 'temporal':
      await engine.temporalServer.restart(0, 'SIGKILL');
      return;
    case 'postgres':
      await engine.postgres.restart(0, { crash: true });
      return;
  }
}

/**
 * The engine answers again through every part: the API reads the probe case, its live status
 * from the workflow (Temporal and a worker) and its history from PostgreSQL, and health is ok.
 */
export async function probe(engine: Engine, probeCaseId: string): Promise<boolean> {
  try {
    const [health, read] = await Promise.all([engine.call('GET', '/health'), engine.call('GET', `/api/v1/cases/${probeCaseId}`)]);
    return health.status === 200 && read.status === 200 && read.body?.live === true;
  } catch {
    return false;
  }
}

/** Milliseconds from `since` until {@link probe} answers, or null after `timeoutMs`. */
export async function recoveryAfter(engine: Engine, probeCaseId: string, since: number, timeoutMs = 180_000): Promise<number | null> {
  for (;;) {
    if (await probe(engine, probeCaseId)) return Date.now() - since;
    if (Date.now() - since > timeoutMs) return null;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Rows in flight at a provider: the ones a worker kill interrupts. */
export async function sendingRows(engine: Engine): Promise<string[]> {
  const rows = await engine.db.communication.findMany({ where: { status: 'sending' }, select: { id: true } });
  return rows.map((row) => row.id);
}
