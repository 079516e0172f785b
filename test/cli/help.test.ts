import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { TOOL_VERSION } from '../../src/version.js';
import { CLI, makeTempFolder, runCli } from '../helpers/temp-project.js';

function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1) ?? '';
}

describe('--version', () => {
  for (const args of [['--version'], ['-v'], ['scan', '--version'], ['rules', '--version']]) {
    it(`prints the version for ${args.join(' ')}`, () => {
      const result = runCli(args, { cwd: makeTempFolder() });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout.trim()).toBe(TOOL_VERSION);
    });
  }
});

describe('--help', () => {
  it('groups the scan options', () => {
    const result = runCli(['scan', '--help'], { cwd: makeTempFolder() });
    expect(result.status, result.stderr).toBe(0);
    for (const heading of ['Output:', 'Configuration:', 'Rules:', 'Exit code:', 'Exit codes:', 'Examples:']) {
      expect(result.stdout).toContain(`\n${heading}\n`);
    }
  });

  it('lists every scan option', () => {
    const { stdout } = runCli(['scan', '--help'], { cwd: makeTempFolder() });
    const options = ['--format', '--output', '--config', '--no-config', '--rule', '--disable', '--fail-on'];
    for (const option of [...options, '--no-color', '--quiet', '--verbose', '--include-suppressed', '--help', '--version']) {
      expect(stdout).toContain(option);
    }
  });

  for (const args of [['--help'], ['scan', '--help'], ['rules', '--help'], ['help', 'scan']]) {
    it(`ends with an example for ${args.join(' ')}`, () => {
      const result = runCli(args, { cwd: makeTempFolder() });
      expect(result.status, result.stderr).toBe(0);
      expect(lastLine(result.stdout)).toMatch(/^ {2}\$ keney-audit /);
    });
  }
});

describe('usage errors', () => {
  it('no command prints help to stderr and exits 2', () => {
    const result = runCli([], { cwd: makeTempFolder() });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: keney-audit');
  });

  it('unknown option exits 2 with an ERROR line', () => {
    const result = runCli(['scan', '--formt', 'json'], { cwd: makeTempFolder() });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain("ERROR: Unknown option '--formt'");
    expect(result.stderr).toContain('Run `keney-audit scan --help` for usage.');
  });

  it('unknown command exits 2 and suggests scan', () => {
    const result = runCli(['scna'], { cwd: makeTempFolder() });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain("ERROR: Unknown command 'scna'");
    expect(result.stderr).toContain('Did you mean scan?');
  });

  it('invalid --fail-on value lists the choices', () => {
    const result = runCli(['scan', '--fail-on', 'severe'], { cwd: makeTempFolder() });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain('critical, high, medium, low, none');
  });

  it('invalid --format value lists the choices', () => {
    const result = runCli(['rules', '--format', 'sarif'], { cwd: makeTempFolder() });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain('text, json');
  });
});

describe('a reader that stops early', () => {
  it('exits 0 without an EPIPE error', () => {
    // `head -1` closes the pipe after one line, often while the help is still being written, so the race runs five times.
    const once = `"${process.execPath}" "${CLI}" scan --help | head -1 > /dev/null; echo "exit=\${PIPESTATUS[0]}" >&2`;
    const result = spawnSync('bash', ['-c', Array(5).fill(once).join('; ')], { encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.stderr.trim().split('\n')).toEqual(Array(5).fill('exit=0'));
  });
});
