import { spawnSync } from 'node:child_process';
import { UsageError } from '../errors.js';
import { runGit } from './git.js';

/** Which changed files a scan reports on. */
export type ChangeSelection = { kind: 'staged' } | { kind: 'since'; ref: string };

export interface ChangedFiles {
  /** Paths relative to the git top level, with forward slashes. */
  files: string[];
  /** Staged content by path, for `--staged`: what the commit will hold. */
  contents: Map<string, string>;
}

/**
 * Lists the files a `--staged` or `--changed-since` scan reports on, and for
 * `--staged` reads their staged content from the index, so a file staged and
 * then edited again is judged as it will be committed.
 */
export function listChangedFiles(gitRoot: string | undefined, selection: ChangeSelection): ChangedFiles {
  const flag = selection.kind === 'staged' ? '--staged' : `--changed-since ${selection.ref}`;
  if (!gitRoot) {
    throw new UsageError(`${flag} needs a git repository, and the working directory is not inside one.`, 'Run the scan inside a git work tree, or drop the option.');
  }
  if (selection.kind === 'staged') {
    const output = runGit(gitRoot, ['diff', '--cached', '--name-only', '-z', '--diff-filter=ACMR', '--no-renames']);
    if (output === undefined) throw new UsageError('Could not list the staged files with `git diff --cached`.');
    const files = split(output);
    return { files, contents: readStaged(gitRoot, files) };
  }
  if (runGit(gitRoot, ['rev-parse', '--verify', '--quiet', `${selection.ref}^{commit}`]) === undefined) {
    throw new UsageError(`--changed-since names '${selection.ref}', which is not a commit in this repository.`, 'Pass a branch, tag or commit, such as origin/main.');
  }
  const base = runGit(gitRoot, ['merge-base', selection.ref, 'HEAD'])?.trim() || selection.ref;
  const changed = runGit(gitRoot, ['diff', '--name-only', '-z', '--diff-filter=ACMR', '--no-renames', base]) ?? '';
  const untracked = runGit(gitRoot, ['ls-files', '-z', '--others', '--exclude-standard']) ?? '';
  const files = [...new Set([...split(changed), ...split(untracked)])].sort();
  return { files, contents: new Map() };
}

function split(output: string): string[] {
  return output.split('\0').filter(Boolean);
}

/**
 * Reads the staged blobs of many files with one `git cat-file --batch`, which
 * reads one name a line: a name holding a line break is read on its own, or
 * it would shift every later file onto the wrong content.
 */
function readStaged(gitRoot: string, allFiles: string[]): Map<string, string> {
  const contents = new Map<string, string>();
  const files = allFiles.filter((file) => !/[\r\n]/.test(file));
  for (const file of allFiles) {
    if (!/[\r\n]/.test(file)) continue;
    const blob = spawnSync('git', ['cat-file', 'blob', `:${file}`], { cwd: gitRoot, maxBuffer: 512 * 1024 * 1024 });
    if (!blob.error && blob.status === 0) contents.set(file, blob.stdout.toString('utf8'));
  }
  if (files.length === 0) return contents;
  const result = spawnSync('git', ['cat-file', '--batch'], {
    cwd: gitRoot,
    input: files.map((file) => `:${file}\n`).join(''),
    maxBuffer: 512 * 1024 * 1024,
  });
  if (result.error || result.status !== 0) throw new UsageError('Could not read the staged files with `git cat-file`.');
  const output = result.stdout;
  let offset = 0;
  for (const file of files) {
    const headerEnd = output.indexOf(10, offset);
    if (headerEnd === -1) break;
    const header = output.subarray(offset, headerEnd).toString('utf8');
    offset = headerEnd + 1;
    const match = /^\S+ blob (\d+)$/.exec(header);
    if (!match) continue;
    const size = Number(match[1]);
    contents.set(file, output.subarray(offset, offset + size).toString('utf8'));
    offset += size + 1;
  }
  return contents;
}
