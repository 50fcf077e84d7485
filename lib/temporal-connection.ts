import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow/tls-config.js';
import { dataConverter } from './data-converter.js';
import type { TTemporalEnv } from './env.js';

/** Connection settings for a Temporal cluster or Temporal Cloud, from our configuration. */
export function temporalConnectionOptions(config: TTemporalEnv): { address: string; tls?: TLSConfig; apiKey?: string } {
  const address = config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const read = (file?: string) => (file ? readFileSync(file) : undefined);
  const cert = read(config.TEMPORAL_TLS_CERT_PATH);
  const key = read(config.TEMPORAL_TLS_KEY_PATH);
  const useTls = config.TEMPORAL_TLS || Boolean(cert) || Boolean(config.TEMPORAL_API_KEY);
  return {
    address,
    ...(useTls
      ? {
          tls: {
            ...(config.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME } : {}),
            ...(config.TEMPORAL_TLS_CA_PATH ? { serverRootCACertificate: read(config.TEMPORAL_TLS_CA_PATH) } : {}),
            ...(cert && key ? { clientCertPair: { crt: cert, key } } : {}),
          },
        }
      : {}),
    ...(config.TEMPORAL_API_KEY ? { apiKey: config.TEMPORAL_API_KEY } : {}),
  };
}

export async function connectTemporalClient(config: TTemporalEnv): Promise<Client> {
  const connection = await Connection.connect(temporalConnectionOptions(config));
  // The same data converter as the worker: payloads are encrypted with PAYLOAD_KEYS.
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverter(config) });
}
