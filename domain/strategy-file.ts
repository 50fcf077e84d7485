import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { parseStrategyDefinition, type StrategyProblem, type TStrategyDefinition } from './strategy.js';

/**
 * Strategy files: `.json`, or `.yaml` / `.yml` for people who write them by hand. Read by the CLI,
 * the tests and the seed; validated by the same strategy language as the API, and each problem
 * carries the line of the field when the file shows it. Uses the `yaml` package (YAML 1.2, so
 * `no` stays a string; duplicate keys are refused).
 */

export interface FileProblem extends StrategyProblem {
  /** 1-based line of the field (or of its nearest parent) in the file. */
  line?: number;
}

export type FileResult<T> = { ok: true; value: T } | { ok: false; problems: FileProblem[] };

export type DataFormat = 'json' | 'yaml';

export function formatOf(file: string): DataFormat {
  const extension = extname(file).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  throw new Error(`${file}: a strategy file ends in .json, .yaml or .yml`);
}

/** The document's data, or its syntax problems with their lines. */
export function parseData(text: string, format: DataFormat): FileResult<unknown> & { lines?: (path: StrategyProblem['path']) => number | undefined } {
  const lineCounter = new LineCounter();
  const document: Document = parseDocument(text, { lineCounter, prettyErrors: true });
  const lines = (path: StrategyProblem['path']) => {
    for (let length = path.length; length >= 0; length--) {
      const node = document.getIn(path.slice(0, length), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  if (format === 'json') {
    try {
      return { ok: true, value: JSON.parse(text) as unknown, ...(document.errors.length === 0 ? { lines } : {}) };
    } catch (error) {
      return { ok: false, problems: [{ path: [], message: `JSON: ${(error as Error).message}` }] };
    }
  }
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map((error) => ({
        path: [],
        // The first line of a pretty message, without its trailing "at line n, column m:" (the line is kept apart).
        message: `YAML: ${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:$/, '')}`,
        ...(error.linePos ? { line: error.linePos[0].line } : {}),
      })),
    };
  }
  return { ok: true, value: document.toJS() as unknown, lines };
}

/** Parses and validates a strategy written as JSON or YAML text. */
export function parseStrategyText(text: string, format: DataFormat): FileResult<TStrategyDefinition> {
  const data = parseData(text, format);
  if (!data.ok) return data;
  const parsed = parseStrategyDefinition(data.value);
  if (parsed.ok) return parsed;
  return {
    ok: false,
    problems: parsed.problems.map((problem) => {
      const line = data.lines?.(problem.path);
      return line === undefined ? problem : { ...problem, line };
    }),
  };
}

/** Reads and validates a strategy file. */
export async function loadStrategyFile(file: string): Promise<FileResult<TStrategyDefinition>> {
  return parseStrategyText(await readFile(file, 'utf8'), formatOf(file));
}

/** Reads any JSON or YAML data file (a sample account, segment rules), unvalidated. */
export async function loadDataFile(file: string): Promise<FileResult<unknown>> {
  const { lines: _lines, ...data } = parseData(await readFile(file, 'utf8'), formatOf(file));
  return data;
}

/** One line per problem: `path (line n): message`. */
export function formatProblems(problems: FileProblem[]): string {
  return problems
    .map((problem) => `${problem.path.length ? problem.path.join('.') : '(file)'}${problem.line ? ` (line ${problem.line})` : ''}: ${problem.message}`)
    .join('\n');
}
