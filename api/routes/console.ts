import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { BrowserConfig } from '../../payments/processor.js';
import { actorOf, roles } from '../auth.js';
import { errorResponses } from '../schemas.js';

/**
 * The web console (console/, built by console/build.ts into dist/console) under /console, from the
 * same server as the API so it needs no CORS and no second port; and `GET /api/v1/session`, which
 * tells the console whose key was pasted so it shows that role's pages.
 */

export const consoleDistDir = fileURLToPath(new URL('../../dist/console/', import.meta.url));

/** The console's Content-Security-Policy; the payment processor's script (the case's payment panel) and its calls are allowed besides our own. */
function consolePolicy(payments: BrowserConfig['origins'] | undefined): string {
  const with_ = (own: string, extra: string[] = []) => [own, ...extra].join(' ');
  return [
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    `script-src ${with_("'self'", payments?.script)}`,
    `connect-src ${with_("'self'", payments?.connect)}`,
    ...(payments?.frame.length ? [`frame-src ${payments.frame.join(' ')}`] : []),
    "frame-ancestors 'none'",
  ].join('; ');
}

export function consoleRoutes({ distDir = consoleDistDir, payments }: { distDir?: string; payments?: BrowserConfig['origins'] | undefined } = {}): FastifyPluginAsyncZod {
  const policy = consolePolicy(payments);
  return async (app) => {
    app.get(
      '/api/v1/session',
      {
        config: { roles },
        schema: {
          tags: ['session'],
          summary: 'Who the presented key is: its role, a non-secret key id, its team and its client',
          response: {
            200: z.object({ role: z.enum(roles), keyId: z.string(), team: z.string().nullable(), client: z.string().nullable(), actor: z.string() }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const principal = request.principal;
        if (!principal) throw new Error('authentication hook did not run');
        return { role: principal.role, keyId: principal.keyId, team: principal.team, client: principal.client ?? null, actor: actorOf(request) };
      },
    );

    app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/'));

    if (!existsSync(distDir)) {
      // A server started before the console was built says how to build it rather than 404.
      app.get('/console/*', { schema: { hide: true } }, async (_request, reply) =>
        reply.code(503).type('text/plain; charset=utf-8').send('The console is not built yet: run `npm run console:build` (npm start builds it by itself).\n'),
      );
      return;
    }

    await app.register(fastifyStatic, {
      root: distDir,
      prefix: '/console/',
      cacheControl: false,
      // Hashed asset names may be cached for good; index.html never, so a new build is seen at once.
      setHeaders: (response, filePath) => {
        response.setHeader('cache-control', filePath.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
        response.setHeader('x-content-type-options', 'nosniff');
        response.setHeader('referrer-policy', 'no-referrer');
        response.setHeader('content-security-policy', policy);
      },
      wildcard: false,
    });
    // Client-side routes (/console/cases/…) load the app, which reads the path itself; a missing asset stays a 404.
    app.get('/console/*', { schema: { hide: true } }, async (request, reply) => {
      if (request.url.startsWith('/console/assets/')) return reply.callNotFound();
      return reply.sendFile('index.html');
    });
  };
}
