import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { actualPlaces, describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

const RULE = 'jwt-without-expiry';
const CASES = path.join(FIXTURES, RULE);

describeRuleFixtures(RULE);

describe('jwt-without-expiry findings', () => {
  it('carry severity and message', async () => {
    const result = await scanPaths([path.join(CASES, 'jsonwebtoken-esm.ts')], { rules: [RULE] });
    const [finding] = result.findings;
    expect(finding?.severity).toBe('high');
    expect(finding?.message).toBe('jwt.sign() signs a token with no expiresIn option and no exp claim, so the token never expires.');
  });

  it('trust options imported from a module outside the scan', async () => {
    const result = await scanPaths([path.join(CASES, 'imported-options', 'tokens.ts')], { rules: [RULE] });
    expect(actualPlaces(result, RULE)).toEqual([]);
  });

  it('report a NestJS sign call when no registration is scanned', async () => {
    const service = path.join(CASES, 'nest-module-without-expiry', 'auth.service.ts');
    const result = await scanPaths([service], { rules: [RULE] });
    expect(actualPlaces(result, RULE)).toEqual([`${path.relative(path.resolve(FIXTURES, '..', '..'), service)}:15`]);
    expect(result.findings[0]?.message).toContain('no JwtModule registration in the scan sets one');
  });

  it('report a NestJS registration once for its module', async () => {
    const result = await scanPaths([path.join(CASES, 'nest-module-without-expiry')], { rules: [RULE] });
    expect(result.findings.map((finding) => path.basename(finding.location.file))).toEqual(['auth.module.ts']);
  });
});
