import { z } from 'zod';

/**
 * Click-to-call through Twilio Voice: the account (the same TWILIO_* variables the worker sends
 * SMS with), whether calls are recorded by default, and the officers' own lines per API key.
 */
export interface VoiceSettings {
  accountSid: string;
  authToken: string;
  /** The caller id both legs see (TWILIO_FROM). */
  from: string;
  /** A stand-in's URL, for tests (TWILIO_API_BASE). */
  apiBase?: string;
  /** Record calls unless the officer says otherwise (CALL_RECORDING=on). */
  recordByDefault: boolean;
  /** Per API key id (`npm run api-keys -- list`), the officer's line the engine calls first. */
  officerLines: Record<string, string>;
}

/**
 * An officer's line: a phone number (E.164), or a browser line, the Twilio Client identity a
 * softphone registered with (`client:alice`; Twilio rings every device signed in under it).
 */
export const officerLinePattern = /^(\+[1-9]\d{1,14}|client:[A-Za-z0-9_]{1,121})$/;
export const officerLineMessage = 'an E.164 number such as +15555550100, or a browser line such as client:alice';

const ZOfficerLines = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const lines: Record<string, string> = {};
    for (const entry of (value ?? '').split(',').map((each) => each.trim()).filter(Boolean)) {
      // Key ids hold no colon; a browser line does (`keyId:client:alice`).
      const cut = entry.indexOf(':');
      const key = entry.slice(0, cut).trim();
      const line = entry.slice(cut + 1).trim();
      if (cut <= 0 || !officerLinePattern.test(line)) {
        ctx.addIssue({ code: 'custom', message: `"${entry}" is not keyId:+E164 or keyId:client:identity` });
        return z.NEVER;
      }
      lines[key] = line;
    }
    return lines;
  });

/** The API's voice variables (part of api/config.ts). */
export const ZVoiceEnv = z.object({
  TWILIO_ACCOUNT_SID: z.string().optional(),
  TWILIO_FROM: z.string().optional(),
  TWILIO_API_BASE: z.url().optional(),
  /** `on` records click-to-call calls by default (with the disclosure the debtor's state requires). */
  CALL_RECORDING: z.enum(['on', 'off']).default('off'),
  /** `keyId:+15555550100,keyId:client:alice,...`: the line click-to-call rings first for each API key (a phone, or a browser softphone's Twilio Client identity). */
  CALL_OFFICER_LINES: ZOfficerLines,
});

/** The voice settings from parsed variables; undefined (calls refused) unless the Twilio account is set. */
export function voiceSettingsOf(env: z.infer<typeof ZVoiceEnv> & { TWILIO_AUTH_TOKEN?: string | undefined }): VoiceSettings | undefined {
  if (!env.TWILIO_ACCOUNT_SID || !env.TWILIO_AUTH_TOKEN || !env.TWILIO_FROM) return undefined;
  return {
    accountSid: env.TWILIO_ACCOUNT_SID,
    authToken: env.TWILIO_AUTH_TOKEN,
    from: env.TWILIO_FROM,
    ...(env.TWILIO_API_BASE ? { apiBase: env.TWILIO_API_BASE } : {}),
    recordByDefault: env.CALL_RECORDING === 'on',
    officerLines: env.CALL_OFFICER_LINES ?? {},
  };
}

/** The voice settings straight from an environment (the test engine's API part). */
export function voiceSettingsFromEnv(env: Record<string, string | undefined>): VoiceSettings | undefined {
  return voiceSettingsOf({ ...ZVoiceEnv.parse(env), TWILIO_AUTH_TOKEN: env.TWILIO_AUTH_TOKEN });
}
