import { describe, expect, it } from 'vitest';
import { isPublicAddress, privateTargetReason } from '../../lib/public-address.js';

/** Which receivers outbound webhooks may reach: public unicast only (no way into our own network). */
describe('webhook receivers', () => {
  it.each([
    ['127.0.0.1', false],
    ['10.1.2.3', false],
    ['172.16.0.9', false],
    ['192.168.1.1', false],
    ['169.254.169.254', false], // cloud metadata
    ['100.64.0.1', false], // carrier-grade NAT
    ['0.0.0.0', false],
    ['::1', false],
    ['fd00::1', false],
    ['fe80::1', false],
    ['::ffff:127.0.0.1', false], // IPv4 inside IPv6
    ['::ffff:10.0.0.1', false],
    ['8.8.8.8', true],
    ['2606:4700:4700::1111', true],
    ['not an address', false],
  ])('%s is public: %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it('refuses a URL whose host is a private address or resolves to one, and names it', async () => {
    expect(await privateTargetReason('http://169.254.169.254/latest/meta-data')).toMatch(/169\.254\.169\.254 is a private, loopback or link-local address/);
    expect(await privateTargetReason('https://[::1]:8443/hook')).toMatch(/::1 is a private/);
    expect(await privateTargetReason('http://localhost:4000/hook')).toMatch(/localhost is at (127\.0\.0\.1|::1), a private/);
    expect(await privateTargetReason('https://8.8.8.8/hook')).toBeNull();
    expect(await privateTargetReason('https://no-such-host.invalid/hook')).toBe('the host no-such-host.invalid does not resolve');
  });
});
