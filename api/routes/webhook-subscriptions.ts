import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { WebhookEventType, webhookEventTypes } from '../../domain/webhook-events.js';
import type { Principal } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { errorResponses, noContent, ZErrorResponse } from '../schemas.js';
import { createSubscription, deleteSubscription, getSubscription, listDeliveries, listSubscriptions, replaySubscription, updateSubscription } from '../services/webhook-subscriptions.js';

/**
 * Outbound webhooks (issue 22 "Events out"): subscriptions per integration key with event
 * filters, their delivery log, and replay of a time range. Payloads are signed by the Standard
 * Webhooks specification (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
 */

const ZEventType = z.enum(WebhookEventType);
const ZUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000);
const ZSubscription = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  eventTypes: z.array(z.string()),
  status: z.string(),
  team: z.string().nullable(),
  ownerKeyId: z.string(),
  failingSince: z.string().nullable(),
  disabledAt: z.string().nullable(),
  disabledReason: z.string().nullable(),
  createdAt: z.string(),
  pending: z.number().int(),
});
const ZDelivery = z.object({
  eventId: z.string(),
  type: z.string(),
  caseId: z.string(),
  occurredAt: z.string(),
  status: z.string(),
  attempts: z.number().int(),
  lastAttemptAt: z.string().nullable(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  replays: z.number().int(),
});
const ZIdParams = z.object({ id: z.uuid({ error: 'must be a subscription id' }) }).strict();
const roles = ['integration', 'manager', 'admin'] as const;

/** Routes with roles run after authentication: the principal is there. */
const principalOf = (request: FastifyRequest) => request.principal as Principal;

export function webhookSubscriptionRoutes({ db, temporal, allowPrivateWebhookUrls = false }: Pick<ApiDeps, 'db' | 'temporal' | 'allowPrivateWebhookUrls'>): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/webhook-event-types',
      {
        config: { roles },
        schema: { tags: ['webhooks'], summary: 'The event types a subscription can ask for', response: { 200: z.object({ items: z.array(z.string()) }), ...errorResponses } },
      },
      async () => ({ items: [...webhookEventTypes] }),
    );

    app.post(
      '/api/v1/webhook-subscriptions',
      {
        config: { roles },
        schema: {
          tags: ['webhooks'],
          summary: 'Subscribe a URL to events (all of them when `eventTypes` is empty); the answer holds the signing secret, shown only once',
          body: z.object({ url: ZUrl, eventTypes: z.array(ZEventType).max(50).default([]), description: z.string().max(500).optional() }).strict(),
          response: { 201: ZSubscription.extend({ secret: z.string() }), ...errorResponses },
        },
      },
      async (request, reply) => reply.code(201).send(await createSubscription({ db, temporal, principal: principalOf(request), allowPrivateUrls: allowPrivateWebhookUrls, ...request.body })),
    );

    app.get(
      '/api/v1/webhook-subscriptions',
      {
        config: { roles },
        schema: { tags: ['webhooks'], summary: "The caller's subscriptions (every one for managers and admins)", response: { 200: z.object({ items: z.array(ZSubscription) }), ...errorResponses } },
      },
      async (request) => ({ items: await listSubscriptions({ db, principal: principalOf(request) }) }),
    );

    app.get(
      '/api/v1/webhook-subscriptions/:id',
      { config: { roles }, schema: { tags: ['webhooks'], summary: 'One subscription', params: ZIdParams, response: { 200: ZSubscription, ...errorResponses } } },
      async (request) => getSubscription({ db, principal: principalOf(request), id: request.params.id }),
    );

    app.patch(
      '/api/v1/webhook-subscriptions/:id',
      {
        config: { roles },
        schema: {
          tags: ['webhooks'],
          summary: 'Change the URL, the event types or the description, or disable / enable it (enabling closes the managers\' outage task; replay what it missed)',
          params: ZIdParams,
          body: z
            .object({ url: ZUrl.optional(), eventTypes: z.array(ZEventType).max(50).optional(), description: z.string().max(500).nullable().optional(), status: z.enum(['active', 'disabled']).optional() })
            .strict(),
          response: { 200: ZSubscription, ...errorResponses },
        },
      },
      async (request) => updateSubscription({ db, temporal, principal: principalOf(request), id: request.params.id, change: request.body, allowPrivateUrls: allowPrivateWebhookUrls }),
    );

    app.delete(
      '/api/v1/webhook-subscriptions/:id',
      { config: { roles }, schema: { tags: ['webhooks'], summary: 'Remove a subscription and its delivery log', params: ZIdParams, response: { 204: noContent, ...errorResponses } } },
      async (request, reply) => {
        await deleteSubscription({ db, principal: principalOf(request), id: request.params.id });
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/api/v1/webhook-subscriptions/:id/deliveries',
      {
        config: { roles },
        schema: {
          tags: ['webhooks'],
          summary: 'The delivery log: each event owed to the subscription, newest first, with its attempts and the last answer',
          params: ZIdParams,
          querystring: z
            .object({
              status: z.enum(['pending', 'delivered']).optional(),
              limit: z.coerce.number().int().min(1).max(500).default(100),
              offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
            })
            .strict(),
          response: { 200: z.object({ total: z.number().int(), items: z.array(ZDelivery) }), ...errorResponses },
        },
      },
      async (request) => listDeliveries({ db, principal: principalOf(request), id: request.params.id, ...request.query }),
    );

    app.post(
      '/api/v1/webhook-subscriptions/:id/replay',
      {
        config: { roles },
        schema: {
          tags: ['webhooks'],
          summary: 'Deliver again every event that occurred in [from, to) the subscription takes, with their original ids, in order',
          params: ZIdParams,
          body: z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }).strict(),
          response: { 202: z.object({ queued: z.number().int() }), 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply.code(202).send(await replaySubscription({ db, temporal, principal: principalOf(request), id: request.params.id, from: new Date(request.body.from), to: new Date(request.body.to) })),
    );
  };
}
