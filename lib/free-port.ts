import { createServer } from 'node:net';

// Ports are drawn below the kernel's ephemeral range (32768 and up on Linux), where the OS never
// picks by itself: a port the Temporal CLI chooses for its own services, or a client socket's
// local port, cannot be the one handed out here. Each vitest worker draws from its own band
// (VITEST_POOL_ID), so two test files starting servers at the same moment never choose the same
// port; other processes (npm start, scripts) use the band below the workers'.
const bandSize = 1_500;
const firstBand = 11_000;
const pool = Number(process.env.VITEST_POOL_ID ?? 0);
const band = firstBand + (Number.isInteger(pool) && pool >= 0 ? pool % 14 : 0) * bandSize;
/** Handed out by this process: a port chosen but not yet bound by its server is not chosen again. */
const handedOut = new Set<number>();

/** A TCP port that is free on 127.0.0.1 right now (small race until its server binds it). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = band + Math.floor(Math.random() * bandSize);
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`could not obtain a free port in ${band}-${band + bandSize - 1}`);
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
