import type { IdentityMethod } from '../domain/self-service-policy.js';
import type { PageAccount, PagePerson } from '../api/services/debtor-page/person.js';
import { balancePartsRows } from './balance-parts.js';
import { html, type SafeHtml } from './html.js';
import { day, money } from './i18n.js';
import type { Messages } from './messages-en.js';
import { styles } from './styles.js';

/**
 * The debtor page's views: plain server-rendered HTML forms that work without JavaScript (only
 * the card form loads the processor's script). Every form posts back to the link's own address
 * with the session's CSRF token and the page language.
 */

export interface Notice {
  kind: 'ok' | 'error';
  text: string | SafeHtml;
}

interface Frame {
  t: Messages;
  /** The same page in the other language. */
  switchHref: string;
  title: string;
  brand: string;
}

export function layout({ t, switchHref, title, brand }: Frame, body: SafeHtml, head: SafeHtml | string = ''): string {
  return `<!doctype html>${html`<html lang="${t.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><meta name="referrer" content="no-referrer"><title>${title} · ${brand}</title><style>${styles}</style>${head}</head><body><a class="skip" href="#main">${t.skip}</a><header><p>${brand}</p><nav aria-label="${t.otherLanguage.label}"><a href="${switchHref}" hreflang="${t.otherLanguage.code}" lang="${t.otherLanguage.code}">${t.otherLanguage.label}</a></nav></header><main id="main">${body}</main><footer><p>${t.disclosure}</p></footer></body></html>`.value}`;
}

const noticeBlock = (notice: Notice | undefined) =>
  notice ? html`<div class="notice ${notice.kind}" role="${notice.kind === 'error' ? 'alert' : 'status'}">${notice.text}</div>` : '';

/** A page that says only one thing: a bad or expired link, a locked check. */
export function messagePage(frame: Frame, heading: string, text: string): string {
  return layout(frame, html`<h1>${heading}</h1><p>${text}</p>`);
}

const hidden = (name: string, value: string) => html`<input type="hidden" name="${name}" value="${value}">`;

export function identityPage(
  frame: Frame,
  { action, csrf, method, methods, notice, methodHref }: { action: string; csrf: string; method: IdentityMethod; methods: IdentityMethod[]; notice?: Notice; methodHref: (method: IdentityMethod) => string },
): string {
  const { t } = frame;
  const fields: Record<IdentityMethod, SafeHtml> = {
    last_name_zip: html`<label for="lastName">${t.identity.lastName}</label><input id="lastName" name="lastName" autocomplete="family-name" required maxlength="100">
      <label for="postalCode">${t.identity.postalCode}</label><input id="postalCode" name="postalCode" autocomplete="postal-code" inputmode="numeric" required maxlength="12">`,
    birth_date: html`<label for="birthDate">${t.identity.birthDate}<span class="hint" id="birthDateHint">${t.identity.birthDateHint}</span></label><input id="birthDate" name="birthDate" type="date" aria-describedby="birthDateHint" autocomplete="bday" required>`,
    last4: html`<label for="last4">${t.identity.last4}</label><input id="last4" name="last4" inputmode="numeric" pattern="[0-9]{4}" maxlength="4" autocomplete="off" required>`,
  };
  const others = methods.filter((candidate) => candidate !== method);
  return layout(
    frame,
    html`<h1>${t.identity.heading}</h1>${noticeBlock(notice)}<p>${t.identity.intro}</p>
    <section class="card"><form method="post" action="${action}">${hidden('csrf', csrf)}${hidden('method', method)}${hidden('lang', t.lang)}${fields[method]}<button type="submit">${t.identity.submit}</button></form>
    ${others.length ? html`<p>${t.identity.useInstead} ${others.map((other, index) => html`${index ? ' · ' : ''}<a href="${methodHref(other)}">${t.identity.methods[other]}</a>`)}</p>` : ''}</section>`,
  );
}

