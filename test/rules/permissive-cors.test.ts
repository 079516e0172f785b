import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('permissive-cors');

const CASES = path.join(FIXTURES, 'permissive-cors');
const BOTH_RULES = ['permissive-cors', 'cors-credentials-any-origin'];

describe('permissive-cors findings', () => {
  it('name the middleware call', async () => {
    const result = await scanPaths([path.join(CASES, 'express-cors-no-options.ts')], { rules: ['permissive-cors'] });
    const [finding] = result.findings;
    expect(finding?.message).toBe('cors() without options allows every origin.');
    expect(finding?.severity).toBe('high');
  });

  it('describe the weak origin value', async () => {
    const result = await scanPaths([path.join(CASES, 'fastify-origin-true.js')], { rules: ['permissive-cors'] });
    const messages = result.findings.map((finding) => finding.message);
    expect(messages).toContain('@fastify/cors with origin: true allows every origin.');
    expect(messages).toContain('@fastify/cors with no origin option allows every origin.');
  });

  it('point at the option in the exporting module', async () => {
    const result = await scanPaths([path.join(CASES, 'options-from-config-module')], { rules: ['permissive-cors'] });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]?.location.file).toMatch(/options-from-config-module\/config\/cors\.ts$/);
    expect(result.findings[0]?.location.startLine).toBe(2);
  });

  it('leave credential faults to the other rule', async () => {
    const result = await scanPaths([path.join(CASES, 'credentials-case-reported-by-other-rule.ts')], { rules: BOTH_RULES });
    expect(result.findings.map((finding) => finding.ruleId)).toEqual(['cors-credentials-any-origin', 'cors-credentials-any-origin']);
  });

  it('report one echoed header once', async () => {
    const result = await scanPaths([path.join(CASES, 'express-reflected-origin.ts')], { rules: BOTH_RULES });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]?.message).toBe(
      "Access-Control-Allow-Origin echoes the request's Origin header without checking it against a list.",
    );
  });
});
