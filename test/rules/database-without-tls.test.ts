import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';
import { isLocalHost, isRemoteHost, parseUrl } from '../../src/rules/shared/remote-hosts.js';

describeRuleFixtures('database-without-tls');

describe('database-without-tls findings', () => {
  it('name the remote host', async () => {
    const result = await scanPaths([path.join(FIXTURES, 'database-without-tls', 'remote-clients.ts')], { rules: ['database-without-tls'] });
    const messages = result.findings.map((finding) => finding.message);
    expect(messages[0]).toContain('patients-db.eu-west-1.rds.amazonaws.com');
    expect(messages.some((message) => message.includes('sslmode=disable'))).toBe(true);
  });
});

describe('remote hosts', () => {
  const local = ['localhost', 'api.localhost', '127.0.0.1', '::1', '0.0.0.0', 'host.docker.internal', '/var/run/postgresql', 'postgres', 'db'];
  const remote = ['db.example.com', '10.20.0.15', '192.168.1.20', 'cluster0.abcde.mongodb.net'];
  for (const host of local) {
    it(`treats ${host} as local`, () => {
      expect(isLocalHost(host)).toBe(true);
      expect(isRemoteHost(host)).toBe(false);
    });
  }
  for (const host of remote) {
    it(`treats ${host} as remote`, () => {
      expect(isRemoteHost(host)).toBe(true);
    });
  }

  it('reads every host of a MongoDB seed list', () => {
    const parsed = parseUrl('mongodb://user:secret@a.example.com:27017,b.example.com:27018/app?tls=false');
    expect(parsed?.hosts).toEqual(['a.example.com', 'b.example.com']);
    expect(parsed?.password).toBe('secret');
    expect(parsed?.params.get('tls')).toBe('false');
  });
});
