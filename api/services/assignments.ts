import type { Db } from '../../lib/db.js';
import { notFound } from '../errors.js';

/** Which officers' team works a case; the change and who made it go into the case's audit trail. */
export async function assignTeam({ db, caseId, team, actor }: { db: Db; caseId: string; team: string | null; actor: string }) {
  return db.$transaction(async (tx) => {
    const before = await tx.case.findUnique({ where: { id: caseId }, select: { team: true } });
    if (!before) throw notFound(`case "${caseId}"`);
    await tx.case.update({ where: { id: caseId }, data: { team } });
    await tx.auditEvent.create({ data: { caseId, actor, action: 'team_assigned', before: { team: before.team }, after: { team } } });
    return { caseId, team };
  });
}
