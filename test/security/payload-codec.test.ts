import { createRequire } from 'node:module';
import { defaultPayloadConverter, type FailureConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { dataConverter, failureConverterPath } from '../../lib/data-converter.js';
import { parseEnv, ZTemporalEnv } from '../../lib/env.js';
import { EncryptionCodec, generatePayloadKey, METADATA_ENCRYPTION_KEY_ID, parseKeyring } from '../../lib/payload-codec.js';

const debtor = { name: 'Ana Ruiz', email: 'ana@example.com', phone: '+15555550100' };
const toPayload = (value: unknown) => defaultPayloadConverter.toPayload(value);
const fromPayload = (payload: Payload) => defaultPayloadConverter.fromPayload(payload);
const text = (payload: Payload) => Buffer.from(payload.data ?? []).toString('latin1') + JSON.stringify(payload.metadata);

describe('EncryptionCodec', () => {
  const k1 = generatePayloadKey('k1');
  const k2 = generatePayloadKey('k2');

  it('round-trips payloads and leaves no plaintext in the encoded form', async () => {
    const codec = new EncryptionCodec(parseKeyring(k1));
    const payloads = [toPayload(debtor), toPayload('Ana Ruiz'), toPayload(null), toPayload(new Uint8Array([1, 2, 3]))];
    const encoded = await codec.encode(payloads);
    for (const payload of encoded) {
      expect(Buffer.from(payload.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
      expect(Buffer.from(payload.metadata?.[METADATA_ENCRYPTION_KEY_ID] ?? []).toString()).toBe('k1');
      expect(text(payload)).not.toContain('Ana Ruiz');
      expect(text(payload)).not.toContain('json/plain');
    }
    const decoded = await codec.decode(encoded);
    expect(decoded.map(fromPayload)).toEqual([debtor, 'Ana Ruiz', null, new Uint8Array([1, 2, 3])]);
    // Same plaintext, fresh IV: never the same ciphertext twice.
    const [again] = await codec.encode([toPayload(debtor)]);
    expect(Buffer.from(again?.data ?? []).equals(Buffer.from(encoded[0]?.data ?? []))).toBe(false);
  });

  it('detects tampering with the ciphertext, the tag or the key id', async () => {
    const codec = new EncryptionCodec(parseKeyring(`${k1},${k2}`, 'k1'));
    const [sealed] = await codec.encode([toPayload(debtor)]);
    if (!sealed?.data) throw new Error('no data');
    for (const index of [0, 20, sealed.data.length - 1]) {
      const data = Uint8Array.from(sealed.data);
      data[index] = (data[index] ?? 0) ^ 0x01;
      await expect(codec.decode([{ ...sealed, data }])).rejects.toThrow(/failed authentication/);
    }
    await expect(codec.decode([{ ...sealed, data: sealed.data.subarray(0, 10) }])).rejects.toThrow(/truncated/);
    // Relabelled with the other known key: the key id is authenticated data, so this fails too.
    const relabelled = { ...sealed, metadata: { ...sealed.metadata, [METADATA_ENCRYPTION_KEY_ID]: Buffer.from('k2') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(/failed authentication with key "k2"/);
  });

  it('rotates: payloads sealed with the old key still open after the active key changes', async () => {
    const before = new EncryptionCodec(parseKeyring(k1));
    const old = await before.encode([toPayload(debtor)]);

    const rotated = new EncryptionCodec(parseKeyring(`${k1},${k2}`, 'k2'));
    expect((await rotated.decode(old)).map(fromPayload)).toEqual([debtor]);
    const fresh = await rotated.encode([toPayload('new')]);
    expect(Buffer.from(fresh[0]?.metadata?.[METADATA_ENCRYPTION_KEY_ID] ?? []).toString()).toBe('k2');

    // Dropping the old key too early is refused with a reason, not garbage.
    const withoutOld = new EncryptionCodec(parseKeyring(k2));
    await expect(withoutOld.decode(old)).rejects.toThrow(/unknown key "k1"/);
  });

  it('passes unencrypted payloads through, so histories from before encryption stay readable', async () => {
    const codec = new EncryptionCodec(parseKeyring(k1));
    const plain = toPayload(debtor);
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('refuses bad key configuration with the variable and the reason', () => {
    expect(() => parseKeyring('k1:c2hvcnQ=')).toThrow(/PAYLOAD_KEYS: key "k1" must decode to 32 bytes/);
    expect(() => parseKeyring(`${k1},${k2}`)).toThrow(/PAYLOAD_KEY_ID: required/);
    expect(() => parseKeyring(k1, 'k9')).toThrow(/PAYLOAD_KEY_ID: "k9" is not one/);
    expect(() => parseKeyring(`${k1},${k1}`, 'k1')).toThrow(/appears twice/);
    expect(() => parseEnv(ZTemporalEnv, { PAYLOAD_KEYS: 'nonsense' })).toThrow(/PAYLOAD_KEYS/);
    expect(() => dataConverter({ PAYLOAD_KEYS: `${k1},${k2}`, PAYLOAD_KEY_ID: undefined })).toThrow(/PAYLOAD_KEY_ID/);
    expect(parseEnv(ZTemporalEnv, { PAYLOAD_KEYS: `${k1},${k2}`, PAYLOAD_KEY_ID: 'k2' }).PAYLOAD_KEY_ID).toBe('k2');
  });

  it('puts failure messages into an encoded payload, which the codec then encrypts', async () => {
    const { failureConverter } = createRequire(import.meta.url)(failureConverterPath) as { failureConverter: FailureConverter };
    const failure = failureConverter.errorToFailure(new Error('smtp rejected ana@example.com'), defaultPayloadConverter);
    expect(failure.message).not.toContain('ana@example.com');
    expect(failure.encodedAttributes).toBeTruthy();
    const converter = dataConverter({ PAYLOAD_KEYS: k1, PAYLOAD_KEY_ID: undefined });
    const [encrypted] = await (converter.payloadCodecs?.[0] as EncryptionCodec).encode([failure.encodedAttributes as Payload]);
    expect(text(encrypted as Payload)).not.toContain('ana@example.com');
    expect(dataConverter({ PAYLOAD_KEYS: undefined, PAYLOAD_KEY_ID: undefined })).toEqual({});
  });
});
