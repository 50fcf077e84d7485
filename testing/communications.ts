/**
 * The secrets and names an engine's worker and API share for communications (link signing,
 * inbound email, Message-ID domain, the creditor templates name), fixed so that tests building
 * activities of their own sign and read the same way.
 */
export const testCommunications = {
  linkSecret: 'test-link-secret-0123456789abcdef0123456789',
  inboundEmailSecret: 'test-inbound-email-secret-0123456789abcdef',
  mailDomain: 'mail.test',
  mailFrom: 'Collections <collections@mail.test>',
  creditorName: 'Acme Bank',
  smsMaxSegments: 3,
  smsHelpText: 'Collections: call 555-0100 for help. Reply STOP to opt out.',
};
