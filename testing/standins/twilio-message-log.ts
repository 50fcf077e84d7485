import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TwilioStandIn } from './twilio-standin.js';

/**
 * The Twilio stand-in plus the one endpoint it lacks: listing messages
 * (`GET /2010-04-01/Accounts/:sid/Messages.json?To=&From=&PageSize=`), answered from the
 * stand-in's own record in Twilio's page format. Every other request is passed to the stand-in
 * unchanged (its delays and failures included). The send activity uses the list to find a
 * message an interrupted attempt already sent. (Candidate for the shared stand-in itself.)
 */
export interface TwilioWithMessageLog {
  url: string;
  /** List requests answered, for assertions. */
  listRequests: string[];
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function withMessageLog(standIn: TwilioStandIn): Promise<TwilioWithMessageLog> {
  const listRequests: string[] = [];
  const listPath = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
  const server: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://stand-in');
      const list = listPath.exec(url.pathname);
      if (request.method === 'GET' && list) {
        listRequests.push(`${url.pathname}${url.search}`);
        const to = url.searchParams.get('To');
        const from = url.searchParams.get('From');
        const size = Number(url.searchParams.get('PageSize') ?? 50);
        const messages = standIn.messages
          .filter((message) => (!to || message.form.To === to) && (!from || message.form.From === from))
          .map((message) => message.resource)
          .reverse() // newest first, as Twilio lists them
          .slice(0, size);
        const uri = `${url.pathname}${url.search}`;
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({ messages, uri, first_page_uri: uri, next_page_uri: null, previous_page_uri: null, page: 0, page_size: size, start: 0, end: Math.max(0, messages.length - 1) }),
        );
        return;
      }
      const body = await readBody(request);
      const headers = Object.fromEntries(Object.entries(request.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host'));
      try {
        const answer = await fetch(`${standIn.url}${url.pathname}${url.search}`, { method: request.method ?? 'GET', headers, ...(body.length ? { body } : {}) });
        response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await answer.arrayBuffer()));
      } catch {
        response.destroy();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    listRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
