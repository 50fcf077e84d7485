import { Client, Connection } from '@temporalio/client';
import { InternalConnectionOptionsSymbol, type InternalConnectionOptions } from '@temporalio/client/lib/connection.js';
import { msToTs, tsToMs } from '@temporalio/common/lib/time.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

/**
 * The simulation's way to drive the time-skipping test server: a client and the clock, over a
 * connection that sends no keepalive pings.
 *
 * Why: `unlockTimeSkippingWithSleep` returns only once every outstanding task is done, which
 * after a thousand cases act on the same day takes well over a minute. The environment's own
 * connection pings every 30 s; the Java test server answers those pings with GOAWAY
 * ("too_many_pings", logged as "rejected by server because of excess pings") and a call in
 * flight on that connection then never returns: the simulation hung, idle, at 1,000 cases (it
 * never did at 100, where no call lasts 30 s).
 */
export interface SkippingClock {
  /** Starts, signals and queries; a plain client (signals and queries need no time-skipping lock). */
  client: Client;
  /** Advances virtual time by `ms` once every outstanding task is done (env.sleep). */
  sleep(ms: number): Promise<void>;
  /** The server's virtual time (env.currentTimeMs). */
  nowMs(): Promise<number>;
  close(): Promise<void>;
}

export async function skippingClock(env: TestWorkflowEnvironment): Promise<SkippingClock> {
  const options: InternalConnectionOptions = {
    address: env.address,
    channelArgs: { 'grpc.keepalive_time_ms': 2 ** 31 - 1, 'grpc.keepalive_permit_without_calls': 0 },
    // The test service is reachable only on connections marked this way (as the SDK marks the env's own).
    [InternalConnectionOptionsSymbol]: { supportsTestService: true },
  };
  const connection = await Connection.connect(options);
  const testService = connection.testService;
  if (!testService) throw new Error('the time-skipping clock needs the test service');
  return {
    client: new Client({ connection, namespace: env.namespace ?? 'default' }),
    async sleep(ms) {
      await testService.unlockTimeSkippingWithSleep({ duration: msToTs(ms) });
    },
    async nowMs() {
      const { time } = await testService.getCurrentTime({});
      return tsToMs(time);
    },
    close: () => connection.close(),
  };
}
