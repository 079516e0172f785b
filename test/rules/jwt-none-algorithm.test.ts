import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

const RULE = 'jwt-none-algorithm';
const CASES = path.join(FIXTURES, RULE);

describeRuleFixtures(RULE);

describe('jwt-none-algorithm findings', () => {
  it('point at the algorithms option', async () => {
    const result = await scanPaths([path.join(CASES, 'jsonwebtoken-none.ts')], { rules: [RULE] });
    const [first] = result.findings;
    expect(first?.location.startColumn).toBe(38);
    expect(first?.message).toBe("The algorithms list of jwt.verify() accepts 'none', so tokens without a signature pass verification.");
    expect(first?.severity).toBe('critical');
  });

  it('name signing with none', async () => {
    const result = await scanPaths([path.join(CASES, 'jsonwebtoken-none.ts')], { rules: [RULE] });
    expect(result.findings.map((finding) => finding.message)).toContain(
      "jwt.sign() signs tokens with the 'none' algorithm, so they carry no signature.",
    );
  });
});
