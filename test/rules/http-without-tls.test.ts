import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('http-without-tls');

describe('http-without-tls findings', () => {
  it('say what the request carries', async () => {
    const result = await scanPaths([path.join(FIXTURES, 'http-without-tls', 'lab-gateway.ts')], { rules: ['http-without-tls'] });
    const byLine = new Map(result.findings.map((finding) => [finding.location.startLine, finding.message]));
    expect(byLine.get(7)).toContain('`diagnosis` in the body, personal or health data');
    expect(byLine.get(15)).toContain('the Authorization header');
    expect(byLine.get(20)).toContain('`password` in the body');
    expect(byLine.get(24)).toContain('the key query parameter');
  });
});
