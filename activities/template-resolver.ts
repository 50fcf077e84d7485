import { ApplicationFailure } from '@temporalio/activity';
import { isTemplateLanguage, withStandardBlocks, type TemplateLanguage } from '../domain/disclosures.js';
import type { MessageChannel, TTemplate } from '../domain/strategy.js';
import type { TTemplateRef } from '../domain/template-definition.js';
import type { Db } from '../lib/db.js';
import { managedTemplate } from '../records/templates.js';
import { SendFailureType } from './outbox.js';

/**
 * The template a send uses: a managed one named by key (and language, and optionally version),
 * or the one written inline in the strategy. Managed templates are looked up when the message
 * is sent, so a fix to a template reaches running cases; the version used is recorded on the
 * communication, and a step can pin one with `version`.
 */

export interface ResolvedTemplate {
  key: string;
  template: TTemplate;
  language: TemplateLanguage;
  /** Null for an inline template. */
  version: number | null;
}

export interface TemplateChoice {
  /** Name of the inline template (also the fallback key of a managed one). */
  templateKey: string;
  template?: TTemplate | undefined;
  templateRef?: TTemplateRef | undefined;
  language?: string | undefined;
}

const misconfigured = (message: string) => ApplicationFailure.nonRetryable(message, SendFailureType.stepMisconfigured);

export async function resolveTemplate(db: Db, channel: MessageChannel, choice: TemplateChoice): Promise<ResolvedTemplate> {
  const wanted: TemplateLanguage = choice.templateRef?.language ?? (choice.language && isTemplateLanguage(choice.language) ? choice.language : 'en');
  if (choice.templateRef) {
    const { key, version } = choice.templateRef;
    const find = (language: string) => managedTemplate(db, { key, language, version });
    // A debtor whose language has no version of this template gets the English one.
    const row = (await find(wanted)) ?? (wanted === 'en' ? null : await find('en'));
    // A strategy's inline copy stands in until the managed template exists.
    if (!row && choice.template) return inline(choice.templateKey, choice.template, wanted);
    if (!row) throw misconfigured(`no ${version ? `version ${version} of ` : 'active '}template "${key}" in ${wanted}${wanted === 'en' ? '' : ' or en'}`);
    if (row.channel !== channel) throw misconfigured(`template "${key}" is for ${row.channel}, not ${channel}`);
    return {
      key,
      template: { channel, body: row.body, ...(row.subject ? { subject: row.subject } : {}) },
      language: isTemplateLanguage(row.language) ? row.language : 'en',
      version: row.version,
    };
  }
  if (!choice.template) throw misconfigured(`no template for "${choice.templateKey}"`);
  if (choice.template.channel !== channel) throw misconfigured(`template "${choice.templateKey}" is for ${choice.template.channel}, not ${channel}`);
  return inline(choice.templateKey, choice.template, wanted);
}

/** A strategy's inline template, completed with the disclosure and opt-out it may lack. */
function inline(key: string, template: TTemplate, language: TemplateLanguage): ResolvedTemplate {
  return { key, template: { ...template, body: withStandardBlocks(template.channel, template.body, language) }, language, version: null };
}
