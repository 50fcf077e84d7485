import { describe, expect, it } from 'vitest';
import { renderHtml, renderText, templateFieldProblems, templateFields, templateValues } from '../../domain/templates.js';

const unknown = (name: string) => `unknown field {{${name}}}; known fields: ${templateFields.join(', ')}`;

describe('templateFieldProblems', () => {
  it.each<[string, string, string[]]>([
    ['plain text', 'Please pay.', []],
    ['every known field', templateFields.map((field) => `{{${field}}}`).join(' '), []],
    ['unescaped forms of known fields', '{{{debtor.name}}} {{& balance}}', []],
    ['a section and an inverted section on known fields', '{{#balance}}owed {{balance}}{{/balance}}{{^originalBalance}}-{{/originalBalance}}', []],
    ['a comment', '{{! debtor.ssn is not a field, but this is a comment }}', []],
    ['an unknown field', 'Hi {{debtor.firstName}}', [unknown('debtor.firstName')]],
    ['an unknown field once, however often used', '{{x}} {{x}} {{{x}}}', [unknown('x')]],
    ['several unknown fields, in order', '{{a}} {{balance}} {{b}}', [unknown('a'), unknown('b')]],
    ['a section on an unknown field', '{{#vip}}Thanks!{{/vip}}', [unknown('vip')]],
    ['an inverted section on an unknown field', '{{^vip}}Pay now{{/vip}}', [unknown('vip')]],
    ['an unknown field inside a known section', '{{#balance}}{{dueDate}}{{/balance}}', [unknown('dueDate')]],
    ['an unknown unescaped field', '{{{html}}}', [unknown('html')]],
  ])('%s', (_name, text, expected) => {
    expect(templateFieldProblems(text)).toEqual(expected);
  });

  it.each([
    ['an unclosed section', 'Dear {{#debtor.name}}', 'template syntax: Unclosed section "debtor.name" at 21'],
    ['a section closed with another name', '{{#balance}}x{{/currency}}', 'template syntax: Unclosed section "balance" at 13'],
    ['an unclosed tag', 'Dear {{debtor.name', 'template syntax: Unclosed tag at 18'],
    ['a closing tag with no section', 'x{{/balance}}', 'template syntax: Unopened section "balance" at 1'],
  ])('reports a syntax error: %s', (_name, text, message) => {
    expect(templateFieldProblems(text)).toEqual([message]);
  });
});

describe('rendering', () => {
  const values = templateValues(
    { externalId: 'A-1', currency: 'USD', balance: 123_456, originalBalance: 150_000, debtor: { name: 'Smith & Sons <Ltd>' } },
    { caseId: 'case-1' },
  );

  it('builds the values every template field names', () => {
    expect(values).toEqual({
      debtor: { name: 'Smith & Sons <Ltd>' },
      balance: '$1,234.56',
      originalBalance: '$1,500.00',
      currency: 'USD',
      account: { externalId: 'A-1' },
      case: { id: 'case-1' },
    });
  });

  it('renderText leaves the text as written', () => {
    expect(renderText('Hi {{debtor.name}}, {{balance}} is due on {{account.externalId}}.', values)).toBe(
      'Hi Smith & Sons <Ltd>, $1,234.56 is due on A-1.',
    );
  });

  it('renderHtml escapes what the debtor supplied', () => {
    const script = templateValues(
      { externalId: 'A-2', currency: 'USD', balance: 1, originalBalance: 1, debtor: { name: '<script>alert("x")</script>' } },
      { caseId: 'case-2' },
    );
    expect(renderHtml('<p>Dear {{debtor.name}}</p>', script)).toBe(
      '<p>Dear &lt;script&gt;alert(&quot;x&quot;)&lt;&#x2F;script&gt;</p>',
    );
    expect(renderHtml('{{debtor.name}}', values)).toBe('Smith &amp; Sons &lt;Ltd&gt;');
  });

  it('renderText does not change how renderHtml escapes afterwards', () => {
    renderText('{{debtor.name}}', values);
    expect(renderHtml('{{debtor.name}}', values)).toBe('Smith &amp; Sons &lt;Ltd&gt;');
  });
});
