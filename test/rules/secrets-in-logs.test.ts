import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDefaultConfig } from '../../src/config/schema.js';
import { actualPlaces, describeRuleFixtures, FIXTURES, REPO_ROOT, scanPaths } from '../helpers/fixtures.js';

const RULE = 'secrets-in-logs';
const CASES = path.join(FIXTURES, RULE);

async function scanCase(name: string, options: Parameters<typeof scanPaths>[1] = {}) {
  return scanPaths([path.join(CASES, name)], { rules: [RULE], ...options });
}

function findingAt(result: Awaited<ReturnType<typeof scanCase>>, line: number) {
  return result.findings.find((finding) => finding.ruleId === RULE && finding.location.startLine === line);
}

describeRuleFixtures(RULE);

describe('secrets-in-logs findings', () => {
  it('name the logged value', async () => {
    const result = await scanCase('nest-password-service.ts');
    expect(findingAt(result, 18)?.message).toBe('dto.newPassword is written to the log unmasked.');
    expect(findingAt(result, 24)?.message).toBe('resetToken is written to the log unmasked.');
  });

  it('are high severity', async () => {
    const result = await scanCase('nest-password-service.ts');
    expect(result.findings.map((finding) => finding.severity)).toEqual(['high', 'high']);
  });

  it('list several values of one call in one finding', async () => {
    const result = await scanCase('pino-token-issuer.ts');
    const atIssue = result.findings.filter((finding) => finding.location.startLine === 9);
    expect(atIssue).toHaveLength(1);
    expect(atIssue[0]?.message).toBe('accessToken and refreshToken are written to the log unmasked.');
  });

  it('start where a multi-line call starts', async () => {
    const result = await scanCase('pino-token-issuer.ts');
    const revoke = findingAt(result, 15);
    expect(revoke?.location.startColumn).toBe(3);
    expect(revoke?.location.endLine).toBe(18);
  });

  it('describe whole request bodies and headers', async () => {
    const body = await scanCase('winston-login-body.ts');
    expect(findingAt(body, 15)?.message).toBe('req.body, the whole request body, is written to the log, with any password or token it holds.');
    const headers = await scanCase('express-auth-header-router.js');
    expect(findingAt(headers, 14)?.message).toBe('req.headers, every request header, is written to the log, Authorization and Cookie included.');
  });

  it('point at the field that makes a typed object sensitive', async () => {
    const result = await scanCase('typed-user-record.ts');
    const finding = findingAt(result, 16);
    expect(finding?.message).toBe('user is written to the log with its password field unmasked.');
    expect(finding?.related.map((item) => [item.location.startLine, item.message])).toEqual([[6, 'UserRecord declares password here.']]);
  });

  it('show the caller of a same-file helper', async () => {
    const result = await scanCase('helpers-in-same-file.ts');
    const finding = findingAt(result, 7);
    expect(finding?.message).toBe('password (passed in as details) is written to the log unmasked.');
    expect(finding?.related[0]?.location.startLine).toBe(22);
  });

  it('use the type of a DTO from another module', async () => {
    const result = await scanCase('nest-imported-dto');
    const login = result.findings.find((finding) => finding.location.file.endsWith('auth.controller.ts') && finding.location.startLine === 11);
    expect(login?.message).toBe('dto is written to the log with its password field unmasked.');
  });

  it('treat a body of a type outside the scan as a request body', async () => {
    const result = await scanCase('nest-imported-dto');
    const webhook = result.findings.find((finding) => finding.location.startLine === 22);
    expect(webhook?.message).toBe('payload, the whole request body, is written to the log, with any password or token it holds.');
  });
});

describe('secrets-in-logs redactors', () => {
  const helper = path.join('test', 'fixtures', RULE, 'project-redactor-helper');

  it('report helpers that are not declared', async () => {
    const result = await scanCase('project-redactor-helper');
    expect(actualPlaces(result, RULE)).toEqual([`${helper}/signup.ts:10`, `${helper}/signup.ts:11`, `${helper}/signup.ts:12`]);
  });

  it('accept declared redactors from packages and project modules', async () => {
    const config = createDefaultConfig();
    config.wrappers.redactors.push(
      { module: '@clinic/log-safety', export: 'stringifyForLog' },
      { module: `./${helper}/privacy`, export: 'toLogSafe' },
    );
    const result = await scanCase('project-redactor-helper', { config });
    expect(actualPlaces(result, RULE)).toEqual([`${helper}/signup.ts:12`]);
  });

  it('accept the absolute paths the config loader makes', async () => {
    const config = createDefaultConfig();
    config.wrappers.redactors.push({ module: path.join(REPO_ROOT, helper, 'privacy'), export: 'describeBody' });
    const result = await scanCase('project-redactor-helper', { config });
    expect(actualPlaces(result, RULE)).toEqual([`${helper}/signup.ts:10`, `${helper}/signup.ts:11`]);
  });

  it('ignore a redactor declared under another export name', async () => {
    const config = createDefaultConfig();
    config.wrappers.redactors.push({ module: '@clinic/log-safety', export: 'default' });
    const result = await scanCase('project-redactor-helper', { config });
    expect(actualPlaces(result, RULE)).toHaveLength(3);
  });
});

describe('secrets-in-logs and personal-data-in-logs together', () => {
  const file = path.join(FIXTURES, 'personal-data-in-logs', 'secrets-and-personal-data.ts');

  it('report each reason once, under its own rule', async () => {
    const result = await scanPaths([file], { rules: [RULE, 'personal-data-in-logs'] });
    const atLine12 = result.findings.filter((finding) => finding.location.startLine === 12);
    expect(atLine12.map((finding) => [finding.ruleId, finding.message]).sort()).toEqual([
      ['personal-data-in-logs', 'ssn is written to the log unmasked.'],
      [RULE, 'password is written to the log unmasked.'],
    ]);
  });

  it('give an object with both kinds of field to this rule only', async () => {
    const result = await scanPaths([file], { rules: [RULE, 'personal-data-in-logs'] });
    const atLine13 = result.findings.filter((finding) => finding.location.startLine === 13);
    expect(atLine13.map((finding) => finding.ruleId)).toEqual([RULE]);
  });

  it('leave health-data DTOs to personal-data-in-logs', async () => {
    const result = await scanPaths([path.join(FIXTURES, 'personal-data-in-logs', 'nest-patient-dto.ts')], { rules: [RULE] });
    expect(result.findings).toEqual([]);
  });
});
