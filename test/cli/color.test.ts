import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shouldColor } from '../../src/cli/output.js';
import { makeTempFolder, runCli, SQL_INJECTION_ROUTE, SQL_RULES } from '../helpers/temp-project.js';

const ANSI = /\u001b\[/;
const terminal = { isTTY: true };
const pipe = { isTTY: false };

describe('shouldColor', () => {
  const cases: Array<[string, boolean | undefined, { isTTY: boolean }, NodeJS.ProcessEnv, boolean]> = [
    ['--no-color beats FORCE_COLOR', false, terminal, { FORCE_COLOR: '1' }, false],
    ['NO_COLOR beats FORCE_COLOR', undefined, pipe, { NO_COLOR: '1', FORCE_COLOR: '1' }, false],
    ['empty NO_COLOR is ignored', undefined, terminal, { NO_COLOR: '' }, true],
    ['FORCE_COLOR colours a pipe', undefined, pipe, { FORCE_COLOR: '1' }, true],
    ['empty FORCE_COLOR colours a pipe', undefined, pipe, { FORCE_COLOR: '' }, true],
    ['FORCE_COLOR=0 turns a terminal off', undefined, terminal, { FORCE_COLOR: '0' }, false],
    ['FORCE_COLOR=false turns a terminal off', undefined, terminal, { FORCE_COLOR: 'false' }, false],
    ['a terminal is coloured', undefined, terminal, {}, true],
    ['a pipe is not coloured', undefined, pipe, {}, false],
  ];
  for (const [name, flag, stream, env, expected] of cases) {
    it(name, () => {
      expect(shouldColor(flag, stream, env)).toBe(expected);
    });
  }
});

describe('colour of the built CLI', () => {
  it('FORCE_COLOR colours piped text', () => {
    const cwd = makeTempFolder({ 'route.ts': SQL_INJECTION_ROUTE });
    const result = runCli(['scan', ...SQL_RULES], { cwd, env: { FORCE_COLOR: '1' } });
    expect(result.stdout).toMatch(ANSI);
  });

  it('piped text has no colour by default', () => {
    const cwd = makeTempFolder({ 'route.ts': SQL_INJECTION_ROUTE });
    expect(runCli(['scan', ...SQL_RULES], { cwd }).stdout).not.toMatch(ANSI);
  });

  it('NO_COLOR wins over FORCE_COLOR', () => {
    const cwd = makeTempFolder({ 'route.ts': SQL_INJECTION_ROUTE });
    const result = runCli(['scan', ...SQL_RULES], { cwd, env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(result.stdout).not.toMatch(ANSI);
  });

  it('--no-color wins over FORCE_COLOR on stdout and stderr', () => {
    const cwd = makeTempFolder({ 'route.ts': SQL_INJECTION_ROUTE });
    const result = runCli(['scan', 'missing', '--no-color'], { cwd, env: { FORCE_COLOR: '1' } });
    expect(result.stderr).toContain('ERROR:');
    expect(result.stderr).not.toMatch(ANSI);
    expect(runCli(['scan', ...SQL_RULES, '--no-color'], { cwd, env: { FORCE_COLOR: '1' } }).stdout).not.toMatch(ANSI);
  });

  it('--output writes text without colour', () => {
    const cwd = makeTempFolder({ 'route.ts': SQL_INJECTION_ROUTE });
    runCli(['scan', ...SQL_RULES, '--output', 'report.txt'], { cwd, env: { FORCE_COLOR: '1' } });
    const report = fs.readFileSync(path.join(cwd, 'report.txt'), 'utf8');
    expect(report).toContain('sql-injection');
    expect(report).not.toMatch(ANSI);
  });
});
