import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDefaultConfig } from '../../src/config/schema.js';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';
import { copyOutsideTests, expectNoSecretInOutputs } from '../helpers/secret-output.js';

const RULE = 'weak-signing-secret';
const CASES = path.join(FIXTURES, RULE);
const folders: string[] = [];

afterEach(() => {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

describeRuleFixtures(RULE);

describe('weak-signing-secret findings', () => {
  it('name the environment variable of a fallback', async () => {
    const result = await scanPaths([path.join(CASES, 'express-session-fallback.js')], { rules: [RULE] });
    const messages = result.findings.map((finding) => finding.message);
    expect(messages).toContain(
      'Session secret of session() falls back to a literal when SESSION_SECRET is unset (key…, 12 characters).',
    );
    expect(messages).toContain(
      'Cookie signing secret of cookieParser() is a literal shorter than 32 characters (coo…, 13 characters).',
    );
  });

  it('relate a fallback constant to the calls that use it', async () => {
    const result = await scanPaths([path.join(CASES, 'jsonwebtoken-defaults.ts')], { rules: [RULE] });
    const constant = result.findings.find((finding) => finding.location.startLine === 3);
    expect(constant?.related.map((item) => item.location.startLine)).toEqual([6]);
  });

  it('are high outside test code', async () => {
    const folder = copyOutsideTests([path.join(CASES, 'express-session-fallback.js')]);
    folders.push(folder);
    const result = await scanPaths([folder], { rules: [RULE], cwd: folder });
    expect(result.findings.map((finding) => finding.severity)).toEqual(['high', 'high']);
  });

  it('follow minSecretLength', async () => {
    const config = createDefaultConfig();
    config.minSecretLength = 12;
    const file = path.join(CASES, 'jsonwebtoken-defaults.ts');
    const result = await scanPaths([file], { rules: [RULE, 'hardcoded-secret'], config });
    // A random 12-character literal is long enough now, so it is a hard-coded secret rather than a short one.
    const atLine14 = result.findings
      .filter((finding) => finding.location.startLine === 14)
      .map((finding) => finding.ruleId);
    expect(atLine14).toEqual(['hardcoded-secret']);
  });

  it('leave a literal to one rule only', async () => {
    const result = await scanPaths([CASES], { rules: [RULE, 'hardcoded-secret'] });
    const places = result.findings.map(
      (finding) => `${finding.location.file}:${finding.location.startLine}:${finding.location.startColumn}`,
    );
    expect(new Set(places).size).toBe(places.length);
  });

  it('never print a found secret in full', async () => {
    expectNoSecretInOutputs(await scanPaths([CASES], { rules: [RULE] }));
  });
});
