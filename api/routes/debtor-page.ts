import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { identityMethods, type IdentityMethod } from '../../domain/self-service-policy.js';
import { clock, day, isPageLanguage, messagesFor, money, type PageLanguage } from '../../debtor-page/i18n.js';
import type { Messages } from '../../debtor-page/messages-en.js';
import { cardScript } from '../../debtor-page/card-script.js';
import { accountsPage, cardPage, identityPage, messagePage, type Notice } from '../../debtor-page/views.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { inMediaTypes, ZErrorResponse } from '../schemas.js';
import { performAction, planStartDays, ZPageAction, type ActionResult, type Problem } from '../services/debtor-page/actions.js';
import { PageEvent, recordPageEvent } from '../services/debtor-page/events.js';
import { autopayCases, confirmAutopay, confirmPagePayment, startAutopaySetup, startPagePayment, type PaymentOutcome } from '../services/debtor-page/payments.js';
import { availableMethods, confirmIdentity, lockedUntil } from '../services/debtor-page/identity.js';
import { defaultFirstDueDate, pagePerson } from '../services/debtor-page/person.js';
import { csrfMatches, csrfToken, flashCookie, sessionCookie, sessionMinutes, signFlash, signSession, verifyFlash, verifySession } from '../services/debtor-page/session.js';
import { visitOf, type Visit } from '../services/debtor-page/visit.js';

/**
 * The debtor's own page behind `{{links.pay}}`: `GET /p/<token>` asks who is there (nothing about a
 * debt is shown before), then shows the person's open accounts and what they can do; every form
 * posts back to `POST /p/<token>`. Public (the signed link is the key), HTML only, English and
 * Spanish (the person's language, switchable with `?lang=`).
 */

const ZToken = z.object({ token: z.string().min(10).max(100) });
const ZQuery = z.object({ lang: z.string().max(5).optional(), method: z.string().max(20).optional() });
const ZForm = z.record(z.string(), z.string().max(4000));
const ZPage = z.string().describe('an HTML page');
const pageAnswers = { 200: inMediaTypes({ 'text/html': ZPage }), 303: z.null(), 400: ZErrorResponse, 403: inMediaTypes({ 'text/html': ZPage }), 404: inMediaTypes({ 'text/html': ZPage }), 410: inMediaTypes({ 'text/html': ZPage }), 422: inMediaTypes({ 'text/html': ZPage }), 423: inMediaTypes({ 'text/html': ZPage }), 503: inMediaTypes({ 'text/html': ZPage }) };
const languageCookie = 'dp_lang';

