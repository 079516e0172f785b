import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';
import { allRules } from '../../src/rules/index.js';

describeRuleFixtures('cors-credentials-any-origin');

const CASES = path.join(FIXTURES, 'cors-credentials-any-origin');
const BOTH_RULES = ['permissive-cors', 'cors-credentials-any-origin'];

describe('cors-credentials-any-origin findings', () => {
  it('name the option and credentials', async () => {
    const result = await scanPaths([path.join(CASES, 'express-origin-true-credentials.js')], { rules: BOTH_RULES });
    expect(result.findings).toHaveLength(1);
    const [finding] = result.findings;
    expect(finding?.ruleId).toBe('cors-credentials-any-origin');
    expect(finding?.message).toBe('cors() with origin: true and credentials: true allows credentialed requests from every origin.');
    expect(finding?.severity).toBe('critical');
  });

  it('report an echoed Origin with credentials', async () => {
    const result = await scanPaths([path.join(CASES, 'express-manual-reflection.ts')], { rules: BOTH_RULES });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]?.message).toBe(
      "Access-Control-Allow-Origin echoes the request's Origin header without a check while Access-Control-Allow-Credentials is true.",
    );
    expect(result.findings[0]?.location.startLine).toBe(8);
  });

  it('point at the option in a CommonJS module', async () => {
    const result = await scanPaths([path.join(CASES, 'cjs-options-module')], { rules: BOTH_RULES });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]?.location.file).toMatch(/cjs-options-module\/cors-options\.js$/);
    expect(result.findings[0]?.ruleId).toBe('cors-credentials-any-origin');
  });

  it('carry both CWE ids', () => {
    const rule = allRules.find((candidate) => candidate.meta.id === 'cors-credentials-any-origin');
    expect(rule?.meta.cwe).toEqual([942, 346]);
  });
});
