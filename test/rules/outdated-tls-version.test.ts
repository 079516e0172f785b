import { describe, expect, it } from 'vitest';
import { describeRuleFixtures } from '../helpers/fixtures.js';
import { findWeakSuite } from '../../src/rules/outdated-tls-version.js';

describeRuleFixtures('outdated-tls-version');

describe('findWeakSuite', () => {
  it('finds Triple DES in a suite name', () => {
    expect(findWeakSuite('HIGH:DES-CBC3-SHA')).toEqual({ suite: 'DES-CBC3-SHA', part: 'DES' });
  });

  it('finds export and anonymous suites', () => {
    expect(findWeakSuite('EXP-RC4-MD5')?.suite).toBe('EXP-RC4-MD5');
    expect(findWeakSuite('ECDHE-RSA-AES128-GCM-SHA256:aNULL')?.suite).toBe('aNULL');
  });

  it('ignores exclusions', () => {
    expect(findWeakSuite('HIGH:!aNULL:!MD5:!RC4:-3DES')).toBeUndefined();
  });

  it('accepts modern suites', () => {
    expect(findWeakSuite('TLS_AES_256_GCM_SHA384:ECDHE-RSA-AES256-GCM-SHA384')).toBeUndefined();
  });
});
