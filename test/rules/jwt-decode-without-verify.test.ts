import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

const RULE = 'jwt-decode-without-verify';
const CASES = path.join(FIXTURES, RULE);

describeRuleFixtures(RULE);

describe('jwt-decode-without-verify findings', () => {
  it('point at the use of the claims', async () => {
    const result = await scanPaths([path.join(CASES, 'middleware-req-user.js')], { rules: [RULE] });
    const [finding] = result.findings;
    expect(finding?.message).toBe('jwt.decode() reads the token without checking its signature, yet its claims are stored in req.user.');
    expect(finding?.related.map((item) => item.location.startLine)).toEqual([8]);
    expect(finding?.severity).toBe('critical');
  });

  it('name an access decision', async () => {
    const result = await scanPaths([path.join(CASES, 'role-check.ts')], { rules: [RULE] });
    expect(result.findings[0]?.message).toContain('its claims decide access');
  });

  it('describe a payload decoded by hand', async () => {
    const result = await scanPaths([path.join(CASES, 'manual-base64.ts')], { rules: [RULE] });
    expect(result.findings[0]?.message).toMatch(/^Decoding the payload by hand reads the token/);
  });
});
