import { describe, expect, it, vi } from 'vitest';
import { createStopStack } from '../../testing/stop-stack.js';

describe('the stop stack of startEngine', () => {
  it('stops the parts last-started first, and a failing stop does not keep the others running', async () => {
    const stops = createStopStack();
    const stopped: string[] = [];
    const report = vi.spyOn(console, 'error').mockImplementation(() => {});
    stops.push('postgres', () => stopped.push('postgres'));
    stops.push('temporal', () => {
      throw new Error('already gone');
    });
    stops.push('api', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      stopped.push('api');
    });

    await stops.unwind();
    expect(stopped).toEqual(['api', 'postgres']);
    expect(report).toHaveBeenCalledWith('stopping temporal failed:', expect.any(Error));
    report.mockRestore();

    // Unwound once: a second stop() has nothing left to do.
    await stops.unwind();
    expect(stopped).toEqual(['api', 'postgres']);
  });
});
