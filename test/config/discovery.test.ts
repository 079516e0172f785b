import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commonFolder, findConfigFile } from '../../src/config/load.js';
import { initGitRepo, makeTempFolder, runCli, runCliJson, SQL_INJECTION_ROUTE, SQL_RULES } from '../helpers/temp-project.js';

const TURNS_SQL_INJECTION_OFF = 'rules:\n  sql-injection: off\n';

function configLine(stdout: string): string | undefined {
  return stdout.split('\n').find((line) => line.startsWith('Config: '));
}

describe('config search', () => {
  it('uses the config in the scanned folder', () => {
    const cwd = makeTempFolder({ 'route.ts': SQL_INJECTION_ROUTE, '.keneyaudit.yml': TURNS_SQL_INJECTION_OFF });
    const result = runCli(['scan', '--verbose'], { cwd });
    expect(configLine(result.stdout)).toBe('Config: .keneyaudit.yml');
    expect(result.status, result.stderr).toBe(0);
  });

  it('starts at the common folder', () => {
    const cwd = makeTempFolder({
      'services/a/route.ts': SQL_INJECTION_ROUTE,
      'services/b/route.ts': SQL_INJECTION_ROUTE,
      'services/.keneyaudit.yml': TURNS_SQL_INJECTION_OFF,
    });
    initGitRepo(cwd);
    const result = runCli(['scan', '--verbose', 'services/a', 'services/b/route.ts'], { cwd });
    expect(configLine(result.stdout)).toBe('Config: services/.keneyaudit.yml');
  });

  it('ignores a config below the common folder', () => {
    const cwd = makeTempFolder({
      'services/a/route.ts': SQL_INJECTION_ROUTE,
      'services/a/.keneyaudit.yml': TURNS_SQL_INJECTION_OFF,
      'services/b/route.ts': SQL_INJECTION_ROUTE,
    });
    initGitRepo(cwd);
    const result = runCli(['scan', '--verbose', 'services/a', 'services/b'], { cwd });
    expect(configLine(result.stdout)).toBe('Config: none found, using defaults');
  });

  it('stops at the git top level', () => {
    const outer = makeTempFolder({ '.keneyaudit.yml': TURNS_SQL_INJECTION_OFF, 'repo/src/route.ts': SQL_INJECTION_ROUTE });
    const cwd = path.join(outer, 'repo');
    initGitRepo(cwd);
    const result = runCli(['scan', '--verbose', ...SQL_RULES], { cwd });
    expect(configLine(result.stdout)).toBe('Config: none found, using defaults');
    expect(result.status, result.stderr).toBe(1);
  });

  it('walks past the working directory outside git', () => {
    const outer = makeTempFolder({ '.keneyaudit.yml': TURNS_SQL_INJECTION_OFF, 'project/route.ts': SQL_INJECTION_ROUTE });
    const result = runCli(['scan', '--verbose'], { cwd: path.join(outer, 'project') });
    expect(configLine(result.stdout)).toBe('Config: ../.keneyaudit.yml');
  });

  it('finds .keneyaudit.yaml too', () => {
    const cwd = makeTempFolder({ 'route.ts': SQL_INJECTION_ROUTE, '.keneyaudit.yaml': TURNS_SQL_INJECTION_OFF });
    expect(configLine(runCli(['scan', '--verbose'], { cwd }).stdout)).toBe('Config: .keneyaudit.yaml');
  });

  it('common folder of a file is its folder', () => {
    const cwd = makeTempFolder({ 'a/b/one.ts': '', 'a/c/two.ts': '' });
    expect(commonFolder(cwd, ['a/b/one.ts'])).toBe(path.join(cwd, 'a', 'b'));
    expect(commonFolder(cwd, ['a/b/one.ts', 'a/c'])).toBe(path.join(cwd, 'a'));
    expect(commonFolder(cwd, [])).toBe(cwd);
  });

  it('findConfigFile returns undefined at the stop folder', () => {
    const root = makeTempFolder({ '.keneyaudit.yml': '', 'repo/src/index.ts': '' });
    const repo = path.join(root, 'repo');
    expect(findConfigFile(path.join(repo, 'src'), repo)).toBeUndefined();
    expect(findConfigFile(path.join(repo, 'src'), undefined)).toBe(path.join(root, '.keneyaudit.yml'));
  });
});

describe('--config and --no-config', () => {
  it('--config uses the named file', () => {
    const cwd = makeTempFolder({ 'route.ts': SQL_INJECTION_ROUTE, 'ci/audit.yml': TURNS_SQL_INJECTION_OFF });
    const result = runCli(['scan', '--verbose', '--config', 'ci/audit.yml'], { cwd });
    expect(configLine(result.stdout)).toBe('Config: ci/audit.yml');
    expect(result.status, result.stderr).toBe(0);
  });

  it('--config skips the search', () => {
    const cwd = makeTempFolder({
      'route.ts': SQL_INJECTION_ROUTE,
      '.keneyaudit.yml': TURNS_SQL_INJECTION_OFF,
      'ci/audit.yml': 'maxFileSize: 2MB\n',
    });
    const result = runCli(['scan', ...SQL_RULES, '--config', 'ci/audit.yml'], { cwd });
    expect(result.status, result.stderr).toBe(1);
  });

  it('--config globs are relative to the working directory', () => {
    const cwd = makeTempFolder({
      'src/legacy/route.ts': SQL_INJECTION_ROUTE,
      'src/api/route.ts': SQL_INJECTION_ROUTE,
      'ci/audit.yml': 'exclude:\n  - src/legacy/**\n',
    });
    const { json } = runCliJson<{ files: string[] }>(['scan', 'src', '--config', 'ci/audit.yml'], { cwd });
    expect(json.files).toEqual(['src/api/route.ts']);
  });

  it('--no-config ignores the config file', () => {
    const cwd = makeTempFolder({ 'route.ts': SQL_INJECTION_ROUTE, '.keneyaudit.yml': TURNS_SQL_INJECTION_OFF });
    const result = runCli(['scan', '--verbose', '--no-config', ...SQL_RULES], { cwd });
    expect(configLine(result.stdout)).toBe('Config: none found, using defaults');
    expect(result.status, result.stderr).toBe(1);
  });

  it('--no-config skips an invalid config file', () => {
    const cwd = makeTempFolder({ 'route.ts': SQL_INJECTION_ROUTE, '.keneyaudit.yml': 'rules: [\n' });
    expect(runCli(['scan', '--no-config', ...SQL_RULES], { cwd }).status).toBe(1);
  });
});
