import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../errors.js';
import { inMediaTypes, ZErrorResponse } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { disclosureTwiml, receiveVoiceCallback } from '../services/calls.js';
import { twilioSignatureValid, type TwilioForm } from '../services/inbound.js';

/**
 * Twilio Voice's callbacks about a click-to-call call (api/services/calls.ts): the disclosure the
 * debtor hears before a recorded call connects, the bridged leg's result, the recording and the
 * call's end. Authenticated by X-Twilio-Signature like the SMS webhooks.
 */

const ZParams = z.object({ callId: z.uuid() });
const ZForm = z.looseObject({ CallSid: z.string().optional() });
const webhookErrors = { 400: ZErrorResponse, 403: ZErrorResponse, 415: ZErrorResponse } as const;
const twimlAnswer = { 200: inMediaTypes({ 'text/xml': z.string().describe('TwiML') }), ...webhookErrors };

export function voiceWebhookRoutes({ db, communications: settings }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    async function verifyTwilio(request: FastifyRequest, _reply: FastifyReply) {
      if (!settings?.twilioAuthToken) throw new ApiError(403, 'webhook_not_configured', 'Twilio webhooks are not configured on this server (TWILIO_AUTH_TOKEN)');
      const signature = request.headers['x-twilio-signature'];
      const form = (request.body ?? {}) as TwilioForm;
      if (!twilioSignatureValid({ authToken: settings.twilioAuthToken, signature: typeof signature === 'string' ? signature : undefined, url: `${settings.publicUrl}${request.url}`, form })) {
        throw new ApiError(403, 'invalid_signature', 'X-Twilio-Signature does not match this request');
      }
    }

    app.post(
      '/webhooks/twilio/voice/:callId/disclosure',
      {
        preValidation: verifyTwilio,
        schema: { tags: ['webhooks'], summary: 'TwiML the debtor hears before a recorded call connects: the recording disclosure', consumes: ['application/x-www-form-urlencoded'], params: ZParams, body: ZForm, response: twimlAnswer },
      },
      async (request, reply) => reply.type('text/xml; charset=utf-8').send(await disclosureTwiml({ db, callId: request.params.callId })),
    );

    for (const what of ['dial', 'recording', 'status'] as const) {
      app.post(
        `/webhooks/twilio/voice/:callId/${what}`,
        {
          preValidation: verifyTwilio,
          schema: {
            tags: ['webhooks'],
            summary: { dial: "The bridged debtor leg's result (answered, duration)", recording: "The call's recording", status: 'The officer leg ended' }[what],
            consumes: ['application/x-www-form-urlencoded'],
            params: ZParams,
            body: ZForm,
            response: twimlAnswer,
          },
        },
        async (request, reply) => {
          await receiveVoiceCallback({ db, callId: request.params.callId, what, form: request.body as Record<string, string> });
          return reply.type('text/xml; charset=utf-8').send('<?xml version="1.0" encoding="UTF-8"?><Response/>');
        },
      );
    }
  };
}
