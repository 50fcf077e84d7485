import type { TemplateLanguage } from '../disclosures.js';
import { formatMoney } from '../money.js';
import type { Itemization } from './ledger.js';

/**
 * The validation notice's words, in the content and order of Regulation F's model form (12 CFR
 * 1006.34(d)(2), forms B-1 and, in Spanish, the CFPB's translation): who is collecting and for
 * whom, the itemization from the ledger, the end of the validation period, how to dispute, how to
 * ask for the original creditor, the CFPB's reference, and the response form. Pure: the letter's
 * PDF and the email render these sections; the figures come only from {@link Itemization}, so the
 * notice, the case status and the case file cannot disagree.
 */

export interface ValidationNoticeFacts {
  language: TemplateLanguage;
  collector: { name: string; mailingAddress: string; phone?: string; disputeUrl?: string };
  consumer: { name: string; mailingAddress?: string };
  /** The creditor to whom the debt is owed now (1006.34(c)(2)(v)). */
  creditor: string;
  /** The creditor on the itemization date, when another (1006.34(c)(2)(iii)). */
  itemizationCreditor?: string;
  accountNumber?: string;
  currency: string;
  itemization: Itemization;
  /** The validation period's last day, `YYYY-MM-DD` (domain/regulation/validation-notice.ts `validationPeriodEnd`). */
  validationPeriodEnds: string;
}

export interface NoticeSection {
  heading?: string;
  lines: string[];
}

