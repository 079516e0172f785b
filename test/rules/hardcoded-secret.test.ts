import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDefaultConfig } from '../../src/config/schema.js';
import { maskSecret } from '../../src/rules/shared/secrets.js';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';
import { copyOutsideTests, expectNoSecretInOutputs } from '../helpers/secret-output.js';

const RULE = 'hardcoded-secret';
const CASES = path.join(FIXTURES, RULE);
const folders: string[] = [];

afterEach(() => {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

function writeOutsideTests(name: string, text: string): string {
  const folder = copyOutsideTests([]);
  folders.push(folder);
  fs.writeFileSync(path.join(folder, name), text);
  return folder;
}

describeRuleFixtures(RULE);

describe('hardcoded-secret findings', () => {
  it('name the holder and mask the value', async () => {
    const result = await scanPaths([path.join(CASES, 'aws-s3-client.ts')], { rules: [RULE] });
    const messages = result.findings.map((finding) => finding.message);
    expect(messages).toContain('Hard-coded AWS access key ID in credentials.accessKeyId (AKIA…, 20 characters).');
    expect(messages).toContain(
      'Hard-coded AWS secret access key in credentials.secretAccessKey (HVJW…, 40 characters).',
    );
  });

  it('are critical outside test code', async () => {
    const folder = copyOutsideTests([path.join(CASES, 'aws-s3-client.ts')]);
    folders.push(folder);
    const result = await scanPaths([folder], { rules: [RULE], cwd: folder });
    expect(result.findings.map((finding) => finding.severity)).toEqual(['critical', 'critical']);
  });

  it('are low in test code', async () => {
    const result = await scanPaths([path.join(CASES, 'aws-s3-client.ts')], { rules: [RULE] });
    expect(result.findings.map((finding) => finding.severity)).toEqual(['low', 'low']);
  });

  it('carry no snippet', async () => {
    const result = await scanPaths([CASES], { rules: [RULE] });
    expect(result.findings.filter((finding) => finding.snippet !== undefined)).toEqual([]);
  });

  it('never print a found secret in full', async () => {
    expectNoSecretInOutputs(await scanPaths([CASES], { rules: [RULE] }));
  });

  it('keep their fingerprint when the value changes', async () => {
    const template = (key: string) => `export const client = { apiKey: '${key}' };\n`;
    const first = writeOutsideTests('client.ts', template('smCaDAoZuSEyDvvWq03mSM9B8zhIPT2Q'));
    const second = writeOutsideTests('client.ts', template('hONva1lZp814HtFbtfeeHv0fG2xPVD8AfOTovYGk'));
    const [before] = (await scanPaths([first], { rules: [RULE], cwd: first })).findings;
    const [after] = (await scanPaths([second], { rules: [RULE], cwd: second })).findings;
    expect(before?.fingerprint).toBeDefined();
    expect(after?.fingerprint).toBe(before?.fingerprint);
  });

  it('relate a key constant to the calls that use it', async () => {
    const result = await scanPaths([path.join(CASES, 'jwt-literal-secret.mjs')], { rules: [RULE] });
    const constant = result.findings.find((finding) => finding.location.startLine === 3);
    expect(constant?.message).toBe('Hard-coded JWT secret in JWT_SECRET (FhQO…, 32 characters).');
    expect(constant?.related.map((item) => item.location.startLine)).toEqual([6, 10]);
  });

  it('start a multi-line private key at its first line', async () => {
    const pem = [
      '-----BEGIN PRIVATE KEY-----',
      'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj',
      '-----END PRIVATE KEY-----',
    ];
    const folder = writeOutsideTests('signer.ts', `export const signingKey = \`${pem.join('\n')}\`;\n`);
    const result = await scanPaths([folder], { rules: [RULE], cwd: folder });
    // The length is that of the whole block, lines and line breaks included.
    expect(result.findings.map((finding) => [finding.location.startLine, finding.message])).toEqual([
      [1, `Hard-coded private key in signingKey (----…, ${pem.join('\n').length} characters).`],
    ]);
  });

  it('skip values that match testSecrets.patterns', async () => {
    const config = createDefaultConfig();
    config.testSecrets.patterns = ['^AKIAVQJX'];
    const result = await scanPaths([path.join(CASES, 'aws-s3-client.ts')], { rules: [RULE], config });
    expect(result.findings.map((finding) => finding.location.startLine)).toEqual([7]);
  });

  it('skip files that match testSecrets.paths', async () => {
    const config = createDefaultConfig();
    config.testSecrets.paths = ['test/fixtures/hardcoded-secret/provider-*.js', 'key-in-shared-module'];
    const result = await scanPaths([CASES], { rules: [RULE], config });
    const files = new Set(result.findings.map((finding) => path.basename(finding.location.file)));
    expect(files.has('provider-keys.js')).toBe(false);
    expect(files.has('keys.ts')).toBe(false);
    expect(files.has('tokens.ts')).toBe(false);
    expect(files.has('aws-s3-client.ts')).toBe(true);
  });
});

describe('maskSecret', () => {
  it('shows four characters of a long value', () => {
    expect(maskSecret('HVJWDBt2hWdQZUm14QhoxhLPAbQcEFUV2fsjGHb6')).toBe('HVJW…, 40 characters');
  });

  it('shows a quarter of a short value', () => {
    expect(maskSecret('Fka84v7bMw')).toBe('Fk…, 10 characters');
  });

  it('shows nothing of a very short value', () => {
    expect(maskSecret('abc')).toBe('…, 3 characters');
  });
});
