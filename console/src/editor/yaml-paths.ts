import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';

/**
 * Where a problem the API reports by path (`steps.1.at`) sits in the text the manager is editing.
 * YAML is a superset of JSON, so one parser gives source ranges for both forms. A path that does
 * not exist in the text (a missing field) points at its nearest existing parent.
 */
export interface TextRange {
  from: number;
  to: number;
}

/** The first line of `[from, to)`: a whole map or list would underline half the file. */
function firstLine(text: string, from: number, to: number): TextRange {
  const newline = text.indexOf('\n', from);
  return { from, to: newline === -1 || newline > to ? to : newline };
}

export function rangeOfPath(text: string, path: string): TextRange | null {
  const document = parseDocument(text, { keepSourceTokens: false });
  let node: unknown = document.contents;
  let best: TextRange | null = (node as Node | null)?.range ? firstLine(text, (node as Node).range![0], (node as Node).range![1]) : null;
  for (const segment of path.split('.').filter(Boolean)) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
      if (!pair || !isScalar(pair.key) || !pair.key.range) break;
      const value = pair.value as Node | null;
      // A scalar value: underline "key: value"; a nested map or list: its key.
      best = isScalar(value) && value.range ? { from: pair.key.range[0], to: value.range[1] } : { from: pair.key.range[0], to: pair.key.range[1] };
      node = value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (!item?.range) break;
      best = firstLine(text, item.range[0], item.range[1]);
      node = item;
    } else {
      break;
    }
  }
  return best;
}

/** 1-based line of an offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset && index < text.length; index++) if (text.charCodeAt(index) === 10) line++;
  return line;
}
