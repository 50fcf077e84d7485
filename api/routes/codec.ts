import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Db } from '../../lib/db.js';
import { actorOf } from '../auth.js';
import { ApiError } from '../errors.js';
import { errorResponses, ZErrorResponse } from '../schemas.js';

/**
 * Temporal's codec endpoint protocol (samples-go `codec-server/protocol.md`): `POST .../decode`
 * and `.../encode` with `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }`, so the
 * Temporal UI and `temporal workflow show --codec-endpoint` can show decrypted payloads to an
 * authorised user.
 *
 * A decode reveals whole histories — every debtor's name, contacts and replies in them — and an
 * encode forges payloads a worker would trust, so both are for `admin` keys only (not managers,
 * not auditors: their answers elsewhere are scoped to a team or masked, which a raw history
 * cannot be). Every decode is an audit event (who, how many payloads; never their content). The
 * browser UI may call it from the origins in CODEC_CORS_ORIGINS.
 */

const ZBase64 = z.string().max(4_000_000).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const ZJsonPayload = z.object({ metadata: z.record(z.string().max(256), ZBase64).nullish(), data: ZBase64.nullish() });
const ZPayloads = z.object({ payloads: z.array(ZJsonPayload).max(1000) });
type TJsonPayload = z.infer<typeof ZJsonPayload>;

const fromJson = ({ metadata, data }: TJsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
  ...(data ? { data: Buffer.from(data, 'base64') } : {}),
});

const toJson = ({ metadata, data }: Payload) => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? []).toString('base64')])),
  ...(data ? { data: Buffer.from(data).toString('base64') } : {}),
});

const codecRoles = ['admin'] as const;

/** Audit action of a decode through the codec endpoint. */
export const payloadsDecodedAction = 'payloads_decoded';

export function codecRoutes({ codec, corsOrigins, db }: { codec: PayloadCodec | undefined; corsOrigins: readonly string[]; db: Db }): FastifyPluginAsyncZod {
  return async (app) => {
    // CORS before authentication, so a browser also reads a 401 or 403 instead of a CORS error.
    app.addHook('onRequest', async (request, reply) => {
      const origin = request.headers.origin;
      if (!origin || !corsOrigins.includes(origin)) return;
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
      reply.header('vary', 'Origin');
    });

    for (const operation of ['decode', 'encode'] as const) {
      app.options(`/codec/${operation}`, { schema: { hide: true } }, async (_request, reply) =>
        reply
          .header('access-control-allow-methods', 'POST')
          .header('access-control-allow-headers', 'authorization, content-type, x-namespace')
          .header('access-control-max-age', '600')
          .code(204)
          .send(),
      );

      app.post(
        `/codec/${operation}`,
        {
          config: { roles: codecRoles },
          schema: {
            tags: ['codec'],
            summary: operation === 'decode' ? 'Decrypt Temporal payloads (Temporal codec protocol); admin keys only, each decode audited' : 'Encrypt Temporal payloads (Temporal codec protocol); admin keys only',
            body: ZPayloads,
            response: { 200: ZPayloads, 422: ZErrorResponse, ...errorResponses },
          },
        },
        async (request) => {
          if (!codec) throw new ApiError(404, 'not_configured', 'payload encryption is not configured (PAYLOAD_KEYS)');
          const payloads = request.body.payloads.map(fromJson);
          let result: Payload[];
          try {
            result = operation === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
          } catch (error) {
            throw new ApiError(422, 'undecodable_payload', error instanceof Error ? error.message : String(error), [
              { path: 'body.payloads', message: 'a payload could not be decrypted with the configured keys' },
            ]);
          }
          // Recorded before anything decrypted leaves: no audit event, no answer.
          if (operation === 'decode') await recordDecode(db, request, payloads.length);
          return { payloads: result.map(toJson) };
        },
      );
    }
  };
}

/** Who decoded how many payloads, from which namespace (the UI's header); never what they held. */
async function recordDecode(db: Db, request: FastifyRequest, count: number): Promise<void> {
  const namespace = request.headers['x-namespace'];
  await db.auditEvent.create({
    data: {
      actor: actorOf(request),
      action: payloadsDecodedAction,
      data: { payloads: count, ...(typeof namespace === 'string' ? { namespace: namespace.slice(0, 200) } : {}), requestId: request.id },
    },
  });
}
