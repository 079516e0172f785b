import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';
import { copyOutsideTests, expectNoSecretInOutputs } from '../helpers/secret-output.js';

const RULE = 'committed-env-secret';
const CASES = path.join(FIXTURES, RULE);
const ENV_FILES = ['.env', '.env.example', '.env.production', '.env.test'].map((name) => path.join(CASES, name));
const folders: string[] = [];

afterEach(() => {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

function writeOutsideTests(name: string, text: string): string {
  const folder = copyOutsideTests([]);
  folders.push(folder);
  fs.writeFileSync(path.join(folder, name), text);
  return path.join(folder, name);
}

describeRuleFixtures(RULE);

describe('committed-env-secret findings', () => {
  it('name the key and the file', async () => {
    const result = await scanPaths([path.join(CASES, '.env')], { rules: [RULE] });
    const messages = result.findings.map((finding) => finding.message);
    expect(messages).toContain(
      'Password in the postgres connection string in DATABASE_URL of .env (Qm7…, 12 characters).',
    );
    expect(messages).toContain('AWS access key ID in AWS_ACCESS_KEY_ID of .env (AKIA…, 20 characters).');
    expect(messages).toContain('Secret in JWT_SECRET of .env (smCa…, 32 characters).');
  });

  it('are high outside test files', async () => {
    const file = writeOutsideTests('.env', 'GITHUB_TOKEN=ghp_BY6rfNcAKEIOUttYpATIk27f4t3tGolUByxR\n');
    const result = await scanPaths([file], { rules: [RULE], cwd: path.dirname(file) });
    expect(result.findings.map((finding) => finding.severity)).toEqual(['high']);
  });

  it('are low in a .env.test file', async () => {
    const file = writeOutsideTests('.env.test', 'GITHUB_TOKEN=ghp_BY6rfNcAKEIOUttYpATIk27f4t3tGolUByxR\n');
    const result = await scanPaths([file], { rules: [RULE], cwd: path.dirname(file) });
    expect(result.findings.map((finding) => finding.severity)).toEqual(['low']);
  });

  it('read a quoted value over several lines', async () => {
    const text = [
      'APP_NAME=clinic',
      'SIGNING_KEY="-----BEGIN EC PRIVATE KEY-----',
      'MHcCAQEEIBkq7tXN3p0Q8w2vY5m1cR4sD6fG9hJ0kL3zA7xB2nV8oAoGCCqGSM49',
      '-----END EC PRIVATE KEY-----"',
      'API_TOKEN=hONva1lZp814HtFbtfeeHv0fG2xPVD8AfOTovYGk',
      '',
    ].join('\n');
    const file = writeOutsideTests('.env', text);
    const result = await scanPaths([file], { rules: [RULE], cwd: path.dirname(file) });
    expect(result.findings.map((finding) => finding.location.startLine)).toEqual([2, 5]);
  });

  it('never print a found secret in full', async () => {
    expectNoSecretInOutputs(await scanPaths(ENV_FILES, { rules: [RULE] }));
  });
});
