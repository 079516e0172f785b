import { execFileSync, spawnSync } from 'node:child_process';

/** Runs git and returns its standard output, or undefined when git fails or is missing. */
export function runGit(cwd: string, args: string[], input?: string): string | undefined {
  const result = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (result.error || result.status !== 0) return undefined;
  return result.stdout;
}

/** The top folder of the git work tree that contains `cwd`, or undefined outside one. */
export function getGitTopLevel(cwd: string): string | undefined {
  const output = runGit(cwd, ['rev-parse', '--show-toplevel']);
  return output?.trim() || undefined;
}

/** Files git tracks under `cwd`, relative to `cwd`, for the given pathspecs. */
export function listTrackedFiles(cwd: string, pathspecs: string[]): string[] {
  const output = runGit(cwd, ['ls-files', '-z', '--', ...pathspecs]);
  if (!output) return [];
  return output.split('\0').filter(Boolean);
}

/** Reads a blob, such as `:path` for the staged version of a file. */
export function readGitObject(cwd: string, object: string): Buffer | undefined {
  try {
    return execFileSync('git', ['cat-file', 'blob', object], { cwd, maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}
