import { createHmac, randomBytes } from "node:crypto";
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { messageWaiters } from "./message-waiters.js";

/** A message accepted by the stand-in (POST .../Messages.json answered 201). */
export interface RecordedMessage {
  form: Record<string, string>;
  sid: string;
  receivedAt: Date;
  /** The JSON resource returned to the client. */
  resource: MessageResource;
}

/** Every request that reached the server, including failed / rejected ones. */
export interface RecordedRequest {
  method: string;
  /** Path plus query string, exactly as received. */
  path: string;
  form: Record<string, string>;
  status: number;
  receivedAt: Date;
}

export interface MessageResource {
  account_sid: string;
  api_version: string;
  body: string;
  date_created: string;
  date_sent: string | null;
  date_updated: string;
  direction: string;
  error_code: number | null;
  error_message: string | null;
  from: string | null;
  messaging_service_sid: string | null;
  num_media: string;
  num_segments: string;
  price: string | null;
  price_unit: string;
  sid: string;
  status: string;
  subresource_uris: Record<string, string>;
  to: string;
  uri: string;
}

/** A call accepted by the stand-in (POST .../Calls.json answered 201). */
export interface RecordedCall {
  form: Record<string, string>;
  sid: string;
  receivedAt: Date;
  resource: CallResource;
  /** What the callee heard before being bridged (the TwiML of `<Number url>`), once the call ran. */
  calleeHeard?: string;
  /** Every callback the stand-in posted for this call: where, what, and the receiver's HTTP status. */
  callbacks: { url: string; form: Record<string, string>; status: number }[];
}

export interface CallResource {
  account_sid: string;
  api_version: string;
  sid: string;
  status: string;
  to: string;
  from: string;
  direction: string;
  duration: string | null;
  date_created: string;
  date_updated: string;
  start_time: string | null;
  end_time: string | null;
  price: string | null;
  price_unit: string;
  uri: string;
  subresource_uris: Record<string, string>;
}

/** How a simulated call goes (see {@link TwilioStandIn.runCall}). */
export interface CallScript {
  /** The officer picks up the engine's call; default true. */
  officerAnswers?: boolean;
  /** The debtor picks up the bridged leg: `completed`, or `no-answer` / `busy` / `failed`; default completed. */
  debtor?: "completed" | "no-answer" | "busy" | "failed";
  /** Seconds the bridged conversation lasts; default 95. */
  durationSeconds?: number;
  /** Replaces the callbacks' origin, for a receiver behind the public URL it gave. */
  via?: string;
}

export interface TwilioStandIn {
  /** Base URL to pass as `apiBase`, e.g. http://127.0.0.1:54321 */
  url: string;
  accountSid: string;
  authToken: string;
  messages: RecordedMessage[];
  calls: RecordedCall[];
  requests: RecordedRequest[];
  /**
   * Plays a call it accepted as Twilio would: the officer's leg answers, the TwiML's `<Dial>` rings
   * the `<Number>`, whose `url` TwiML the callee hears first (a recording disclosure), then the
   * recording, the dial's action and the call's status callbacks are posted, signed.
   */
  runCall(sid: string, script?: CallScript): Promise<RecordedCall>;
  waitForMessages(count: number, timeoutMs?: number): Promise<RecordedMessage[]>;
  /** The next n requests (of any kind) answer `status` with a Twilio error body. */
  failNext(n: number, status?: number): void;
  /** The next n requests are answered only after `ms` (work is still done first, like a lost response). */
  delayNext(n: number, ms: number): void;
  /** The next request is answered only once the returned function is called (work is still done first). */
  holdNext(): () => void;
  /** Sends to this number fail with 21211, as Twilio does for unroutable numbers. */
  rejectNumber(e164: string): void;
  /**
   * Posts a delivery status for a message it accepted to the message's StatusCallback, signed
   * with this account's auth token as Twilio signs it (X-Twilio-Signature over that URL). `via`
   * replaces the URL's origin, for a receiver that sits behind the public URL it gave.
   * Answers the receiver's HTTP status.
   */
  postStatus(sid: string, status: string, opts?: { errorCode?: string; via?: string }): Promise<number>;
  close(): Promise<void>;
}

