import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('path-traversal');

const fixture = (...parts: string[]): string => path.join(FIXTURES, 'path-traversal', ...parts);

describe('path-traversal findings', () => {
  it('name the source and the function', async () => {
    const result = await scanPaths([fixture('reports-readfile-concat.js')], { rules: ['path-traversal'] });
    const [finding] = result.findings;
    expect(finding?.message).toContain('req.query.file');
    expect(finding?.message).toContain('readFile()');
    expect(finding?.severity).toBe('high');
    expect(finding?.related.map((item) => item.location.startLine)).toEqual([7]);
  });

  it('point at the sendFile call', async () => {
    const result = await scanPaths([fixture('send-file-options.ts')], { rules: ['path-traversal'] });
    const first = result.findings[0];
    expect(first?.location.startLine).toBe(8);
    expect(first?.message).toContain('sendFile()');
  });
});

describe('path-traversal across modules', () => {
  it('reports the service with the controller as source', async () => {
    const result = await scanPaths([fixture('nest-controller-service')], { rules: ['path-traversal'] });
    expect(result.findings).toHaveLength(1);
    const [finding] = result.findings;
    expect(finding?.location.file).toMatch(/documents\.service\.ts$/);
    expect(finding?.message).toContain('@Param().name');
    expect(finding?.related[0]?.location.file).toMatch(/documents\.controller\.ts$/);
    expect(finding?.snippet).toMatch(/\S/);
  });
});
