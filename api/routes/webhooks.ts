import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../errors.js';
import { inMediaTypes, noContent, ZErrorResponse } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import type { ApiCommunicationSettings } from '../services/communication-settings.js';
import { inboundEmailSignatureValid, receiveInboundEmail, receiveInboundSms, receiveSmsStatus, twilioSignatureValid, type TwilioForm } from '../services/inbound.js';

/**
 * Provider webhooks. They carry no API key: each is authenticated by its provider's signature,
 * checked before anything else reads the request (403 otherwise).
 */

/** Twilio posts more fields than these; all of them are kept for the signature check. */
const ZTwilioInbound = z.looseObject({ MessageSid: z.string().min(1), From: z.string().min(1), To: z.string().optional(), Body: z.string().optional() });
const ZTwilioStatus = z.looseObject({ MessageSid: z.string().min(1), MessageStatus: z.string().min(1), ErrorCode: z.string().optional() });

/** A raw RFC 822 message as bytes; described for the OpenAPI document as a binary string. */
const ZRawMessage = z.any().describe('the raw RFC 822 message (message/rfc822, text/plain or application/octet-stream)');


const emailBodyLimit = 10 * 1024 * 1024;
const webhookErrors = { 400: ZErrorResponse, 403: ZErrorResponse, 415: ZErrorResponse } as const;

export function webhookRoutes({ db, temporal }: ApiDeps, settings: ApiCommunicationSettings | undefined): FastifyPluginAsyncZod {
  return async (app) => {
    // Parsers for this plugin's routes only (Fastify encapsulation): Twilio posts forms, mail relays post raw messages.
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    app.removeContentTypeParser('text/plain');
    app.addContentTypeParser(['message/rfc822', 'text/plain', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: emailBodyLimit }, (_request, body, done) => {
      done(null, body);
    });

    async function verifyTwilio(request: FastifyRequest, _reply: FastifyReply) {
      if (!settings?.twilioAuthToken) throw new ApiError(403, 'webhook_not_configured', 'Twilio webhooks are not configured on this server (TWILIO_AUTH_TOKEN)');
      const form = (request.body ?? {}) as TwilioForm;
      const signature = request.headers['x-twilio-signature'];
      const url = `${settings.publicUrl}${request.url}`;
      if (!twilioSignatureValid({ authToken: settings.twilioAuthToken, signature: typeof signature === 'string' ? signature : undefined, url, form })) {
        throw new ApiError(403, 'invalid_signature', 'X-Twilio-Signature does not match this request');
      }
    }

    async function verifyInboundEmail(request: FastifyRequest, _reply: FastifyReply) {
      if (!settings?.inboundEmailSecret) throw new ApiError(403, 'webhook_not_configured', 'inbound email is not configured on this server (INBOUND_EMAIL_SECRET)');
      const header = request.headers['x-dunning-signature'];
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      if (!inboundEmailSignatureValid({ secret: settings.inboundEmailSecret, raw, header: typeof header === 'string' ? header : undefined })) {
        throw new ApiError(403, 'invalid_signature', 'X-Dunning-Signature does not match this message');
      }
    }

    app.post(
      '/webhooks/twilio/sms',
      {
        preValidation: verifyTwilio,
        schema: {
          tags: ['webhooks'],
          summary: 'Inbound SMS from Twilio: STOP/START/HELP honoured, other replies classified and signalled to the case',
          consumes: ['application/x-www-form-urlencoded'],
          body: ZTwilioInbound,
          response: { 200: inMediaTypes({ 'text/xml': z.string().describe('TwiML') }), ...webhookErrors },
        },
      },
      async (request, reply) => {
        const twiml = await receiveInboundSms({ db, temporal, settings: settings as ApiCommunicationSettings, form: request.body as TwilioForm });
        return reply.type('text/xml; charset=utf-8').send(twiml);
      },
    );

    app.post(
      '/webhooks/twilio/status',
      {
        preValidation: verifyTwilio,
        schema: {
          tags: ['webhooks'],
          summary: "Twilio's delivery status for a message we sent",
          querystring: z.object({ c: z.uuid().optional() }),
          consumes: ['application/x-www-form-urlencoded'],
          body: ZTwilioStatus,
          response: { 204: noContent, ...webhookErrors },
        },
      },
      async (request, reply) => {
        await receiveSmsStatus({ db, temporal, form: request.body as TwilioForm, communicationId: request.query.c });
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/webhooks/email/inbound',
      {
        bodyLimit: emailBodyLimit,
        preValidation: verifyInboundEmail,
        schema: {
          tags: ['webhooks'],
          summary: 'A raw email (reply or bounce report) relayed by the mail system; signed with X-Dunning-Signature',
          consumes: ['message/rfc822', 'text/plain', 'application/octet-stream'],
          body: ZRawMessage,
          response: {
            202: z.object({
              matched: z.boolean(),
              kind: z.enum(['bounce', 'delay', 'auto_reply', 'reply', 'duplicate']),
              caseId: z.string().nullable(),
              intent: z.string().optional(),
            }),
            ...webhookErrors,
          },
        },
      },
      async (request, reply) => {
        const result = await receiveInboundEmail({ db, temporal, settings: settings as ApiCommunicationSettings, raw: request.body as Buffer });
        return reply.code(202).send(result);
      },
    );
  };
}
