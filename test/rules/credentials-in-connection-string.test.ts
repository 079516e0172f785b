import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';
import { copyOutsideTests, expectNoSecretInOutputs, readFoundText } from '../helpers/secret-output.js';

const RULE = 'credentials-in-connection-string';
const CASES = path.join(FIXTURES, RULE);
const folders: string[] = [];

afterEach(() => {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

describeRuleFixtures(RULE);

describe('credentials-in-connection-string findings', () => {
  it('point at the password only', async () => {
    const result = await scanPaths([path.join(CASES, 'pg-redis-amqp.js')], { rules: [RULE] });
    const [first] = result.findings;
    expect(first).toBeDefined();
    expect(readFoundText(result.root, first!.location)).toBe('Zr8vQ2mN6x');
  });

  it('keep an @ inside the password', async () => {
    const result = await scanPaths([path.join(CASES, 'at-sign-in-password.ts')], { rules: [RULE] });
    const [first] = result.findings;
    expect(first).toBeDefined();
    expect(readFoundText(result.root, first!.location)).toBe('Tr0ub4dor@Xk9mQ2vLp7Wn');
  });

  it('name the scheme and the holder', async () => {
    const result = await scanPaths([path.join(CASES, 'pg-redis-amqp.js')], { rules: [RULE] });
    expect(result.findings.map((finding) => finding.message)).toEqual([
      'Connection string (postgres) in connectionString contains a hard-coded password (Zr…, 10 characters).',
      'Connection string (redis) in the argument of new Redis() contains a hard-coded password (Tq…, 10 characters).',
      'Connection string (amqps) in the argument of amqp.connect() contains a hard-coded password (Pz…, 10 characters).',
    ]);
  });

  it('are critical outside test code', async () => {
    const folder = copyOutsideTests([path.join(CASES, 'mongoose-atlas.ts')]);
    folders.push(folder);
    const result = await scanPaths([folder], { rules: [RULE], cwd: folder });
    expect(result.findings.map((finding) => finding.severity)).toEqual(['critical']);
  });

  it('never print a found password in full', async () => {
    expectNoSecretInOutputs(await scanPaths([CASES], { rules: [RULE] }));
  });
});