interface TwilioError {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

type Reply = readonly [status: number, payload: TwilioError | MessageResource | CallResource];

const E164 = /^\+[1-9]\d{1,14}$/;
const MAX_BODY_CHARS = 1600;

function hex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

function twilioError(status: number, code: number, message: string): TwilioError {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

// Twilio dates are RFC 2822 with a numeric zone ("Mon, 01 Jan 2024 10:00:00 +0000");
// the SDK's deserializer expects exactly that.
function rfc2822(date: Date): string {
  return date.toUTCString().replace(/GMT$/, "+0000");
}

// Approximation: plain ASCII is treated as GSM-7 (160 / 153 per part),
// anything else as UCS-2 (70 / 67 per part, counted in UTF-16 units).
function countSegments(body: string): number {
  const gsm = /^[\x20-\x7e\r\n]*$/.test(body);
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  return body.length <= single ? 1 : Math.ceil(body.length / multi);
}

// Twilio's request signature: HMAC-SHA1 of the URL followed by each form field's name and value,
// in name order, keyed with the auth token, base64.
function twilioSignature(authToken: string, url: string, form: Record<string, string>): string {
  const data = Object.keys(form).sort().reduce((text, key) => `${text}${key}${form[key] ?? ""}`, url);
  return createHmac("sha1", authToken).update(data).digest("base64");
}

// `whatsapp:` addresses are E.164 behind a channel prefix.
function isValidTo(to: string): boolean {
  return E164.test(to.replace(/^whatsapp:/, ""));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startTwilioStandIn(
  opts: { accountSid?: string; authToken?: string } = {},
): Promise<TwilioStandIn> {
  const accountSid = opts.accountSid ?? `AC${hex(16)}`;
  const authToken = opts.authToken ?? hex(16);
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`;

  const messages: RecordedMessage[] = [];
  const requests: RecordedRequest[] = [];
  const store = new Map<string, MessageResource>();
  const rejected = new Set<string>();
  const failures: number[] = []; // one status per upcoming failed request
  const delays: number[] = []; // one delay per upcoming request
  const holds: Promise<void>[] = []; // one release per upcoming held request
  const waiters = messageWaiters(messages, "Twilio stand-in");
  const shutdown = new AbortController();

  const calls: RecordedCall[] = [];
  const callsPath = new RegExp(`^/2010-04-01/Accounts/([^/]+)/Calls\\.json$`);
  const callPath = new RegExp(`^/2010-04-01/Accounts/([^/]+)/Calls/([^/]+)\\.json$`);

  function createCall(form: Record<string, string>): Reply {
    const to = form.To;
    if (!to) return [400, twilioError(400, 21201, "No 'To' number is specified")];
    // A phone number, or a Twilio Client identity (a browser softphone), as Twilio's Calls resource takes.
    if (!(E164.test(to) || /^client:[A-Za-z0-9_]{1,121}$/.test(to)) || rejected.has(to)) return [400, twilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`)];
    if (!form.From) return [400, twilioError(400, 21213, "No 'From' number is specified")];
    if (!form.Url && !form.Twiml && !form.ApplicationSid) return [400, twilioError(400, 21205, "Url, Twiml or ApplicationSid is required")];
    const sid = `CA${hex(16)}`;
    const now = new Date();
    const uri = `/2010-04-01/Accounts/${accountSid}/Calls/${sid}.json`;
    const resource: CallResource = {
      account_sid: accountSid,
      api_version: "2010-04-01",
      sid,
      status: "queued",
      to,
      from: form.From,
      direction: "outbound-api",
      duration: null,
      date_created: rfc2822(now),
      date_updated: rfc2822(now),
      start_time: null,
      end_time: null,
      price: null,
      price_unit: "USD",
      uri,
      subresource_uris: { recordings: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}/Recordings.json` },
    };
    calls.push({ form, sid, receivedAt: now, resource, callbacks: [] });
    return [201, resource];
  }

  const messagesPath = new RegExp(`^/2010-04-01/Accounts/([^/]+)/Messages\\.json$`);
  const messagePath = new RegExp(`^/2010-04-01/Accounts/([^/]+)/Messages/([^/]+)\\.json$`);

  function createMessage(form: Record<string, string>): Reply {
    const to = form.To;
    if (!to) return [400, twilioError(400, 21604, "A 'To' phone number is required.")];
    if (!isValidTo(to) || rejected.has(to)) {
      return [400, twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`)];
    }
    if (!form.From && !form.MessagingServiceSid) {
      return [400, twilioError(400, 21603, "A 'From' phone number is required.")];
    }
    const body = form.Body ?? "";
    if (!body && !form.MediaUrl && !form.ContentSid) {
      return [400, twilioError(400, 21602, "Message body is required.")];
    }
    if (body.length > MAX_BODY_CHARS) {
      return [
        400,
        twilioError(400, 21617, "The concatenated message body exceeds the 1600 character limit."),
      ];
    }

    const sid = `SM${hex(16)}`;
    const now = new Date();
    const uri = `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`;
    const resource: MessageResource = {
      account_sid: accountSid,
      api_version: "2010-04-01",
      body,
      date_created: rfc2822(now),
      date_sent: null,
      date_updated: rfc2822(now),
      direction: "outbound-api",
      error_code: null,
      error_message: null,
      from: form.From ?? null,
      messaging_service_sid: form.MessagingServiceSid ?? null,
      num_media: form.MediaUrl ? "1" : "0",
      num_segments: String(countSegments(body)),
      price: null,
      price_unit: "USD",
      sid,
      // Messaging-service sends without a From start as "accepted" on real Twilio.
      status: form.From ? "queued" : "accepted",
      subresource_uris: {
        media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json`,
        feedback: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Feedback.json`,
      },
      to,
      uri,
    };
    store.set(sid, resource);
    messages.push({ form, sid, receivedAt: now, resource });
    waiters.wake();
    return [201, resource];
  }

  function route(
    method: string,
    path: string,
    auth: string | undefined,
    form: Record<string, string>,
  ): Reply {
    const failStatus = failures.shift();
    if (failStatus !== undefined) {
      // Twilio's generic HTTP errors use code 20000 + status (20500, 20503, 20429...).
      const msg = STATUS_CODES[failStatus] ?? "Error";
      return [failStatus, twilioError(failStatus, 20000 + failStatus, msg)];
    }
    if (auth !== expectedAuth) {
      return [401, twilioError(401, 20003, "Authenticate")];
    }
    const pathname = path.split("?")[0] ?? path;
    const notFound: Reply = [
      404,
      twilioError(404, 20404, `The requested resource ${pathname} was not found`),
    ];

    const create = messagesPath.exec(pathname);
    if (create && method === "POST") {
      return create[1] === accountSid ? createMessage(form) : notFound;
    }
    const createCallMatch = callsPath.exec(pathname);
    if (createCallMatch && method === "POST") {
      return createCallMatch[1] === accountSid ? createCall(form) : notFound;
    }
    const fetchCall = callPath.exec(pathname);
    if (fetchCall && method === "GET") {
      const call = fetchCall[1] === accountSid ? calls.find((each) => each.sid === fetchCall[2]) : undefined;
      return call ? [200, call.resource] : notFound;
    }
    const fetch = messagePath.exec(pathname);
    if (fetch && method === "GET") {
      const resource = fetch[1] === accountSid && fetch[2] ? store.get(fetch[2]) : undefined;
      return resource ? [200, resource] : notFound;
    }
    return notFound;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = new Date();
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const form = Object.fromEntries(new URLSearchParams(await readBody(req)));
    const delay = delays.shift();
    const hold = holds.shift();

    const [status, payload] = route(method, path, req.headers.authorization, form);
    requests.push({ method, path, form, status, receivedAt });

    if (delay !== undefined) {
      try {
        await sleep(delay, undefined, { signal: shutdown.signal });
      } catch {
        return; // stand-in closed while the response was held back
      }
    }
    if (hold) {
      const closed = new Promise<"closed">((resolve) => shutdown.signal.addEventListener("abort", () => resolve("closed"), { once: true }));
      if ((await Promise.race([hold, closed])) === "closed") return;
    }
    const headers: Record<string, string> = {
      "Content-Type": "application/json; charset=utf-8",
      "Twilio-Request-Id": `RQ${hex(16)}`,
    };
    if (status === 401) headers["WWW-Authenticate"] = 'Basic realm="Twilio API"';
    res.writeHead(status, headers).end(JSON.stringify(payload));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { "Content-Type": "application/json" });
      res.end(JSON.stringify(twilioError(500, 20500, String(err))));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  /** Posts a signed callback form as Twilio does; answers the receiver's status and body. */
  async function postCallback(call: RecordedCall, callback: string, form: Record<string, string>, via?: string): Promise<{ status: number; text: string }> {
    const url = new URL(callback);
    const target = via ? `${via}${url.pathname}${url.search}` : callback;
    const response = await globalThis.fetch(target, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilioSignature(authToken, callback, form) },
      body: new URLSearchParams(form).toString(),
    });
    const text = await response.text();
    call.callbacks.push({ url: callback, form, status: response.status });
    return { status: response.status, text };
  }

  /** The attribute `name` of the first `<tag ...>` in `xml`, XML entities decoded. */
  function attribute(xml: string, tag: string, name: string): string | undefined {
    const element = new RegExp(`<${tag}\\b([^>]*)>`).exec(xml)?.[1] ?? "";
    const value = new RegExp(`\\b${name}="([^"]*)"`).exec(element)?.[1];
    return value?.replaceAll("&amp;", "&").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"');
  }

  async function runCall(sid: string, script: CallScript = {}): Promise<RecordedCall> {
    const call = calls.find((each) => each.sid === sid);
    if (!call) throw new Error(`Twilio stand-in: no call ${sid}`);
    const { officerAnswers = true, debtor = "completed", durationSeconds = 95, via } = script;
    const base = { AccountSid: accountSid, ApiVersion: "2010-04-01", CallSid: sid, From: call.resource.from, To: call.resource.to, Direction: "outbound-api" };
    const statusCallback = call.form.StatusCallback;
    const finish = async (status: string, duration: number) => {
      call.resource.status = status;
      call.resource.duration = String(duration);
      call.resource.end_time = rfc2822(new Date());
      if (statusCallback) await postCallback(call, statusCallback, { ...base, CallStatus: status, CallDuration: String(duration) }, via);
    };
    if (!officerAnswers) {
      await finish("no-answer", 0);
      return call;
    }
    call.resource.status = "in-progress";
    call.resource.start_time = rfc2822(new Date());
    const twiml = call.form.Twiml ?? (call.form.Url ? (await postCallback(call, call.form.Url, { ...base, CallStatus: "in-progress" }, via)).text : "");
    const number = /<Number\b[^>]*>([^<]+)<\/Number>/.exec(twiml)?.[1]?.trim();
    if (!number) {
      await finish("completed", 5);
      return call;
    }
    const child = `CA${hex(16)}`;
    const talked = debtor === "completed" ? durationSeconds : 0;
    const numberUrl = attribute(twiml, "Number", "url");
    if (debtor === "completed" && numberUrl) {
      call.calleeHeard = (await postCallback(call, numberUrl, { ...base, CallSid: child, ParentCallSid: sid, To: number, CallStatus: "in-progress" }, via)).text;
    }
    const record = attribute(twiml, "Dial", "record");
    const recordingCallback = attribute(twiml, "Dial", "recordingStatusCallback");
    if (debtor === "completed" && record && record !== "do-not-record" && recordingCallback) {
      const recordingSid = `RE${hex(16)}`;
      await postCallback(call, recordingCallback, {
        AccountSid: accountSid,
        CallSid: sid,
        RecordingSid: recordingSid,
        RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Recordings/${recordingSid}`,
        RecordingStatus: "completed",
        RecordingDuration: String(talked),
        RecordingChannels: "2",
        RecordingSource: "DialVerb",
      }, via);
    }
    const action = attribute(twiml, "Dial", "action");
    if (action) await postCallback(call, action, { ...base, CallStatus: "in-progress", DialCallSid: child, DialCallStatus: debtor, DialCallDuration: String(talked) }, via);
    await finish("completed", talked + 5);
    return call;
  }

  return {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    messages,
    calls,
    requests,
    runCall,

    waitForMessages: waiters.waitForMessages,

    failNext(n, status = 500) {
      for (let i = 0; i < n; i++) failures.push(status);
    },

    delayNext(n, ms) {
      for (let i = 0; i < n; i++) delays.push(ms);
    },

    holdNext() {
      let release = () => {};
      holds.push(new Promise<void>((resolve) => (release = resolve)));
      return () => release();
    },

    rejectNumber(e164) {
      rejected.add(e164);
    },

    async postStatus(sid, status, { errorCode, via } = {}) {
      const message = messages.find((each) => each.sid === sid);
      const callback = message?.form.StatusCallback;
      if (!message || !callback) throw new Error(`Twilio stand-in: no message ${sid} with a StatusCallback`);
      const resource = message.resource;
      resource.status = status;
      resource.error_code = errorCode ? Number(errorCode) : null;
      const form: Record<string, string> = {
        AccountSid: accountSid,
        ApiVersion: "2010-04-01",
        From: resource.from ?? "",
        MessageSid: sid,
        MessageStatus: status,
        SmsSid: sid,
        SmsStatus: status,
        To: resource.to,
        ...(resource.to.startsWith("whatsapp:") ? { ChannelPrefix: "whatsapp" } : {}),
        ...(errorCode ? { ErrorCode: errorCode } : {}),
      };
      const url = new URL(callback);
      const target = via ? `${via}${url.pathname}${url.search}` : callback;
      const response = await fetch(target, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilioSignature(authToken, callback, form) },
        body: new URLSearchParams(form).toString(),
      });
      await response.arrayBuffer();
      return response.status;
    },

    close() {
      shutdown.abort();
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // The SDK uses keep-alive sockets; without this close() waits for them to idle out.
        server.closeAllConnections();
      });
    },
  };
}
