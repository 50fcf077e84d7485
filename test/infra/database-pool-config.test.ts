import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from '../../worker/config.js';

/** DATABASE_POOL_SIZE sizes each process's PostgreSQL pool; a bad value names the variable. */
describe('DATABASE_POOL_SIZE', () => {
  it('is read as a whole number, and left unset for the process default', () => {
    expect(loadWorkerConfig({ DATABASE_POOL_SIZE: '40' }).DATABASE_POOL_SIZE).toBe(40);
    expect(loadWorkerConfig({}).DATABASE_POOL_SIZE).toBeUndefined();
  });

  it('refuses a pool of no connections or a fraction, naming the variable', () => {
    expect(() => loadWorkerConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/);
    expect(() => loadWorkerConfig({ DATABASE_POOL_SIZE: '2.5' })).toThrow(/DATABASE_POOL_SIZE/);
  });
});
