import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../console/build.js';

/**
 * Every call the console makes names an operation the API documents. The console's client is
 * typed from the same document (`npm run console:check`), which also checks bodies and answers;
 * this test is the quick guard `npm test` runs on every change to either side.
 */

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'generated') files.push(...(await sourceFiles(full)));
    else if (/\.tsx?$/.test(entry.name)) files.push(full);
  }
  return files;
}

describe('the console and the API agree', () => {
  it('calls only documented operations', async () => {
    const document = (await openApiDocument()) as { paths: Record<string, Record<string, unknown>> };
    const calls: string[] = [];
    for (const file of await sourceFiles(path.resolve('console/src'))) {
      const text = await readFile(file, 'utf8');
      for (const match of text.matchAll(/api\.(GET|POST|PUT|DELETE|PATCH)\(\s*(?:\n\s*)?'([^']+)'/g)) calls.push(`${match[1]} ${match[2]}`);
      // The ternary form: api.POST(cond ? '/a' : '/b', ...).
      for (const match of text.matchAll(/api\.(GET|POST|PUT)\([^'()]*\?\s*'([^']+)'\s*:\s*'([^']+)'/g)) calls.push(`${match[1]} ${match[2]}`, `${match[1]} ${match[3]}`);
    }
    expect(calls.length).toBeGreaterThan(20);
    const missing = calls.filter((call) => {
      const [method = '', route = ''] = call.split(' ');
      return !document.paths[route]?.[method.toLowerCase()];
    });
    expect(missing).toEqual([]);
  });
});