export function debtorPageRoutes({ db, temporal, communications, payments }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    await app.register(fastifyFormbody, { bodyLimit: 16_384 });
    await app.register(fastifyCookie);
    if (!communications) return;
    const { linkSecret, publicUrl } = communications;
    const brand = communications.creditorName ?? 'the creditor';
    const secure = publicUrl.startsWith('https://');

    // The card page loads the processor's script, which talks to its own origin (and Stripe's frames).
    const processorOrigin = payments ? new URL(payments.browserConfig().scriptUrl).origin : null;
    const processorSources = processorOrigin ? ` ${processorOrigin} https://*.stripe.com` : '';
    const csp = (withProcessor: boolean) =>
      "default-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'" +
      (withProcessor ? `; script-src 'self'${processorSources}; connect-src 'self'${processorSources}; frame-src${processorSources || " 'none'"}` : "; script-src 'none'");
    const send = (reply: FastifyReply, status: number, page: string, withProcessor = false) =>
      reply
        .code(status)
        .header('cache-control', 'no-store')
        .header('content-security-policy', csp(withProcessor))
        .header('x-content-type-options', 'nosniff')
        .type('text/html; charset=utf-8')
        .send(page);

    function languageOf(request: FastifyRequest, visit: Visit | null, form?: Record<string, string>): PageLanguage {
      const query = request.query as { lang?: string };
      for (const candidate of [query.lang, form?.lang, request.cookies[languageCookie], visit?.language]) if (isPageLanguage(candidate)) return candidate;
      return 'en';
    }

    const frame = (t: Messages, token: string, title: string) => ({ t, title, brand, switchHref: `/p/${token}?lang=${t.otherLanguage.code}` });
    /** The identity form's token: a form only this server can have issued for this link. */
    const identityCsrf = (token: string) => createHmac('sha256', linkSecret).update(`debtor-page-identity:${token}`).digest('base64url').slice(0, 32);

    async function identityAnswer(reply: FastifyReply, t: Messages, token: string, visit: Visit, requested: string | undefined, notice?: Notice, status = 200) {
      const methods = await availableMethods(db, visit);
      if (methods.length === 0) return send(reply, 200, messagePage(frame(t, token, t.identity.heading), t.identity.heading, t.identity.none));
      const method = (methods as string[]).includes(requested ?? '') ? (requested as IdentityMethod) : methods[0]!;
      const page = identityPage(frame(t, token, t.identity.heading), {
        action: `/p/${token}`,
        csrf: identityCsrf(token),
        method,
        methods,
        ...(notice ? { notice } : {}),
        methodHref: (other) => `/p/${token}?method=${other}&lang=${t.lang}`,
      });
      return send(reply, status, page);
    }

    const lockedPage = (reply: FastifyReply, t: Messages, token: string, until: Date, timeZone: string) =>
      send(reply, 423, messagePage(frame(t, token, t.identity.heading), t.identity.heading, t.identity.locked(clock(t, until, timeZone))));

    async function accountsAnswer(reply: FastifyReply, t: Messages, token: string, visit: Visit, sessionValue: string, notice?: Notice, status = 200) {
      const now = Date.now();
      const firstDueDate = defaultFirstDueDate(now);
      const person = await pagePerson({ db, temporal, debtorId: visit.debtorId, creditorName: brand, now, firstDueDate });
      if (!person) return send(reply, 404, messagePage(frame(t, token, t.linkInvalid.title), t.linkInvalid.title, t.linkInvalid.text));
      const today = DateTime.fromMillis(now, { zone: 'utc' }).toISODate()!;
      const page = accountsPage(frame(t, token, t.accounts.heading), {
        action: `/p/${token}`,
        csrf: csrfToken(linkSecret, sessionValue),
        person,
        ...(notice ? { notice } : {}),
        payments: Boolean(payments),
        autopay: payments ? await autopayCases(db, person) : new Set(),
        today,
        firstDueDate,
        planLatest: DateTime.fromMillis(now, { zone: 'utc' }).plus({ days: planStartDays }).toISODate()!,
      });
      return send(reply, status, page);
    }

    /** The visit behind a token, or the page that says why there is none. */
    async function visitOrAnswer(request: FastifyRequest, reply: FastifyReply, token: string) {
      const found = await visitOf({ db, linkSecret, token });
      if (found.ok) return found.visit;
      const t = messagesFor(languageOf(request, null));
      const [status, text] = found.reason === 'expired' ? [410, t.linkExpired] : found.reason === 'off' ? [200, t.pageOff] : [404, t.linkInvalid];
      await send(reply, status, messagePage(frame(t, token, text.title), text.title, text.text));
      return null;
    }

    const currentSession = (request: FastifyRequest, visit: Visit) => {
      const value = request.cookies[sessionCookie];
      const session = verifySession(linkSecret, value);
      return session && session.debtorId === visit.debtorId && value ? value : null;
    };

    app.get('/p/assets/card.js', { schema: { hide: true } }, async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=3600').type('text/javascript; charset=utf-8').send(cardScript),
    );

    app.get(
      '/p/:token',
      { schema: { tags: ['debtor page'], summary: "The debtor's page behind a message's {{links.pay}} link (HTML)", params: ZToken, querystring: ZQuery, response: pageAnswers } },
      async (request, reply) => {
        const { token } = request.params;
        const visit = await visitOrAnswer(request, reply, token);
        if (!visit) return reply;
        if (request.query.lang && isPageLanguage(request.query.lang)) {
          reply.setCookie(languageCookie, request.query.lang, { path: '/p/', httpOnly: true, sameSite: 'lax', secure, maxAge: 86_400 });
        }
        const t = messagesFor(languageOf(request, visit));
        // The first open of each message's link counts in the funnel; later ones are the same visit.
        await recordPageEvent(db, { action: PageEvent.opened, visit, idempotencyKey: `${PageEvent.opened}:${visit.communicationId}` });
        const session = currentSession(request, visit);
        if (session) {
          const flash = verifyFlash(linkSecret, request.cookies[flashCookie]);
          if (request.cookies[flashCookie] !== undefined) reply.clearCookie(flashCookie, { path: '/p/' });
          return accountsAnswer(reply, t, token, visit, session, flash ?? undefined);
        }
        const locked = await lockedUntil(db, visit.debtorId);
        if (locked) return lockedPage(reply, t, token, locked, (await db.debtor.findUnique({ where: { id: visit.debtorId }, select: { timeZone: true } }))?.timeZone ?? 'UTC');
        return identityAnswer(reply, t, token, visit, request.query.method);
      },
    );

    app.post(
      '/p/:token',
      { schema: { tags: ['debtor page'], summary: "A form of the debtor's page: the identity check, or one of the person's own acts (HTML)", params: ZToken, querystring: ZQuery, body: ZForm, response: pageAnswers } },
      async (request, reply) => {
        const { token } = request.params;
        const form = request.body;
        const visit = await visitOrAnswer(request, reply, token);
        if (!visit) return reply;
        const t = messagesFor(languageOf(request, visit, form));

        if (form.action === undefined) {
          // The identity check.
          if (form.csrf !== identityCsrf(token)) return identityAnswer(reply, t, token, visit, form.method, { kind: 'error', text: t.formExpired }, 403);
          const method = (identityMethods as readonly string[]).includes(form.method ?? '') ? (form.method as IdentityMethod) : identityMethods[0];
          const result = await confirmIdentity({ db, linkSecret, visit, answers: { method, lastName: form.lastName, postalCode: form.postalCode, birthDate: form.birthDate, last4: form.last4 } });
          if (result.ok) {
            const value = signSession(linkSecret, { debtorId: visit.debtorId, communicationId: visit.communicationId, expiresAt: Date.now() + sessionMinutes * 60_000 });
            reply.setCookie(sessionCookie, value, { path: '/p/', httpOnly: true, sameSite: 'strict', secure, maxAge: sessionMinutes * 60 });
            return reply.code(303).header('cache-control', 'no-store').redirect(`/p/${token}?lang=${t.lang}`, 303);
          }
          if ('lockedUntil' in result) {
            const zone = (await db.debtor.findUnique({ where: { id: visit.debtorId }, select: { timeZone: true } }))?.timeZone ?? 'UTC';
            return lockedPage(reply, t, token, result.lockedUntil, zone);
          }
          return identityAnswer(reply, t, token, visit, method, { kind: 'error', text: t.identity.wrong(result.left) }, 422);
        }

        const session = currentSession(request, visit);
        if (!session) return identityAnswer(reply, t, token, visit, undefined, { kind: 'error', text: t.sessionEnded }, 403);
        if (!csrfMatches(linkSecret, session, form.csrf)) return accountsAnswer(reply, t, token, visit, session, { kind: 'error', text: t.formExpired }, 403);
        const parsed = ZPageAction.safeParse(form);
        if (!parsed.success) return accountsAnswer(reply, t, token, visit, session, { kind: 'error', text: t.formExpired }, 422);
        const person = await pagePerson({ db, temporal, debtorId: visit.debtorId, creditorName: brand });
        if (!person) return accountsAnswer(reply, t, token, visit, session, { kind: 'error', text: t.errors.account }, 422);
        const action = parsed.data;
        const csrf = csrfToken(linkSecret, session);
        // What changed something answers with a redirect to the page (a reload then sends nothing again); its notice rides along.
        const done = (notice: Notice) => {
          reply.setCookie(flashCookie, signFlash(linkSecret, { kind: notice.kind, text: String(notice.text) }), { path: '/p/', httpOnly: true, sameSite: 'strict', secure, maxAge: 60 });
          return reply.code(303).header('cache-control', 'no-store').redirect(`/p/${token}?lang=${t.lang}`, 303);
        };
        const card = (caseId: string, heading: string, button: string, setupSecret: string, confirm: Parameters<typeof cardPage>[1]['confirm'], notice?: Notice) => {
          const { publishableKey, scriptUrl } = payments!.browserConfig();
          return send(reply, 200, cardPage(frame(t, token, heading), { action: `/p/${token}`, csrf, caseId, heading, button, setupSecret, publishableKey, scriptUrl, confirm, ...(notice ? { notice } : {}) }), true);
        };

        if (action.action === 'pay_confirm' || action.action === 'autopay_confirm') {
          if (!payments) return accountsAnswer(reply, t, token, visit, session, { kind: 'error', text: t.errors.payments }, 503);
          if (action.action === 'pay_confirm') {
            const outcome = await confirmPagePayment({ db, temporal, processor: payments, visit, person, caseId: action.caseId, paymentId: action.paymentId });
            const notice = paymentNotice(t, outcome);
            return outcome.state === 'succeeded' || outcome.state === 'processing' ? done(notice) : accountsAnswer(reply, t, token, visit, session, notice, 422);
          }
          const set = await confirmAutopay({ db, temporal, processor: payments, visit, person, caseId: action.caseId, setupId: action.setupId });
          if (!set) return accountsAnswer(reply, t, token, visit, session, { kind: 'error', text: t.errors.payments }, 422);
          return done({ kind: 'ok', text: t.results.autopaySet });
        }

        const result = await performAction({ db, temporal, visit, person, action });
        if (result.ok && result.kind === 'pay') {
          if (!payments) return accountsAnswer(reply, t, token, visit, session, { kind: 'error', text: t.errors.payments }, 503);
          let started;
          try {
            started = await startPagePayment({ db, temporal, processor: payments, caseId: result.caseId, amount: result.amount, currency: result.currency });
          } catch (error) {
            // The shared path checks again against the live balance: a refusal there is said like ours.
            if (error instanceof ApiError && error.statusCode < 500) return accountsAnswer(reply, t, token, visit, session, { kind: 'error', text: t.errors.refused(error.message) }, 422);
            throw error;
          }
          const amount = money(t, result.amount, result.currency);
          return card(result.caseId, t.pay.heading, t.pay.submit(amount), started.setupClientSecret, { action: 'pay_confirm', paymentId: started.paymentId });
        }
        if (result.ok && result.kind === 'plan' && result.autopay && payments) {
          const setup = await startAutopaySetup({ processor: payments, visit, caseId: result.caseId });
          return card(result.caseId, t.pay.heading, t.pay.saveCard, setup.clientSecret, { action: 'autopay_confirm', setupId: setup.setupId }, { kind: 'ok', text: `${t.results.plan} ${t.results.autopay}` });
        }
        const notice = noticeOf(t, result, person.timeZone);
        return result.ok ? done(notice) : accountsAnswer(reply, t, token, visit, session, notice, 422);
      },
    );
  };
}

