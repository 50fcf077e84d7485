import { describe, expect, it } from 'vitest';
import { inCaseOrder } from '../../activities/webhook-delivery.js';

/** Pending deliveries go out in outbox order, each case's in its own order within the slots it holds. */

const delivery = (position: number, caseId: string, caseSeq: number) => ({ position: BigInt(position), event: { caseId, caseSeq } });

describe('delivery order', () => {
  it('keeps outbox order across cases and puts a late-committed earlier event of a case first', () => {
    // Case a's seq 5 was committed after its seq 6 (positions 3 and 1); case b is untouched.
    const pending = [delivery(1, 'a', 6), delivery(2, 'b', 1), delivery(3, 'a', 5), delivery(4, 'b', 2), delivery(5, 'a', 6)];
    expect(inCaseOrder(pending).map((item) => `${item.event.caseId}${item.event.caseSeq}@${item.position}`)).toEqual(['a5@3', 'b1@2', 'a6@1', 'b2@4', 'a6@5']);
  });
});