function itemization(t: Messages, account: PageAccount): SafeHtml {
  const m = (minor: number) => money(t, minor, account.currency);
  const ledger = account.itemization;
  if (ledger) {
    // The ledger's own itemization (Regulation F): it adds up to the balance now.
    return html`<details><summary>${t.accounts.itemization}</summary><dl>
    <dt>${t.accounts.owedOn(day(t, ledger.itemizationDate))}</dt><dd>${m(ledger.onItemizationDate)}</dd>
    <dt>${t.accounts.interestSince}</dt><dd>+${m(ledger.interestSince)}</dd>
    <dt>${t.accounts.feesSince}</dt><dd>+${m(ledger.feesSince)}</dd>
    <dt>${t.accounts.paid}</dt><dd>−${m(ledger.paidOrCreditedSince)}</dd>
    <dt>${t.accounts.current}</dt><dd>${m(ledger.now)}</dd>${balancePartsRows(t, account)}</dl></details>`;
  }
  return html`<details><summary>${t.accounts.itemization}</summary><dl>
    <dt>${t.accounts.placed}</dt><dd>${m(account.originalBalance)}</dd>
    ${account.paid ? html`<dt>${t.accounts.paid}</dt><dd>−${m(account.paid)}</dd>` : ''}
    ${account.waived ? html`<dt>${t.accounts.waived}</dt><dd>−${m(account.waived)}</dd>` : ''}
    <dt>${t.accounts.current}</dt><dd>${m(account.balance)}</dd>${balancePartsRows(t, account)}</dl></details>`;
}

function arrangementBlock(t: Messages, account: PageAccount, autopay: boolean): SafeHtml | string {
  const arrangement = account.arrangement;
  if (!arrangement) return '';
  const m = (minor: number) => money(t, minor, account.currency);
  const heading = arrangement.kind === 'plan' ? t.arrangement.plan : arrangement.kind === 'promise' ? t.arrangement.promise : t.arrangement.settlement;
  return html`<h3>${heading}</h3>${autopay ? html`<p>${t.arrangement.autopayOn}</p>` : ''}<table><thead><tr><th scope="col">${t.arrangement.due}</th><th scope="col" class="num">${t.arrangement.amount}</th><th scope="col" class="num">${t.arrangement.paid}</th></tr></thead><tbody>${arrangement.installments.map(
    (installment) => html`<tr><td>${day(t, installment.dueDate)}</td><td class="num">${m(installment.amount)}</td><td class="num">${m(installment.paid)}</td></tr>`,
  )}</tbody></table>`;
}

export interface AccountsPageOptions {
  action: string;
  csrf: string;
  person: PagePerson;
  notice?: Notice;
  /** Card payments are possible (a processor is configured). */
  payments: boolean;
  /** Cases whose plan has autopay set. */
  autopay: ReadonlySet<string>;
  today: string;
  firstDueDate: string;
  planLatest: string;
}

