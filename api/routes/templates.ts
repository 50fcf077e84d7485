import { z } from 'zod';
import { channelIds } from '../../domain/channels/index.js';
import { isCurrency } from '../../domain/money.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { optionalBlocks, templateLanguages } from '../../domain/disclosures.js';
import { ZTemplateKey } from '../../domain/template-definition.js';
import { actorOf } from '../auth.js';
import { errorResponses, ZErrorResponse } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { activateTemplateVersion, createTemplateVersion, listTemplates, previewTemplate, templateVersions } from '../services/templates.js';

const ZChannel = z.enum(channelIds);
const ZLanguage = z.enum(templateLanguages);

const ZTemplateView = z.object({
  id: z.string(),
  key: z.string(),
  language: z.string(),
  version: z.number().int(),
  channel: z.string(),
  subject: z.string().nullable(),
  body: z.string(),
  requires: z.array(z.string()),
  requiredBlocks: z.array(z.string()),
  status: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  activatedAt: z.string().nullable(),
});

const ZPreviewRequest = z
  .object({
    language: ZLanguage.optional(),
    /** A stored version; the active one when absent. */
    version: z.number().int().positive().optional(),
    /** Overrides of the sample account. */
    account: z
      .object({
        name: z.string().min(1).max(200).optional(),
        balance: z.number().int().nonnegative().optional(),
        currency: z.string().refine(isCurrency, 'must be an ISO-4217 currency code such as USD').optional(),
        externalId: z.string().min(1).max(100).optional(),
        creditor: z.string().min(1).max(200).optional(),
      })
      .strict()
      .optional(),
    /** An unsaved template to render and check instead of a stored version. */
    draft: z
      .object({
        channel: ZChannel,
        subject: z.string().min(1).max(300).optional(),
        body: z.string().min(1).max(20_000),
        requires: z.array(z.enum(optionalBlocks)).default([]),
      })
      .strict()
      .optional(),
  })
  .strict();

const ZPreview = z.object({
  key: z.string(),
  language: z.string(),
  version: z.number().int().nullable(),
  channel: z.string(),
  subject: z.string().nullable(),
  text: z.string(),
  html: z.string().nullable(),
  sms: z.object({ segments: z.number().int(), encoding: z.string(), characters: z.number().int(), truncated: z.boolean() }).nullable(),
  problems: z.array(z.object({ path: z.string(), message: z.string() })),
});

const readers = ['manager', 'officer', 'auditor', 'admin'] as const;
const writers = ['manager', 'admin'] as const;

export function templateRoutes({ db }: ApiDeps, { maxSmsSegments }: { maxSmsSegments: number }): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/templates',
      {
        config: { roles: writers },
        schema: {
          tags: ['templates'],
          summary: 'Save the next version of a template in one language; refused if it lacks required content',
          // Checked by the template rules themselves so every problem is reported with its field.
          body: z.record(z.string(), z.unknown()),
          response: { 201: ZTemplateView, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => reply.code(201).send(await createTemplateVersion({ db, input: request.body, actor: actorOf(request), maxSmsSegments })),
    );

    app.get(
      '/api/v1/templates',
      {
        config: { roles: readers },
        schema: {
          tags: ['templates'],
          summary: 'The newest version of every template and language',
          querystring: z.object({ channel: ZChannel.optional(), language: ZLanguage.optional() }).strict(),
          response: { 200: z.object({ items: z.array(ZTemplateView) }), ...errorResponses },
        },
      },
      async (request) => ({ items: await listTemplates(db, request.query) }),
    );

    app.get(
      '/api/v1/templates/:key',
      {
        config: { roles: readers },
        schema: {
          tags: ['templates'],
          summary: 'Every version of a template in every language, newest first',
          params: z.object({ key: ZTemplateKey }),
          response: { 200: z.object({ key: z.string(), versions: z.array(ZTemplateView) }), ...errorResponses },
        },
      },
      async (request) => ({ key: request.params.key, versions: await templateVersions(db, request.params.key) }),
    );

    app.post(
      '/api/v1/templates/:key/activate',
      {
        config: { roles: writers },
        schema: {
          tags: ['templates'],
          summary: 'Make one version the one sends use (a draft, or an older version to roll back)',
          params: z.object({ key: ZTemplateKey }),
          body: z.object({ language: ZLanguage, version: z.number().int().positive() }).strict(),
          response: { 200: ZTemplateView, ...errorResponses },
        },
      },
      async (request) => activateTemplateVersion({ db, key: request.params.key, ...request.body, actor: actorOf(request) }),
    );

    app.post(
      '/api/v1/templates/:key/preview',
      {
        config: { roles: readers },
        schema: {
          tags: ['templates'],
          summary: 'Render a template (stored or draft) with a sample account, with any problems it has',
          params: z.object({ key: ZTemplateKey }),
          body: ZPreviewRequest,
          response: { 200: ZPreview, ...errorResponses },
        },
      },
      async (request) => previewTemplate({ db, key: request.params.key, request: request.body, maxSmsSegments }),
    );
  };
}