function longDate(isoDate: string, language: TemplateLanguage): string {
  return new Intl.DateTimeFormat(language === 'es' ? 'es-US' : 'en-US', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${isoDate}T00:00:00Z`));
}

/** The sections of the notice, in the model form's order. */
export function validationNoticeSections(facts: ValidationNoticeFacts): NoticeSection[] {
  const money = (minor: number) => formatMoney(minor, facts.currency);
  const { itemization: items, collector, creditor } = facts;
  const on = longDate(items.itemizationDate, facts.language);
  const until = longDate(facts.validationPeriodEnds, facts.language);
  const itemizationCreditor = facts.itemizationCreditor ?? creditor;
  const account = facts.accountNumber ?? '';
  const paid = items.paidOrCreditedSince >= 0 ? `– ${money(items.paidOrCreditedSince)}` : `+ ${money(-items.paidOrCreditedSince)}`;
  const reach = [collector.phone, collector.mailingAddress].filter(Boolean).join(' · ');

  if (facts.language === 'es') {
    return [
      { lines: [`${collector.name} es un cobrador de deudas. Estamos tratando de cobrar una deuda que usted le debe a ${creditor}. Usaremos cualquier información que nos proporcione para ayudar a cobrar la deuda.`] },
      {
        heading: 'Nuestra información indica:',
        lines: [
          `Usted tenía una cuenta de ${itemizationCreditor}${account ? ` con el número de cuenta ${account}` : ''}.`,
          `Al ${on}, usted debía: ${money(items.onItemizationDate)}`,
          `Entre el ${on} y hoy:`,
          `Se le cobró esta cantidad en intereses: + ${money(items.interestSince)}`,
          `Se le cobró esta cantidad en cargos: + ${money(items.feesSince)}`,
          `Usted pagó o se le acreditó esta cantidad a la deuda: ${paid}`,
          `Cantidad total de la deuda ahora: ${money(items.now)}`,
        ],
      },
      {
        heading: '¿Cómo puede disputar la deuda?',
        lines: [
          `Llámenos o escríbanos antes del ${until} para disputar toda o parte de la deuda. Si no lo hace, asumiremos que nuestra información es correcta.`,
          `Si nos escribe antes del ${until}, debemos dejar de cobrar cualquier cantidad que usted dispute hasta que le enviemos información que demuestre que usted debe la deuda. Puede usar el formulario de abajo o escribirnos sin el formulario. También puede incluir documentos de apoyo.${collector.disputeUrl ? ` Aceptamos disputas electrónicamente en ${collector.disputeUrl}.` : ''}`,
        ],
      },
      {
        heading: '¿Qué más puede hacer?',
        lines: [
          `Escríbanos para pedir el nombre y la dirección del acreedor original, si es diferente del acreedor actual. Si nos escribe antes del ${until}, debemos dejar de cobrar hasta que le enviemos esa información. Puede usar el formulario de abajo o escribirnos sin el formulario.${collector.disputeUrl ? ` Aceptamos estas solicitudes electrónicamente en ${collector.disputeUrl}.` : ''}`,
          'Visite www.cfpb.gov/debt-collection para conocer sus derechos bajo la ley federal. Por ejemplo, usted tiene derecho a detener o limitar la forma en que nos comunicamos con usted.',
          `Comuníquese con nosotros para conocer sus opciones de pago: ${reach}.`,
        ],
      },
      {
        heading: '¿Cómo desea responder?',
        lines: [
          'Marque todas las opciones que correspondan:',
          'Quiero disputar la deuda porque creo que: ☐ Esta no es mi deuda. ☐ La cantidad es incorrecta. ☐ Otro (describa al reverso o adjunte información adicional).',
          '☐ Quiero que me envíen el nombre y la dirección del acreedor original.',
          '☐ Adjunto esta cantidad: $______',
          `Envíe este formulario a: ${collector.name}, ${collector.mailingAddress}`,
        ],
      },
    ];
  }
  return [
    { lines: [`${collector.name} is a debt collector. We are trying to collect a debt that you owe to ${creditor}. We will use any information you give us to help collect the debt.`] },
    {
      heading: 'Our information shows:',
      lines: [
        `You had an account from ${itemizationCreditor}${account ? ` with account number ${account}` : ''}.`,
        `As of ${on}, you owed: ${money(items.onItemizationDate)}`,
        `Between ${on} and today:`,
        `You were charged this amount in interest: + ${money(items.interestSince)}`,
        `You were charged this amount in fees: + ${money(items.feesSince)}`,
        `You paid or were credited this amount toward the debt: ${paid}`,
        `Total amount of the debt now: ${money(items.now)}`,
      ],
    },
    {
      heading: 'How can you dispute the debt?',
      lines: [
        `Call or write to us by ${until}, to dispute all or part of the debt. If you do not, we will assume that our information is correct.`,
        `If you write to us by ${until}, we must stop collection on any amount you dispute until we send you information that shows you owe the debt. You may use the form below or write to us without the form. You may also include supporting documents.${collector.disputeUrl ? ` We accept disputes electronically at ${collector.disputeUrl}.` : ''}`,
      ],
    },
    {
      heading: 'What else can you do?',
      lines: [
        `Write to ask for the name and address of the original creditor, if different from the current creditor. If you write by ${until}, we must stop collection until we send you that information. You may use the form below or write to us without the form.${collector.disputeUrl ? ` We accept such requests electronically at ${collector.disputeUrl}.` : ''}`,
        'Go to www.cfpb.gov/debt-collection to learn more about your rights under federal law. For instance, you have the right to stop or limit how we contact you.',
        `Contact us about your payment options: ${reach}.`,
        'Póngase en contacto con nosotros para solicitar una copia de este formulario en español.',
      ],
    },
    {
      heading: 'How do you want to respond?',
      lines: [
        'Check all that apply:',
        'I want to dispute the debt because I think: ☐ This is not my debt. ☐ The amount is wrong. ☐ Other (please describe on reverse or attach additional information).',
        '☐ I want you to send me the name and address of the original creditor.',
        '☐ I enclosed this amount: $______',
        `Mail this form to: ${collector.name}, ${collector.mailingAddress}`,
      ],
    },
  ];
}

/** The notice as plain text (the email body; the letter lays out the same sections). */
export function validationNoticeText(facts: ValidationNoticeFacts): string {
  return validationNoticeSections(facts)
    .map((section) => [section.heading, ...section.lines].filter((line) => line !== undefined).join('\n'))
    .join('\n\n');
}
