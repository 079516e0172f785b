import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDefaultConfig, type ResolvedConfig } from '../../src/config/schema.js';
import { FIXTURES, scanPaths } from '../helpers/fixtures.js';

const CASES = path.join(FIXTURES, 'wrappers');

/** A config as the loader gives it: module paths of the project made absolute from the config file's folder. */
function configWith(change: (config: ResolvedConfig) => void): ResolvedConfig {
  const config = createDefaultConfig();
  change(config);
  return config;
}

function ruleIds(result: Awaited<ReturnType<typeof scanPaths>>): string[] {
  return result.findings.map((finding) => finding.ruleId);
}

describe('wrappers.sqlHelpers', () => {
  const folder = path.join(CASES, 'sql-helper');

  it('flags an IN list built by a helper that is not declared', async () => {
    const result = await scanPaths([folder], { rules: ['unparameterized-sql'] });
    expect(ruleIds(result)).toEqual(['unparameterized-sql']);
  });

  it('trusts the helper once declared', async () => {
    const config = configWith((value) => {
      value.wrappers.sqlHelpers.push({ module: path.join(folder, 'db', 'placeholders'), export: 'placeholders' });
    });
    const result = await scanPaths([folder], { rules: ['unparameterized-sql'], config });
    expect(ruleIds(result)).toEqual([]);
  });
});

describe('wrappers.sanitizers', () => {
  const folder = path.join(CASES, 'project-sanitizer');

  it('flags SQL text built with a quoting helper that is not declared', async () => {
    const result = await scanPaths([folder], { rules: ['unparameterized-sql'] });
    expect(ruleIds(result)).toEqual(['unparameterized-sql']);
  });

  it('trusts the helper once declared with kind sql', async () => {
    const config = configWith((value) => {
      value.wrappers.sanitizers.push({ module: path.join(folder, 'db', 'identifiers'), export: 'quoteColumn', kind: 'sql' });
    });
    const result = await scanPaths([folder], { rules: ['unparameterized-sql'], config });
    expect(ruleIds(result)).toEqual([]);
  });

  it('keeps the finding when the declared kind does not fit the sink', async () => {
    const config = configWith((value) => {
      value.wrappers.sanitizers.push({ module: path.join(folder, 'db', 'identifiers'), export: 'quoteColumn', kind: 'html' });
    });
    const result = await scanPaths([folder], { rules: ['unparameterized-sql'], config });
    expect(ruleIds(result)).toEqual(['unparameterized-sql']);
  });
});
