import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createLogger, safeRequestLine, scrubText, scrubValue } from '../../lib/logger.js';
import { sdkLogger } from '../../worker/runtime.js';

/** The redaction rules of lib/logger.ts, on every path a log line can take. */

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'trace', name: 'test', destination }) };
}

const pii = ['Ana Ruiz', 'ana@example.com', '+15555550100', '12 Main St'];
const leaks = (lines: string[]) => pii.filter((value) => lines.join('\n').includes(value));

describe('log redaction', () => {
  it('masks emails and international phone numbers in free text, and leaves ids, dates and amounts alone', () => {
    expect(scrubText('mailbox ana@example.com unknown, call +1 (555) 555-0100 or +15555550100')).toBe('mailbox [email] unknown, call [phone] or [phone]');
    const ordinary = 'case-63a0c671-af65-4a11-8556-46a9256f309e paid 125000 at 2026-11-23T13:38:31.547Z (smtp 550)';
    expect(scrubText(ordinary)).toBe(ordinary);
  });

  it('censors personal fields at any depth and scrubs errors, causes and messages', () => {
    const { lines, logger } = capture();
    logger.info({ debtor: { name: 'Ana Ruiz' }, deep: { a: { b: { email: 'ana@example.com', phone: '+15555550100' } } }, address: { line1: '12 Main St' } }, 'enrolled');
    logger.error({ err: new Error('duplicate key (value)=(ana@example.com)', { cause: new Error('to +15555550100') }) }, 'failed');
    logger.warn('sent to %s', 'ana@example.com');
    logger.child({ contact: 'ana@example.com' }).info({ text: 'this is Ana Ruiz' }, 'reply');
    logger.info({ items: [{ recipient: 'ana@example.com', status: 'sent' }] }, 'listed');
    expect(lines).toHaveLength(5);
    expect(leaks(lines)).toEqual([]);
    expect(lines.join('\n')).toContain('[redacted]');
    expect(JSON.parse(lines[1] ?? '{}').err.message).toBe('duplicate key (value)=([email])');
    expect(JSON.parse(lines[4] ?? '{}').items[0].status).toBe('sent');
  });

  it('routes the Temporal SDK lines through the same rules', () => {
    const { lines, logger } = capture();
    const sdk = sdkLogger(logger);
    sdk.warn('Activity failed', { error: new Error('rejected ana@example.com'), activityType: 'sendEmail', args: { to: 'ana@example.com' } });
    sdk.log('INFO', 'Workflow started +15555550100', { workflowId: 'case-1' });
    expect(leaks(lines)).toEqual([]);
    expect(lines.join('\n')).toContain('sendEmail');
  });

  it('logs requests with their path and query names, never query values, bodies or the Authorization header', async () => {
    const { lines, logger } = capture();
    const loggerInstance: FastifyBaseLogger = logger;
    const app = Fastify({ loggerInstance });
    app.post('/things/:id', async (request) => {
      request.log.info({ body: request.body }, 'handling');
      throw new Error('could not write ana@example.com');
    });
    await app.inject({
      method: 'POST',
      url: `/things/${encodeURIComponent('ana@example.com')}?email=ana%40example.com&limit=5`,
      headers: { authorization: 'Bearer secret-key-0123456789' },
      payload: { name: 'Ana Ruiz', address: '12 Main St' },
    });
    await app.close();
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(leaks(lines)).toEqual([]);
    expect(lines.join('\n')).not.toContain('secret-key');
    expect(lines.join('\n')).toContain('/things/[email]?email=[redacted]&limit=[redacted]');
    expect(safeRequestLine({ method: 'GET', url: '/a?b=%E0%A4' }).url).toBe('/a?b=[redacted]');
    expect(scrubValue({ note: 'Ana Ruiz called' })).toEqual({ note: '[redacted]' });
  });
});
