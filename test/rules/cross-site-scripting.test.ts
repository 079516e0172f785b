import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('cross-site-scripting');

const fixture = (...parts: string[]): string => path.join(FIXTURES, 'cross-site-scripting', ...parts);

describe('cross-site-scripting findings', () => {
  it('name the source and the sink', async () => {
    const result = await scanPaths([fixture('express-html-responses.ts')], { rules: ['cross-site-scripting'] });
    const [finding] = result.findings;
    expect(finding?.message).toContain('req.query.name');
    expect(finding?.message).toContain('res.send()');
    expect(finding?.severity).toBe('high');
    expect(finding?.related.map((item) => item.location.startLine)).toEqual([7]);
  });

  it('report markup from props at medium severity', async () => {
    const result = await scanPaths([fixture('comment-list.tsx')], { rules: ['cross-site-scripting'] });
    const [finding] = result.findings;
    expect(finding?.severity).toBe('medium');
    expect(finding?.message).toContain('c.bodyHtml');
    expect(finding?.message).toContain('dangerouslySetInnerHTML');
  });

  it('describe the page address as the source in browser code', async () => {
    const result = await scanPaths([fixture('browser-dom.js')], { rules: ['cross-site-scripting'] });
    expect(result.findings.map((finding) => finding.message.split(' ')[0])).toEqual(['window.location.search', 'location.hash', 'document.referrer', 'location.search']);
  });
});

describe('cross-site-scripting across modules', () => {
  it('reports the helper with the route as source', async () => {
    const result = await scanPaths([fixture('page-helper')], { rules: ['cross-site-scripting'] });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]?.location.file).toMatch(/layout\.ts$/);
    expect(result.findings[0]?.message).toContain('req.params.name');
  });
});
