import { describe, expect, it } from 'vitest';
import { definitionYaml } from '../../console/src/editor/definition-yaml.js';
import { lineOf, rangeOfPath } from '../../console/src/editor/yaml-paths.js';

/** Where the console's strategy editor underlines a problem the API reports by path. */

const text = definitionYaml({
  steps: [
    { action: 'email', at: 'P0D', id: 'reminder', template: 'reminder' },
    { at: 'P3X', id: 'call', action: 'call' },
  ],
  name: 'Example',
  key: 'example',
  templates: { reminder: { body: 'Hello', channel: 'email' } },
});

const lineAt = (path: string) => {
  const range = rangeOfPath(text, path);
  return range ? { line: lineOf(text, range.from), text: text.slice(range.from, range.to) } : null;
};

describe('strategy problems located in the YAML text', () => {
  it('writes stored definitions in the order people write them', () => {
    expect(text.split('\n').slice(0, 4)).toEqual(['key: example', 'name: Example', 'templates:', '  reminder:']);
    expect(text).toContain('  - id: call\n    at: P3X\n    action: call');
  });

  it('underlines a scalar field with its key, on its own line', () => {
    expect(lineAt('steps.1.at')).toEqual({ line: text.split('\n').indexOf('    at: P3X') + 1, text: 'at: P3X' });
    expect(lineAt('templates.reminder.channel')?.text).toBe('channel: email');
  });

  it('points a missing field at its nearest parent, and a list item at its first line', () => {
    expect(lineAt('templates.reminder.subject')?.text).toBe('reminder');
    expect(lineAt('steps.0')?.text).toBe('id: reminder');
    expect(lineAt('steps.7.at')?.text).toBe('steps');
  });

  it('finds paths in JSON text too', () => {
    const json = JSON.stringify({ key: 'x', steps: [{ id: 'a', at: 'nope' }] }, null, 2);
    const range = rangeOfPath(json, 'steps.0.at');
    expect(range && json.slice(range.from, range.to)).toBe('"at": "nope"');
    expect(range && lineOf(json, range.from)).toBe(6);
  });
});
