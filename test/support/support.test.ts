import { createTransport } from "nodemailer";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTwilioClient, redirectTwilioUrl } from "../../lib/twilio-client.js";
import { startSmtpSink, type SmtpSink } from "../../testing/standins/smtp-sink.js";
import { startTwilioStandIn, type TwilioStandIn } from "../../testing/standins/twilio-standin.js";

describe("redirectTwilioUrl", () => {
  it("swaps the origin of *.twilio.com URLs and keeps path and query", () => {
    const base = "http://127.0.0.1:4010";
    expect(redirectTwilioUrl("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?PageSize=5", base)).toBe(
      "http://127.0.0.1:4010/2010-04-01/Accounts/AC1/Messages.json?PageSize=5",
    );
    expect(redirectTwilioUrl("https://messaging.us1.twilio.com/v1/Services", `${base}/twilio/`)).toBe(
      "http://127.0.0.1:4010/twilio/v1/Services",
    );
    expect(redirectTwilioUrl("https://example.com/x", base)).toBe("https://example.com/x");
    expect(redirectTwilioUrl("https://nottwilio.com/x", base)).toBe("https://nottwilio.com/x");
  });
});

describe("Twilio stand-in with the real twilio client", () => {
  let standIn: TwilioStandIn;
  let client: ReturnType<typeof createTwilioClient>;
  const from = "+15005550006";

  beforeAll(async () => {
    standIn = await startTwilioStandIn();
    client = createTwilioClient({
      accountSid: standIn.accountSid,
      authToken: standIn.authToken,
      apiBase: standIn.url,
    });
  });
  afterAll(() => standIn.close());

  it("sends a message and records the exact form fields", async () => {
    const before = standIn.messages.length;
    const msg = await client.messages.create({
      to: "+15551234567",
      from,
      body: "Your invoice INV-42 is overdue: 120.00 EUR",
      statusCallback: "https://example.test/webhooks/twilio/status?attempt=1",
    });

    expect(msg.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(msg.status).toBe("queued");
    expect(msg.numSegments).toBe("1");
    expect(msg.price).toBeNull();
    expect(msg.dateCreated).toBeInstanceOf(Date);
    expect(msg.dateCreated.getTime()).not.toBeNaN();

    const [recorded] = (await standIn.waitForMessages(before + 1)).slice(before);
    expect(recorded?.sid).toBe(msg.sid);
    expect(recorded?.form).toEqual({
      To: "+15551234567",
      From: from,
      Body: "Your invoice INV-42 is overdue: 120.00 EUR",
      StatusCallback: "https://example.test/webhooks/twilio/status?attempt=1",
    });

    const fetched = await client.messages(msg.sid).fetch();
    expect(fetched.body).toBe(msg.body);
    expect(fetched.to).toBe("+15551234567");
  });

  it("rejects a wrong auth token with a 401 RestException", async () => {
    const bad = createTwilioClient({ accountSid: standIn.accountSid, authToken: "wrong", apiBase: standIn.url });
    const err = await bad.messages.create({ to: "+15551234567", from, body: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(twilio.RestException);
    expect(err).toMatchObject({ status: 401, code: 20003 });
  });

  it("answers 21211 for invalid and rejected numbers", async () => {
    const invalid = await client.messages.create({ to: "555-1234", from, body: "x" }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(twilio.RestException);
    expect(invalid).toMatchObject({
      status: 400,
      code: 21211,
      message: "The 'To' number 555-1234 is not a valid phone number.",
      moreInfo: "https://www.twilio.com/docs/errors/21211",
    });

    standIn.rejectNumber("+15550000001");
    const rejected = await client.messages.create({ to: "+15550000001", from, body: "x" }).catch((e: unknown) => e);
    expect(rejected).toMatchObject({ status: 400, code: 21211 });
  });

  it("injects server errors, then recovers", async () => {
    standIn.failNext(1, 500);
    const err = await client.messages.create({ to: "+15551234567", from, body: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(twilio.RestException);
    expect(err).toMatchObject({ status: 500, code: 20500 });

    const ok = await client.messages.create({ to: "+15551234567", from, body: "retry" });
    expect(ok.status).toBe("queued");
  });

  it("times out on a delayed response (the message is still created, like a lost reply)", async () => {
    const impatient = createTwilioClient({
      accountSid: standIn.accountSid,
      authToken: standIn.authToken,
      apiBase: standIn.url,
      timeoutMs: 200,
    });
    const before = standIn.messages.length;
    standIn.delayNext(1, 1_000);
    const err = await impatient.messages.create({ to: "+15551234567", from, body: "slow" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ECONNABORTED" });
    expect(standIn.messages.length).toBe(before + 1);
  });

  it("routes other *.twilio.com hosts to the stand-in with path and query intact", async () => {
    const res = (await client.request({ method: "get", uri: "https://messaging.twilio.com/v1/Services?PageSize=5" })) as {
      statusCode: number;
    };
    expect(res.statusCode).toBe(404);
    expect(standIn.requests.at(-1)).toMatchObject({ method: "GET", path: "/v1/Services?PageSize=5", status: 404 });
  });
});

describe("SMTP sink with the real nodemailer", () => {
  let sink: SmtpSink;

  beforeAll(async () => {
    sink = await startSmtpSink({ rejectRecipients: ["Gone@Example.com"] });
  });
  afterAll(() => sink.close());

  it("receives and parses a multipart message with an attachment", async () => {
    const transport = createTransport(sink.url);
    const pdf = Buffer.from("%PDF-1.4\n% fake invoice\n");
    const info = await transport.sendMail({
      from: "Billing <billing@dunning.test>",
      to: "debtor@example.com",
      subject: "Reminder: invoice INV-42 is overdue",
      text: "Please pay 120.00 EUR.",
      html: "<p>Please pay <b>120.00 EUR</b>.</p>",
      attachments: [{ filename: "INV-42.pdf", content: pdf, contentType: "application/pdf" }],
    });
    expect(info.accepted).toEqual(["debtor@example.com"]);

    const [msg] = await sink.waitForMessages(1);
    expect(msg?.envelope).toEqual({ from: "billing@dunning.test", to: ["debtor@example.com"] });
    expect(msg?.parsed.subject).toBe("Reminder: invoice INV-42 is overdue");
    expect(msg?.parsed.text?.trim()).toBe("Please pay 120.00 EUR.");
    expect(msg?.parsed.html).toContain("<b>120.00 EUR</b>");
    expect(msg?.parsed.attachments).toHaveLength(1);
    expect(msg?.parsed.attachments[0]).toMatchObject({ filename: "INV-42.pdf", contentType: "application/pdf" });
    expect(msg?.parsed.attachments[0]?.content.equals(pdf)).toBe(true);
    expect(msg?.raw).toContain("Subject: Reminder: invoice INV-42 is overdue");
  });

  it("hard-bounces a rejected recipient with 550 at RCPT TO", async () => {
    const transport = createTransport(sink.url);
    const err = await transport
      .sendMail({ from: "billing@dunning.test", to: "gone@example.com", subject: "x", text: "x" })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ responseCode: 550, command: "RCPT TO" });
  });

  it("fails temporarily with 451 at DATA, then accepts", async () => {
    const transport = createTransport(sink.url);
    const before = sink.messages.length;
    sink.failNext(1);
    const mail = { from: "billing@dunning.test", to: "debtor@example.com", subject: "retry", text: "x" };
    const err = await transport.sendMail(mail).catch((e: unknown) => e);
    expect(err).toMatchObject({ responseCode: 451 });
    expect(sink.messages.length).toBe(before);

    await transport.sendMail(mail);
    const all = await sink.waitForMessages(before + 1);
    expect(all.at(-1)?.parsed.subject).toBe("retry");
  });
});
