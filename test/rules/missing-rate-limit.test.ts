import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDefaultConfig } from '../../src/config/schema.js';
import { analyzeFile } from '../../src/engine/analyze-file.js';
import { allRules } from '../../src/rules/index.js';
import { actualPlaces, describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

const RULE = 'missing-rate-limit';
const CASES = path.join(FIXTURES, RULE);

describeRuleFixtures(RULE);

describe('missing-rate-limit configuration', () => {
  it('accepts a package declared as a rate limiter', async () => {
    const config = createDefaultConfig();
    config.wrappers.rateLimiters.push({ module: '@acme/edge-guard', export: 'guardAttempts' });
    const result = await scanPaths([path.join(CASES, 'declared-wrapper-package.ts')], { rules: [RULE], config });
    expect(actualPlaces(result, RULE)).toEqual([]);
  });

  it('accepts a project module declared as a rate limiter', async () => {
    const config = createDefaultConfig();
    // The configuration loader makes module paths absolute, from the folder of .keneyaudit.yml.
    const module = path.join(CASES, 'declared-wrapper-module', 'security', 'attempts');
    config.wrappers.rateLimiters.push({ module, export: 'limitAttempts' });
    const result = await scanPaths([path.join(CASES, 'declared-wrapper-module')], { rules: [RULE], config });
    expect(actualPlaces(result, RULE)).toEqual([]);
  });

  it('ignores a declaration of another export', async () => {
    const config = createDefaultConfig();
    config.wrappers.rateLimiters.push({ module: '@acme/edge-guard', export: 'default' });
    const result = await scanPaths([path.join(CASES, 'declared-wrapper-package.ts')], { rules: [RULE], config });
    expect(actualPlaces(result, RULE)).toEqual(['test/fixtures/missing-rate-limit/declared-wrapper-package.ts:9']);
  });

  it('flags a path listed under authRoutes', async () => {
    const config = createDefaultConfig();
    config.authRoutes = ['^/kiosk/pin$'];
    const result = await scanPaths([path.join(CASES, 'configured-auth-route.ts')], { rules: [RULE], config });
    expect(actualPlaces(result, RULE)).toEqual(['test/fixtures/missing-rate-limit/configured-auth-route.ts:8']);
  });
});

describe('missing-rate-limit finding', () => {
  it('names the method and the full path', async () => {
    const result = await scanPaths([path.join(CASES, 'nested-routers')], { rules: [RULE] });
    const [finding] = result.findings;
    expect(finding?.message).toBe('Authentication route POST /api/invites/:token/register has no rate limiter.');
    expect(finding?.severity).toBe('high');
  });

  it('starts at the NestJS route decorator', async () => {
    const result = await scanPaths([path.join(CASES, 'nest-module-without-guard')], { rules: [RULE] });
    const [finding] = result.findings;
    expect(finding?.location.startLine).toBe(5);
    expect(finding?.location.endLine).toBe(6);
    expect(finding?.message).toContain('POST /accounts/register');
  });
});

describe('missing-rate-limit facts', () => {
  it('survive a JSON round trip', async () => {
    const file = path.join(CASES, 'express-app-and-routers', 'app.ts');
    const rule = allRules.find((candidate) => candidate.meta.id === RULE)!;
    const result = analyzeFile('app.ts', fs.readFileSync(file, 'utf8'), {
      rules: [rule],
      config: createDefaultConfig(),
      semantic: { sanitizers: [], projectPrefixes: [] },
      knownRuleIds: new Set([RULE]),
    });
    const facts = result.facts[RULE];
    expect(facts).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(facts))).toEqual(facts);
  });
});
