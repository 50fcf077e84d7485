import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The container image (Dockerfile) copies the source folders one by one and installs only the
 * runtime dependencies (`npm ci --omit=dev`). Both can fall behind the code: a new top-level
 * folder the API imports (debtor-page/ once did) or a package a process needs that sits in
 * devDependencies starts the image and then crashes it. No Docker daemon runs here, so this follows
 * the imports of every process the image runs, with TypeScript's parser, and checks both lists.
 */

const root = resolve(import.meta.dirname, '../..');
/** What the image runs: `api`, `worker` (and the workflow bundle it builds), `migrate`. */
const entryPoints = ['api/main.ts', 'worker/main.ts', 'workflows/index.ts', 'scripts/migrate.ts'];

/** The import specifiers of one file that exist at run time (type-only imports and exports are erased). */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [specifier] = node.arguments;
      if (specifier && ts.isStringLiteral(specifier)) found.push(specifier.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every source file and package reachable from the entry points. */
function importClosure(): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = entryPoints.map((entry) => resolve(root, entry));
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of runtimeImports(file)) {
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
        if (existsSync(target)) pending.push(target);
        else if (!existsSync(resolve(dirname(file), specifier))) throw new Error(`${relative(root, file)} imports ${specifier}, which is not there`);
      } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
        const [scopeOrName, name] = specifier.split('/');
        packages.add(scopeOrName!.startsWith('@') ? `${scopeOrName}/${name}` : scopeOrName!);
      }
    }
  }
  return { files, packages };
}

/** What the Dockerfile's last stage copies from the build context or the build stage. */
function copiedIntoImage(): string[] {
  const lines = readFileSync(resolve(root, 'Dockerfile'), 'utf8').split('\n');
  const lastStage = lines.slice(lines.findLastIndex((line) => /^FROM\s/i.test(line)));
  return lastStage
    .filter((line) => /^COPY\s/i.test(line))
    .flatMap((line) => line.replace(/^COPY\s+/i, '').split(/\s+/).filter((word) => !word.startsWith('--')).slice(0, -1));
}

describe('the container image (Dockerfile)', () => {
  const { files, packages } = importClosure();

  it('copies every source file the API, the worker, its workflows and the migrations import', () => {
    const copied = copiedIntoImage();
    // generated/ is the Prisma client the image's own `npm ci` writes (postinstall).
    const covered = (path: string) => path.startsWith('generated/') || copied.some((source) => path === source || path.startsWith(`${source.replace(/\/$/, '')}/`));
    const missing = [...files].map((file) => relative(root, file)).filter((path) => !covered(path));
    expect(files.size).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });

  it('finds every package those processes import among the runtime dependencies (the image omits devDependencies)', () => {
    const manifest = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const notInstalled = [...packages].filter((name) => !(name in manifest.dependencies));
    expect(packages).toContain('@temporalio/worker');
    expect(notInstalled).toEqual([]);
  });
});
