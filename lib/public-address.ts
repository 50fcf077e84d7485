import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/**
 * Where an outbound webhook may go. A receiver's URL is chosen by whoever holds an integration
 * key; without this check it could name the engine's own network (the database, Temporal, a cloud
 * metadata service on 169.254.169.254) and turn the delivery worker into a way in (SSRF). Only
 * public unicast addresses pass: not loopback, private, link-local, carrier-grade NAT, unique-local,
 * multicast or reserved, also when written as IPv4 inside IPv6.
 */

/** True for an address on the public internet. */
export function isPublicAddress(address: string): boolean {
  return ipaddr.isValid(address) && ipaddr.process(address).range() === 'unicast';
}

/**
 * Why `url` may not receive webhooks, or `null` when every address its host resolves to is
 * public. Checked when a subscription is saved and again before every delivery, since a name
 * can be pointed elsewhere after it was saved.
 */
export async function privateTargetReason(url: string): Promise<string | null> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = ipaddr.isValid(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
  } catch {
    return `the host ${host} does not resolve`;
  }
  const inside = addresses.find((address) => !isPublicAddress(address));
  return inside === undefined ? null : `the host ${host} is ${inside === host ? 'a' : `at ${inside}, a`} private, loopback or link-local address; receivers must be on the public internet`;
}
