import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ApiDeps } from '../deps.js';
import { inMediaTypes, ZErrorResponse } from '../schemas.js';
import type { ApiCommunicationSettings } from '../services/communication-settings.js';
import { unsubscribe } from '../services/inbound.js';
import { LinkPurpose, verifyLinkToken } from '../../domain/template-links.js';

/**
 * The unsubscribe link of every email (`List-Unsubscribe` and `{{unsubscribeUrl}}`). A POST
 * unsubscribes: the one-click POST of RFC 8058 that mail clients send, or the button of the
 * page a GET shows. A GET alone changes nothing, because mail scanners follow links.
 */

const ZToken = z.object({ token: z.string().min(10).max(100) });
/** A person's browser gets HTML pages; a token that cannot be one (too short or long) is a JSON 400 like any other. */
const ZPage = z.string().describe('an HTML page');
const pageAnswers = { 200: inMediaTypes({ 'text/html': ZPage }), 400: ZErrorResponse, 404: inMediaTypes({ 'text/html': ZPage }) };

function page(title: string, message: string, form?: string): string {
  const button = form ? `<form method="post" action="${form}"><button type="submit">Unsubscribe / Darme de baja</button></form>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head><body style="font-family:sans-serif;max-width:36em;margin:3em auto"><h1>${title}</h1><p>${message}</p>${button}</body></html>`;
}

export function unsubscribeRoutes({ db, temporal }: ApiDeps, settings: ApiCommunicationSettings | undefined): FastifyPluginAsyncZod {
  return async (app) => {
    // Mail clients post `List-Unsubscribe=One-Click` as a form (urlencoded or multipart); nothing in it matters.
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 8192 }, (_request, body, done) => done(null, body));

    const known = (token: string) => (settings ? verifyLinkToken(settings.linkSecret, LinkPurpose.unsubscribe, token) : null);

    app.get(
      '/u/:token',
      { schema: { tags: ['unsubscribe'], summary: 'The page behind an email unsubscribe link (asks to confirm)', params: ZToken, response: pageAnswers } },
      async (request, reply) => {
        const { token } = request.params;
        if (!known(token)) return reply.code(404).type('text/html; charset=utf-8').send(page('Link not valid', 'This unsubscribe link is not valid. / Este enlace no es válido.'));
        return reply
          .type('text/html; charset=utf-8')
          .send(page('Unsubscribe from email', 'Stop receiving emails about this account? / ¿Dejar de recibir correos sobre esta cuenta?', `/u/${token}`));
      },
    );

    app.post(
      '/u/:token',
      { schema: { tags: ['unsubscribe'], summary: 'Unsubscribe from email (RFC 8058 one-click, or the confirmation button)', params: ZToken, body: z.any().optional(), response: pageAnswers } },
      async (request, reply) => {
        const done = settings ? await unsubscribe({ db, temporal, settings, token: request.params.token }) : false;
        if (!done) return reply.code(404).type('text/html; charset=utf-8').send(page('Link not valid', 'This unsubscribe link is not valid. / Este enlace no es válido.'));
        return reply
          .type('text/html; charset=utf-8')
          .send(page('You are unsubscribed', 'You will receive no more emails about this account. / No recibirá más correos sobre esta cuenta.'));
      },
    );
  };
}
