import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer, type SMTPServerError } from "smtp-server";
import { messageWaiters } from "./message-waiters.js";

export interface SinkMessage {
  envelope: { from: string; to: string[] };
  parsed: ParsedMail;
  raw: string;
}

export interface SmtpSink {
  /** smtp://127.0.0.1:PORT — can be passed straight to nodemailer.createTransport */
  url: string;
  port: number;
  messages: SinkMessage[];
  waitForMessages(count: number, timeoutMs?: number): Promise<SinkMessage[]>;
  /** The next n messages get a reply `code` after DATA (temporary failure by default). */
  failNext(n: number, code?: number): void;
  close(): Promise<void>;
}

function smtpError(message: string, responseCode: number): SMTPServerError {
  return Object.assign(new Error(message), { responseCode });
}

export async function startSmtpSink(opts: { rejectRecipients?: string[] } = {}): Promise<SmtpSink> {
  const rejected = new Set((opts.rejectRecipients ?? []).map((a) => a.toLowerCase()));
  const messages: SinkMessage[] = [];
  const failures: number[] = []; // one reply code per upcoming failed message
  const waiters = messageWaiters(messages, "SMTP sink");

  const server = new SMTPServer({
    authOptional: true,
    // Accept any AUTH over plain text so apps configured with credentials still work.
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? "anonymous" });
    },
    disabledCommands: ["STARTTLS"],
    logger: false,
    // Don't keep tests waiting 30s on a pooled client that never sent QUIT.
    closeTimeout: 500,

    onRcptTo(address, _session, callback) {
      if (rejected.has(address.address.toLowerCase())) {
        // Permanent failure at RCPT TO is how a real MTA reports an unknown mailbox (hard bounce).
        callback(smtpError(`5.1.1 <${address.address}>: Recipient address rejected: User unknown`, 550));
        return;
      }
      callback();
    },

    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", (err) => callback(err));
      // The whole message must be read before replying, even when failing it.
      stream.on("end", () => {
        const failCode = failures.shift();
        if (failCode !== undefined) {
          callback(smtpError("4.3.0 Requested action aborted: local error in processing", failCode));
          return;
        }
        const raw = Buffer.concat(chunks);
        const { mailFrom, rcptTo } = session.envelope;
        simpleParser(raw).then(
          (parsed) => {
            messages.push({
              envelope: { from: mailFrom ? mailFrom.address : "", to: rcptTo.map((r) => r.address) },
              parsed,
              raw: raw.toString("utf8"),
            });
            waiters.wake();
            callback(null, `OK: queued as ${messages.length}`);
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  // Client disconnects (ECONNRESET etc.) surface here; they must not crash the test run.
  server.on("error", () => {});

  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,

    waitForMessages: waiters.waitForMessages,

    failNext(n, code = 451) {
      for (let i = 0; i < n; i++) failures.push(code);
    },

    close() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
