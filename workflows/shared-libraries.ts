/**
 * Loaded once per worker thread and shared by every workflow (see `bundlerOptions` in
 * worker/workflows-path.ts). Importing luxon here, as the workflow code does, makes the preload
 * load the very module file the workflows use (the ESM build) rather than the CommonJS build a
 * bare `require('luxon')` would resolve to.
 *
 * Not zod: the SDK freezes what a preload exports, and zod writes to its exported regexes
 * (`lastIndex`) and fills its global configuration lazily, so a frozen zod fails on first use.
 */
export * as luxon from 'luxon';