function actions(t: Messages, account: PageAccount, options: AccountsPageOptions): SafeHtml {
  const id = (name: string) => `${name}-${account.caseId}`;
  const base = html`${hidden('csrf', options.csrf)}${hidden('lang', t.lang)}${hidden('caseId', account.caseId)}`;
  const m = (minor: number) => money(t, minor, account.currency);
  const promiseLatest = new Date(Date.parse(`${options.today}T00:00:00Z`) + account.policy.maxPromiseDays * 86_400_000).toISOString().slice(0, 10);
  const canArrange = !account.arrangement && !account.disputed;
  const pay = options.payments
    ? html`<form method="post" action="${options.action}">${base}${hidden('action', 'pay')}${hidden('full', 'on')}${hidden('amount', '')}${hidden('currency', account.currency)}<h3>${t.actions.payFull}</h3><button type="submit">${t.actions.payFullButton(m(account.balance))}</button></form>
      <form method="post" action="${options.action}">${base}${hidden('action', 'pay')}${hidden('currency', account.currency)}<h3>${t.actions.payPart}</h3><label for="${id('pay-amount')}">${t.actions.amount} <span class="hint" id="${id('pay-hint')}">${t.actions.amountHint(account.currency)}</span></label><input id="${id('pay-amount')}" name="amount" inputmode="decimal" aria-describedby="${id('pay-hint')}" required maxlength="20"><button type="submit" class="secondary">${t.actions.payPartButton}</button></form>`
    : '';
  const promise = canArrange
    ? html`<form method="post" action="${options.action}">${base}${hidden('action', 'promise')}<h3>${t.actions.promise}</h3><label for="${id('promise-amount')}">${t.actions.amount} <span class="hint">${t.actions.amountHint(account.currency)}</span></label><input id="${id('promise-amount')}" name="amount" inputmode="decimal" required maxlength="20"><label for="${id('promise-date')}">${t.actions.promiseDate} <span class="hint">${t.actions.promiseDateHint(day(t, promiseLatest))}</span></label><input id="${id('promise-date')}" name="dueDate" type="date" min="${options.today}" max="${promiseLatest}" required><button type="submit" class="secondary">${t.actions.promiseButton}</button></form>`
    : '';
  const plan = canArrange
    ? account.offers.length
      ? html`<form method="post" action="${options.action}">${base}${hidden('action', 'plan')}<fieldset><legend>${t.actions.plan}</legend>${account.offers.map((offer, index) => {
          const regular = offer.schedule.filter((installment) => installment.seq > 0);
          const typical = regular[0]?.amount ?? 0;
          return html`<label class="choice"><input type="radio" name="installments" value="${offer.installments}" ${index === 0 ? html`checked` : ''}>${t.actions.planOffer(offer.installments, m(typical), t.actions.frequencies[offer.frequency])}${offer.downPayment ? html` (${t.actions.planDown(m(offer.downPayment))})` : ''}</label>`;
        })}</fieldset><label for="${id('plan-first')}">${t.actions.planFirst}</label><input id="${id('plan-first')}" name="firstDueDate" type="date" value="${options.firstDueDate}" min="${options.today}" max="${options.planLatest}" required>${options.payments ? html`<label class="choice"><input type="checkbox" name="autopay" value="on" checked>${t.actions.autopay}</label>` : ''}<button type="submit">${t.actions.planButton}</button></form>`
      : html`<h3>${t.actions.plan}</h3><p>${t.actions.planNone}</p>`
    : '';
  const dispute = account.disputed
    ? ''
    : html`<form method="post" action="${options.action}">${base}${hidden('action', 'dispute')}<h3>${t.actions.dispute}</h3><label for="${id('dispute-reason')}">${t.actions.disputeReason}</label><textarea id="${id('dispute-reason')}" name="reason" rows="3" maxlength="2000" required></textarea><button type="submit" class="secondary">${t.actions.disputeButton}</button></form>`;
  const callback = html`<form method="post" action="${options.action}">${base}${hidden('action', 'callback')}<h3>${t.actions.callback}</h3><label for="${id('callback-at')}">${t.actions.callbackWhen}</label><input id="${id('callback-at')}" name="at" type="datetime-local"><label for="${id('callback-note')}">${t.actions.callbackNote}</label><input id="${id('callback-note')}" name="note" maxlength="1000"><button type="submit" class="secondary">${t.actions.callbackButton}</button></form>`;
  return html`<h3>${t.actions.heading}</h3><div class="actions">${pay}${plan}${promise}${dispute}${callback}</div>`;
}

function accountCard(t: Messages, account: PageAccount, options: AccountsPageOptions): SafeHtml {
  const heading = `account-${account.caseId}`;
  return html`<section class="card" aria-labelledby="${heading}"><h2 id="${heading}">${t.accounts.account} ${account.externalId}</h2>
    <dl><dt>${t.accounts.creditor}</dt><dd>${account.creditor}</dd><dt>${t.accounts.balance}</dt><dd class="balance">${money(t, account.balance, account.currency)}</dd></dl>
    ${itemization(t, account)}
    ${account.disputed ? html`<p class="notice ok">${t.accounts.disputed}</p>` : ''}
    ${arrangementBlock(t, account, options.autopay.has(account.caseId))}
    <details><summary>${t.accounts.validation}</summary><p>${t.accounts.validationText}</p></details>
    ${account.closed ? html`<p>${t.accounts.closed}</p>` : actions(t, account, options)}</section>`;
}

