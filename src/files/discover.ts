import fs from 'node:fs';
import path from 'node:path';
import { globby } from 'globby';
import { listTrackedFiles } from './git.js';

export const SOURCE_EXTENSIONS = ['ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs'];

/** Folders and files no scan reads unless a path names them: dependencies, build output and generated code. */
export const DEFAULT_EXCLUDES = [
  '**/node_modules/**',
  '**/dist/**',
  '**/build/**',
  '**/coverage/**',
  '**/.next/**',
  '**/.nuxt/**',
  '**/.output/**',
  '**/.svelte-kit/**',
  '**/.turbo/**',
  '**/.cache/**',
  '**/out/**',
  '**/vendor/**',
  '**/vendors/**',
  '**/third_party/**',
  '**/third-party/**',
  '**/bower_components/**',
  '**/.git/**',
  '**/*.min.js',
  '**/*.min.mjs',
  '**/*.min.cjs',
  '**/*-min.js',
  '**/*.bundle.js',
  '**/*.d.ts',
  '**/*.d.mts',
  '**/*.d.cts',
];

export interface DiscoverOptions {
  /** Paths given on the command line, relative to cwd or absolute. */
  paths: string[];
  cwd: string;
  /** Extra globs, relative to each scanned folder, that files must match. */
  include: string[];
  exclude: string[];
  /** The git top level, if cwd is inside a work tree; tracked `.env` files are read from it. */
  gitRoot?: string;
}

export interface DiscoveredFiles {
  /** Absolute paths, sorted. */
  files: string[];
  /** Paths given that match no file. */
  unmatched: string[];
  /** Files left out, with the reason. */
  skipped: Array<{ file: string; reason: string }>;
}

/**
 * Lists the files a scan reads. Folders are walked with globby, which honours
 * .gitignore; symbolic links are not followed. `.env` files that git tracks are
 * added even when .gitignore lists them, because a tracked file is in the
 * repository's history whatever .gitignore says.
 */
export async function discoverFiles(options: DiscoverOptions): Promise<DiscoveredFiles> {
  const found = new Set<string>();
  const unmatched: string[] = [];
  const skipped: Array<{ file: string; reason: string }> = [];
  const patterns = options.include.length > 0 ? options.include : [`**/*.{${SOURCE_EXTENSIONS.join(',')}}`];

  for (const given of options.paths) {
    const absolute = path.resolve(options.cwd, given);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(absolute);
    } catch {
      unmatched.push(given);
      continue;
    }
    if (stat.isSymbolicLink()) {
      skipped.push({ file: absolute, reason: 'symbolic link, not followed' });
      continue;
    }
    if (stat.isFile()) {
      if (isScannable(absolute)) found.add(absolute);
      else unmatched.push(given);
      continue;
    }
    if (!stat.isDirectory()) {
      unmatched.push(given);
      continue;
    }
    const before = found.size;
    const entries = await globby(patterns, {
      cwd: absolute,
      absolute: true,
      gitignore: true,
      dot: true,
      followSymbolicLinks: false,
      onlyFiles: true,
      ignore: [...DEFAULT_EXCLUDES, ...options.exclude],
    });
    for (const entry of entries) {
      if (isInside(absolute, entry) && isScannable(entry) && !isSymbolicLink(entry)) found.add(path.normalize(entry));
    }
    for (const envFile of listTrackedEnvFiles(absolute, options.gitRoot)) found.add(envFile);
    if (found.size === before) unmatched.push(given);
  }

  return { files: [...found].sort(), unmatched, skipped };
}

function isScannable(file: string): boolean {
  const base = path.basename(file);
  if (base === '.env' || base.startsWith('.env.')) return true;
  if (/\.d\.[mc]?ts$/.test(base)) return false;
  const extension = path.extname(base).slice(1);
  return SOURCE_EXTENSIONS.includes(extension);
}

function isSymbolicLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return true;
  }
}

function isInside(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

function listTrackedEnvFiles(folder: string, gitRoot: string | undefined): string[] {
  if (!gitRoot) return [];
  return listTrackedFiles(folder, ['.env', '.env.*', '**/.env', '**/.env.*'])
    .map((file) => path.resolve(folder, file))
    .filter((file) => isScannable(file) && !file.split(path.sep).includes('node_modules'));
}
