import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { caseScope, recordContactRead, seesContactDetails } from '../access.js';
import { actorOf } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { errorResponses, ZCaseIdParams, ZErrorResponse } from '../schemas.js';
import { addNote, listDebtorNotes, listNotes, maskNote, noteMaxLength } from '../services/case-notes.js';

/**
 * Case notes: append-only free text with author and time; a correction is a new note naming the
 * one it corrects. Shown in full to the roles that contact debtors (each read an audit event, as
 * for messages) and masked for the others.
 */

const ZNote = z.object({
  id: z.string(),
  caseId: z.string(),
  author: z.string(),
  text: z.string(),
  corrects: z.string().nullable(),
  correctedBy: z.array(z.string()),
  createdAt: z.string(),
});
const readers = ['officer', 'manager', 'admin', 'auditor'] as const;

export function caseNoteRoutes({ db }: Pick<ApiDeps, 'db'>): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/cases/:caseId/notes',
      {
        config: { roles: ['officer', 'manager', 'admin'] },
        schema: {
          tags: ['caseload'],
          summary: 'Add a note to the case (append-only: to correct one, add a note with `corrects` naming it)',
          params: ZCaseIdParams,
          body: z.object({ text: z.string().min(1).max(noteMaxLength), corrects: z.string().min(1).max(100).optional() }).strict(),
          response: { 201: ZNote, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const note = await addNote({ db, caseId: request.params.caseId, text: request.body.text, author: actorOf(request), ...(request.body.corrects ? { corrects: request.body.corrects } : {}) });
        return reply.code(201).send(note);
      },
    );

    app.get(
      '/api/v1/cases/:caseId/notes',
      {
        config: { roles: readers },
        schema: {
          tags: ['caseload'],
          summary: "The case's notes, oldest first; text masked for auditors",
          params: ZCaseIdParams,
          response: { 200: z.object({ masked: z.boolean(), items: z.array(ZNote) }), ...errorResponses },
        },
      },
      async (request) => {
        const items = await listNotes({ db, caseId: request.params.caseId });
        if (!seesContactDetails(request)) return { masked: true, items: items.map(maskNote) };
        if (items.length > 0) await recordContactRead(db, request, request.params.caseId, 'notes');
        return { masked: false, items };
      },
    );

    app.get(
      '/api/v1/debtors/:debtorId/notes',
      {
        config: { roles: readers },
        schema: {
          tags: ['caseload'],
          summary: "The notes of every case of the person's accounts (the caller's team only), newest first; text masked for auditors",
          params: z.object({ debtorId: z.string().min(1).max(100) }).strict(),
          response: { 200: z.object({ masked: z.boolean(), items: z.array(ZNote.extend({ accountExternalId: z.string() })) }), ...errorResponses },
        },
      },
      async (request) => {
        const items = await listDebtorNotes({ db, debtorId: request.params.debtorId, scope: caseScope(request) });
        if (!seesContactDetails(request)) return { masked: true, items: items.map((item) => ({ ...maskNote(item), accountExternalId: item.accountExternalId })) };
        return { masked: false, items };
      },
    );
  };
}
