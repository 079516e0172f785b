import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('server-side-request-forgery');

const fixture = (...parts: string[]): string => path.join(FIXTURES, 'server-side-request-forgery', ...parts);

describe('server-side-request-forgery findings', () => {
  it('name the source and the client', async () => {
    const result = await scanPaths([fixture('link-preview-axios.ts')], { rules: ['server-side-request-forgery'] });
    const [finding] = result.findings;
    expect(finding?.message).toContain('req.body.url');
    expect(finding?.message).toContain('axios.get()');
    expect(finding?.severity).toBe('high');
    expect(finding?.related.map((item) => item.location.startLine)).toEqual([7]);
  });
});

describe('server-side-request-forgery across modules', () => {
  it('reports only the call whose host the client chooses', async () => {
    const result = await scanPaths([fixture('nest-controller-service')], { rules: ['server-side-request-forgery'] });
    expect(result.findings).toHaveLength(1);
    const [finding] = result.findings;
    expect(finding?.location.file).toMatch(/imports\.service\.ts$/);
    expect(finding?.message).toContain('@Body().bundleUrl');
  });
});
