/** Progress lines on stderr while a scenario runs (long runs must show they are alive); BENCH_QUIET=1 silences them. */
export function progress(message: string): void {
  if (process.env.BENCH_QUIET === '1') return;
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
