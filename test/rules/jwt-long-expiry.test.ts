import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDefaultConfig } from '../../src/config/schema.js';
import { parseTimeSpan } from '../../src/rules/shared/jwt-lifetime.js';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

const RULE = 'jwt-long-expiry';
const SPANS = path.join(FIXTURES, RULE, 'jsonwebtoken-spans.ts');

describeRuleFixtures(RULE);

describe('parseTimeSpan', () => {
  it.each([
    ['30d', 30 * 86_400],
    ['2h', 7_200],
    ['7 days', 7 * 86_400],
    ['1.5 hours', 5_400],
    ['90m', 5_400],
    ['2w', 14 * 86_400],
    ['120', 0.12],
    ['500ms', 0.5],
  ])('reads %s', (text, seconds) => {
    expect(parseTimeSpan(text)).toBeCloseTo(seconds);
  });

  it('rejects text that is not a time span', () => {
    expect(parseTimeSpan('1 monkey')).toBeUndefined();
    expect(parseTimeSpan('')).toBeUndefined();
  });
});

describe('jwt-long-expiry limits', () => {
  it('follow maxTokenLifetime from the config', async () => {
    const config = createDefaultConfig();
    config.maxTokenLifetime = 400 * 86_400;
    const result = await scanPaths([SPANS], { rules: [RULE], config });
    expect(result.findings).toEqual([]);
  });

  it('flag short lifetimes under a strict maximum', async () => {
    const config = createDefaultConfig();
    config.maxTokenLifetime = 5 * 60;
    const result = await scanPaths([SPANS], { rules: [RULE], config });
    const messages = result.findings.map((finding) => finding.message);
    expect(messages).toContain('expiresIn gives tokens a lifetime of 15 minutes, more than the maximum of 5 minutes.');
  });

  it('name the lifetime and the limit', async () => {
    const result = await scanPaths([SPANS], { rules: [RULE] });
    expect(result.findings[0]?.message).toBe('expiresIn gives tokens a lifetime of 30 days, more than the maximum of 1 day.');
    expect(result.findings[0]?.severity).toBe('medium');
  });
});
