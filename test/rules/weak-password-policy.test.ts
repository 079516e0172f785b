import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';
import { getRegexMinLength, isAnchored } from '../../src/rules/shared/regex-length.js';

describeRuleFixtures('weak-password-policy');

describe('weak-password-policy findings', () => {
  it('give the accepted length', async () => {
    const result = await scanPaths([path.join(FIXTURES, 'weak-password-policy', 'change-password-input.ts')], { rules: ['weak-password-policy'] });
    const byLine = new Map(result.findings.map((finding) => [finding.location.startLine, finding.message]));
    expect(byLine.get(5)).toContain('`newPassword` accepts passwords of 4 characters');
    expect(byLine.get(12)).toContain('6 characters');
  });

  it('report a missing length at the field', async () => {
    const result = await scanPaths([path.join(FIXTURES, 'weak-password-policy', 'signup-schema.ts')], { rules: ['weak-password-policy'] });
    const missing = result.findings.find((finding) => finding.location.startLine === 11);
    expect(missing?.message).toContain('has no minimum length');
  });
});

describe('getRegexMinLength', () => {
  const cases: Array<[string, number]> = [
    ['^.{6,}$', 6],
    ['^(?=.*\\d)(?=.*[a-z]).{8,64}$', 8],
    ['^[a-zA-Z0-9]{3,30}$', 3],
    ['^(?:[A-Z]|[a-z]{2})\\d+$', 2],
    ['^\\w*$', 0],
    ['^(ab|c)?x{2}$', 2],
  ];
  for (const [source, expected] of cases) {
    it(`measures ${source}`, () => {
      expect(getRegexMinLength(source)).toBe(expected);
    });
  }

  it('tells anchored patterns', () => {
    expect(isAnchored('^.{8,}$')).toBe(true);
    expect(isAnchored('[A-Z]')).toBe(false);
    expect(isAnchored('^abc\\$')).toBe(false);
  });
});
