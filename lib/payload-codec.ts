import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

// A CommonJS package: plain Node ESM sees only its default export.
const { temporal } = proto;

/**
 * Encrypts every Temporal payload (workflow inputs, signals, queries, updates, results, activity
 * arguments and, with the failure converter, failure messages) with AES-256-GCM before it leaves
 * the process, after Temporal's encryption sample (samples-typescript `encryption/src/`).
 *
 * The whole original payload (metadata and data) is encrypted; the outer payload only says
 * `binary/encrypted` and which key sealed it (`encryption-key-id`). Encoding always uses the
 * active key; decoding accepts every key in the keyring, so rotating the active key never breaks a
 * running case whose history was written under an older one.
 */

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_ENCRYPTION_KEY_ID = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

const text = new TextEncoder();
const untext = new TextDecoder();

export interface Keyring {
  /** Key id → 32-byte AES key. */
  keys: ReadonlyMap<string, Buffer>;
  /** The key new payloads are sealed with. */
  activeKeyId: string;
}

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keyring: Keyring) {
    if (!keyring.keys.has(keyring.activeKeyId)) throw new ValueError(`active payload key "${keyring.activeKeyId}" is not in the keyring`);
    for (const [id, key] of keyring.keys) {
      if (key.length !== KEY_BYTES) throw new ValueError(`payload key "${id}" must be ${KEY_BYTES} bytes, not ${key.length}`);
    }
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.keyring.activeKeyId;
    const key = this.keyring.keys.get(keyId) as Buffer;
    return payloads.map((payload) => ({
      metadata: { [METADATA_ENCODING_KEY]: text.encode(ENCRYPTED_ENCODING), [METADATA_ENCRYPTION_KEY_ID]: text.encode(keyId) },
      data: seal(temporal.api.common.v1.Payload.encode(payload).finish(), key, keyId),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      // Not ours (e.g. written before encryption was switched on): pass it through unchanged.
      if (!encoding || untext.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const keyIdBytes = payload.metadata?.[METADATA_ENCRYPTION_KEY_ID];
      if (!keyIdBytes) throw new ValueError('encrypted payload without an encryption key id');
      const keyId = untext.decode(keyIdBytes);
      const key = this.keyring.keys.get(keyId);
      if (!key) throw new ValueError(`payload encrypted with unknown key "${keyId}": add it to PAYLOAD_KEYS`);
      if (!payload.data) throw new ValueError('encrypted payload without data');
      return temporal.api.common.v1.Payload.decode(open(payload.data, key, keyId));
    });
  }
}

/** iv ‖ ciphertext ‖ tag. The key id is authenticated too, so a payload cannot be relabelled. */
function seal(plain: Uint8Array, key: Buffer, keyId: string): Uint8Array {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(text.encode(keyId));
  return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

function open(sealed: Uint8Array, key: Buffer, keyId: string): Uint8Array {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new ValueError('encrypted payload is truncated');
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(text.encode(keyId));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new ValueError(`encrypted payload failed authentication with key "${keyId}" (tampered or wrong key)`);
  }
}

/**
 * Parses `PAYLOAD_KEYS` (`id:base64key,id:base64key`, each key 32 bytes) and `PAYLOAD_KEY_ID`
 * (the active one; may be left out when there is exactly one key).
 */
export function parseKeyring(payloadKeys: string, activeKeyId?: string): Keyring {
  const keys = new Map<string, Buffer>();
  for (const entry of payloadKeys.split(',').map((part) => part.trim()).filter(Boolean)) {
    const separator = entry.indexOf(':');
    const id = entry.slice(0, separator);
    if (separator <= 0 || !/^[\w.-]{1,64}$/.test(id)) {
      throw new Error('PAYLOAD_KEYS: each entry must be id:base64key with an id of letters, digits, _ . -');
    }
    const key = Buffer.from(entry.slice(separator + 1), 'base64');
    if (key.length !== KEY_BYTES) throw new Error(`PAYLOAD_KEYS: key "${id}" must decode to ${KEY_BYTES} bytes of base64, not ${key.length}`);
    if (keys.has(id)) throw new Error(`PAYLOAD_KEYS: key id "${id}" appears twice`);
    keys.set(id, key);
  }
  if (keys.size === 0) throw new Error('PAYLOAD_KEYS: no keys');
  const active = activeKeyId ?? (keys.size === 1 ? [...keys.keys()][0] : undefined);
  if (!active) throw new Error('PAYLOAD_KEY_ID: required when PAYLOAD_KEYS holds several keys (name the one new payloads use)');
  if (!keys.has(active)) throw new Error(`PAYLOAD_KEY_ID: "${active}" is not one of the ids in PAYLOAD_KEYS`);
  return { keys, activeKeyId: active };
}

/** A fresh `id:base64key` entry for PAYLOAD_KEYS. */
export function generatePayloadKey(id: string): string {
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}