function preferencesBlock(t: Messages, person: PagePerson, options: AccountsPageOptions): SafeHtml {
  const stored = (person.preferences ?? {}) as { preferredChannel?: string | null };
  const base = html`${hidden('csrf', options.csrf)}${hidden('lang', t.lang)}`;
  const channels: [string, string][] = Object.entries(t.preferences.channels);
  return html`<section class="card" aria-labelledby="preferences"><h2 id="preferences">${t.preferences.heading}</h2>
    <form method="post" action="${options.action}">${base}${hidden('action', 'preferences')}
      <label for="pref-language">${t.preferences.language}</label><select id="pref-language" name="language">${(['en', 'es'] as const).map((code) => html`<option value="${code}" ${code === person.language ? html`selected` : ''}>${t.preferences.languages[code]}</option>`)}</select>
      <label for="pref-channel">${t.preferences.channel}</label><select id="pref-channel" name="preferredChannel">${channels.map(([code, label]) => html`<option value="${code}" ${code === (stored.preferredChannel ?? 'none') ? html`selected` : ''}>${label}</option>`)}</select>
      <fieldset><legend>${t.preferences.quiet}</legend><label for="pref-from">${t.preferences.from}</label><input id="pref-from" name="quietFrom" type="time"><label for="pref-to">${t.preferences.to}</label><input id="pref-to" name="quietTo" type="time"></fieldset>
      <button type="submit" class="secondary">${t.preferences.save}</button></form>
    <form method="post" action="${options.action}">${base}${hidden('action', 'opt_out')}<h3>${t.preferences.optOut}</h3><label for="optout-channel">${t.preferences.optOutChannel}</label><select id="optout-channel" name="channel">${channels
      .filter(([code]) => code !== 'none')
      .map(([code, label]) => html`<option value="${code}">${label}</option>`)}</select><button type="submit" class="secondary">${t.preferences.optOutButton}</button></form></section>`;
}

export function accountsPage(frame: Frame, options: AccountsPageOptions): string {
  const { t } = frame;
  const { person } = options;
  return layout(
    frame,
    html`<h1>${t.accounts.heading}</h1>${noticeBlock(options.notice)}${person.accounts.length ? person.accounts.map((account) => accountCard(t, account, options)) : html`<p>${t.accounts.none}</p>`}${preferencesBlock(t, person, options)}`,
  );
}

export interface CardPageOptions {
  action: string;
  csrf: string;
  caseId: string;
  heading: string;
  button: string;
  /** Stripe.js `confirmCardSetup` secret. */
  setupSecret: string;
  publishableKey: string;
  scriptUrl: string;
  /** What the form posts once the card is collected. */
  confirm: { action: 'pay_confirm'; paymentId: string } | { action: 'autopay_confirm'; setupId: string };
  notice?: Notice;
}

/** The card form: the processor's own script collects the card, then the form posts to the server, which charges or saves it. */
export function cardPage(frame: Frame, options: CardPageOptions): string {
  const { t } = frame;
  const confirm = options.confirm.action === 'pay_confirm' ? hidden('paymentId', options.confirm.paymentId) : hidden('setupId', options.confirm.setupId);
  return layout(
    frame,
    html`<h1>${options.heading}</h1>${noticeBlock(options.notice)}<section class="card"><form id="card-form" method="post" action="${options.action}" data-key="${options.publishableKey}" data-secret="${options.setupSecret}" data-working="${t.pay.working}">${hidden('csrf', options.csrf)}${hidden('lang', t.lang)}${hidden('caseId', options.caseId)}${hidden('action', options.confirm.action)}${confirm}
      <p id="card-label"><strong>${t.pay.card}</strong></p><div id="card" role="group" aria-labelledby="card-label"></div><p id="card-error" role="alert"></p><button type="submit">${options.button}</button></form>
      <p><a href="${options.action}?lang=${t.lang}">${t.results.back}</a></p></section>`,
    html`<script src="${options.scriptUrl}"></script><script src="/p/assets/card.js" defer></script>`,
  );
}
