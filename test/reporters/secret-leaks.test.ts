import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scanPaths } from '../helpers/fixtures.js';
import { copyOutsideTests, formatAll } from '../helpers/secret-output.js';

// Fake credentials, made up for these tests.
const STRIPE_LIKE = 'sk_live_4eC39HqLyjWDarjtT1zdp7dcXq';
const RANDOM_KEY = 'Pb7xW3nQ9mZ2kT5vL8rC4yH6';
const SIGNING_KEY = 'Rk4pZ8mQ2vLx7Wn5Tb9Hc3Jd6Fg1Ys0K';

const folders: string[] = [];

afterEach(() => {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

async function scanFiles(files: Record<string, string>) {
  const folder = copyOutsideTests([]);
  folders.push(folder);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(folder, name), text);
  const result = await scanPaths([folder], { cwd: folder });
  return { result, outputs: Object.values(formatAll(result)).join('\n') };
}

describe('a secret in output', () => {
  it('is masked when it names a holder', async () => {
    const { result, outputs } = await scanFiles({
      'keys.ts': `export const keys: Record<string, string> = {};\nkeys['${STRIPE_LIKE}'] = 'sk_live_9aB8cD7eF6gH5iJ4kL3mN2oP1q';\n`,
    });
    expect(result.findings.some((finding) => finding.ruleId === 'hardcoded-secret')).toBe(true);
    expect(outputs).not.toContain(STRIPE_LIKE);
  });

  it('is not read into a suppression reason', async () => {
    const { result, outputs } = await scanFiles({
      'client.ts': `/* keney-audit-ignore-line hardcoded-secret -- test fixture */ export const apiKey = '${RANDOM_KEY}';\n`,
    });
    expect(result.findings[0]?.suppression?.justification).toBe('test fixture');
    expect(outputs).not.toContain(RANDOM_KEY);
  });

  it('is masked in snippets of a file with carriage returns only', async () => {
    const { outputs } = await scanFiles({
      'server.js': `const app = require('express')();\rexport const apiKey = '${RANDOM_KEY}';\rapp.get('/health', (req, res) => res.end());\rapp.listen(3000);\r`,
    });
    expect(outputs).not.toContain(RANDOM_KEY);
  });

  it('is masked in snippets of the module that declares it', async () => {
    const { result, outputs } = await scanFiles({
      'keys.ts': `export const SIGNING_MATERIAL = '${SIGNING_KEY}'; export const app = require('express')();\n`,
      'sign.ts': `import jwt from 'jsonwebtoken';\nimport { SIGNING_MATERIAL } from './keys';\nexport const token = (payload: object) => jwt.sign(payload, SIGNING_MATERIAL, { expiresIn: '1h' });\n`,
    });
    expect(result.findings.some((finding) => finding.location.file.endsWith('keys.ts') && finding.snippet !== undefined)).toBe(true);
    expect(outputs).not.toContain(SIGNING_KEY);
  });
});
