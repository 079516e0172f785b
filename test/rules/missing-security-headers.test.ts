import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('missing-security-headers');

const folder = path.join(FIXTURES, 'missing-security-headers');

describe('missing-security-headers across modules', () => {
  it('accepts helmet added by the module that imports the app', async () => {
    const result = await scanPaths([path.join(folder, 'app-and-server')], { rules: ['missing-security-headers'] });
    expect(result.findings).toEqual([]);
  });

  it('reports the app when its own module is scanned alone', async () => {
    const result = await scanPaths([path.join(folder, 'app-and-server', 'src', 'app.ts')], { rules: ['missing-security-headers'] });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]?.location.startLine).toBe(5);
  });

  it('accepts a Fastify plugin of another module', async () => {
    const result = await scanPaths([path.join(folder, 'fastify-plugin')], { rules: ['missing-security-headers'] });
    expect(result.findings).toEqual([]);
  });

  it('tells which app a hardening function received', async () => {
    const result = await scanPaths([path.join(folder, 'express-factory')], { rules: ['missing-security-headers'] });
    expect(result.findings.map((finding) => finding.location.file.split('/').pop())).toEqual(['app.js']);
  });

  it('names the fix for the framework', async () => {
    const result = await scanPaths([path.join(folder, 'fastify-server.js')], { rules: ['missing-security-headers'] });
    expect(result.findings[0]?.message).toContain('@fastify/helmet');
  });
});