function paymentNotice(t: Messages, outcome: PaymentOutcome): Notice {
  switch (outcome.state) {
    case 'succeeded':
      return { kind: 'ok', text: t.results.paid(money(t, outcome.amount, outcome.currency)) };
    case 'processing':
      return { kind: 'ok', text: t.results.processing(money(t, outcome.amount, outcome.currency)) };
    case 'failed':
      return { kind: 'error', text: t.results.failed(outcome.reason) };
    default:
      return { kind: 'error', text: t.errors.payments };
  }
}

function problemText(t: Messages, problem: Problem): string {
  switch (problem.kind) {
    case 'amountAboveBalance':
      return t.errors.amountAboveBalance(money(t, problem.balance, problem.currency));
    case 'currency':
      return t.errors.currency(problem.currency);
    case 'dateTooLate':
      return t.errors.dateTooLate(day(t, problem.latest));
    case 'refused':
      return t.errors.refused(problem.reason);
    case 'callback':
      return t.errors.callback(problem.reason);
    default:
      return t.errors[problem.kind];
  }
}

function noticeOf(t: Messages, result: ActionResult, timeZone: string): Notice {
  if (!result.ok) return { kind: 'error', text: problemText(t, result.problem) };
  switch (result.kind) {
    case 'promise':
      return { kind: 'ok', text: t.results.promise(money(t, result.amount, result.currency), day(t, result.dueDate)) };
    case 'plan':
      return { kind: 'ok', text: t.results.plan };
    case 'dispute':
      return { kind: 'ok', text: t.results.dispute };
    case 'preferences':
      return { kind: 'ok', text: t.results.preferences };
    case 'callback':
      return { kind: 'ok', text: t.results.callback(clock(t, result.at, timeZone)) };
    case 'opt_out':
      return { kind: 'ok', text: t.results.optOut(t.preferences.channels[result.channel as keyof Messages['preferences']['channels']] ?? result.channel) };
    case 'pay':
      return { kind: 'error', text: t.errors.payments };
  }
}
