import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { listTrackedFiles, runGit } from './git.js';
import { isOutside } from './paths.js';

export const SOURCE_EXTENSIONS = ['ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs'];

/** Folders no scan enters unless a scanned path lies inside them: dependencies, build output, vendored code. */
export const EXCLUDED_FOLDERS = [
  'node_modules',
  'dist',
  'build',
  'coverage',
  '.next',
  '.nuxt',
  '.output',
  '.svelte-kit',
  '.turbo',
  '.cache',
  'out',
  'vendor',
  'vendors',
  'third_party',
  'third-party',
  'bower_components',
  '.git',
];

/** Generated files: minified and bundled code, and type declarations. */
export const EXCLUDED_FILES = [
  '**/*.min.js',
  '**/*.min.mjs',
  '**/*.min.cjs',
  '**/*-min.js',
  '**/*.bundle.js',
  '**/*.d.ts',
  '**/*.d.mts',
  '**/*.d.cts',
];

export const DEFAULT_EXCLUDES = [...EXCLUDED_FOLDERS.map((folder) => `**/${folder}/**`), ...EXCLUDED_FILES];

export interface DiscoverOptions {
  /** Paths given on the command line, relative to cwd or absolute. */
  paths: string[];
  cwd: string;
  /** Globs that files must match, relative to `globBase`; empty for every source file. */
  include: string[];
  /** Globs of files to leave out, relative to `globBase`. */
  exclude: string[];
  /** Absolute folder that `include` and `exclude` are relative to; cwd when not given. */
  globBase?: string;
  /** The git top level, if the scan is inside a work tree; tracked `.env` files are listed with git. */
  gitRoot?: string;
  /**
   * Absolute paths of staged files that the working tree no longer has. They
   * are listed all the same, because a `--staged` scan reads them from the index.
   */
  indexOnly?: ReadonlySet<string>;
}

export interface DiscoveredFiles {
  /** Absolute paths, sorted. */
  files: string[];
  /** Paths given that match no file. */
  unmatched: string[];
  /** Files left out, with the reason. */
  skipped: Array<{ file: string; reason: string }>;
  /** Files known to be real paths already: git listed them below a work tree top level that is a real path. */
  resolved: Set<string>;
  /**
   * Git object ids of tracked files whose work tree content git reports as
   * unchanged from the index, by absolute path. A cached result can be found
   * by the id without reading the file.
   */
  blobs: Map<string, string>;
}

/**
 * Lists the files a scan reads. Folders are walked with globby, which honours
 * .gitignore files, including those of parent folders up to the git top
 * level. Symbolic links are neither followed nor scanned. `.env` files that
 * git tracks are added even when .gitignore lists them, because a tracked
 * file is in the repository's history whatever .gitignore lists. A file named
 * on the command line is scanned even when a glob or .gitignore excludes it.
 */
export async function discoverFiles(options: DiscoverOptions): Promise<DiscoveredFiles> {
  const found = new Set<string>();
  const unmatched: string[] = [];
  const skipped: Array<{ file: string; reason: string }> = [];
  const resolved = new Set<string>();
  const blobs = new Map<string, string>();
  const globBase = path.resolve(options.cwd, options.globBase ?? options.cwd);

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
    const files = await listFolder(absolute, globBase, options, resolved, blobs);
    for (const file of files) {
      if (hasUndecodableName(file)) skipped.push({ file, reason: UNDECODABLE_NAME });
      else found.add(file);
    }
    if (files.length === 0) unmatched.push(given);
  }

  return { files: [...found].sort(), unmatched, skipped, resolved, blobs };
}

/**
 * Lists the files of one scanned folder. Globby walks from the glob base with
 * a pattern rooted at the folder, so config globs keep their meaning whichever
 * folder is scanned. A folder outside the glob base is walked on its own, and
 * the config globs do not apply to it.
 */
async function listFolder(
  folder: string,
  globBase: string,
  options: DiscoverOptions,
  resolved: Set<string>,
  blobs: Map<string, string>,
): Promise<string[]> {
  const inBase = isWithin(globBase, folder);
  const base = inBase ? globBase : folder;
  const relative = toPosix(path.relative(base, folder));
  const prefix = relative === '' ? '' : `${(await loadGlobby()).convertPathToPattern(relative)}/`;
  const ignore = [...defaultIgnores(relative, prefix), ...(inBase ? options.exclude : [])];
  if (options.gitRoot && isWithin(options.gitRoot, folder)) {
    const listed = listFolderWithGit(folder, base, ignore, inBase ? options.include : [], options.gitRoot, options.indexOnly, blobs);
    if (listed) {
      // Git lists no path through a symbolic link, so below a real top level every path it lists is real.
      if (isRealPath(options.gitRoot)) for (const file of listed) resolved.add(file);
      return listed;
    }
  }
  const { globby } = await loadGlobby();
  // A folder that cannot be read is left out, as an unreadable file is, rather than ending the scan.
  const walk = { cwd: base, absolute: true, dot: true, followSymbolicLinks: false, onlyFiles: true, suppressErrors: true, ignore };

  const sources = await globby([`${prefix}**/*.{${SOURCE_EXTENSIONS.join(',')}}`], { ...walk, gitignore: true });
  const envFiles = await listTrackedEnvFiles(folder, base, walk, options.gitRoot);
  let candidates = [...sources, ...envFiles];
  if (inBase && options.include.length > 0) {
    // The include walk skips .gitignore so that tracked .env files can match; the source walk applied it already.
    const allowed = new Set(await globby(options.include, { ...walk, gitignore: false }));
    candidates = candidates.filter((file) => allowed.has(file));
  }
  return candidates
    .map((file) => path.normalize(file))
    .filter((file) => isWithin(folder, file) && file !== folder && isScannable(file) && (hasUndecodableName(file) || !isSymbolicLink(file)));
}

/** Imported on first use: globby takes about 50 ms to load, and a scan inside a git work tree lists its files with git. */
function loadGlobby(): Promise<typeof import('globby')> {
  return import('globby');
}

const STAGE_LINE = /^([0-7]{6}) ([0-9a-f]+) ([0-3])\t(.*)$/s;
const REGULAR_MODES = new Set(['100644', '100755']);
const SYMLINK_MODE = '120000';
const SUBMODULE_MODE = '160000';

/**
 * Lists a folder inside a git work tree with `git ls-files`: tracked files and
 * untracked files that .gitignore does not exclude, which is what the globby
 * walk finds, at a fraction of its cost on large trees. `.env` files count
 * only when tracked. Returns undefined when git fails, so the walk can run.
 */
function listFolderWithGit(
  folder: string,
  base: string,
  ignore: string[],
  include: string[],
  gitRoot: string,
  indexOnly: ReadonlySet<string> = new Set(),
  blobs: Map<string, string> = new Map(),
): string[] | undefined {
  // `--stage` gives tracked files as `mode object stage<TAB>path`, so their type needs no lstat. `-t` tags each line:
  // `? ` for an untracked path, so that no file name can pass for a tracked entry, and `C ` for a tracked file that
  // `--modified` lists again because its work tree content differs from the index.
  const output = runGit(folder, ['ls-files', '-z', '-t', '--stage', '--cached', '--modified', '--others', '--exclude-standard', '--full-name', '--', '.']);
  if (output === undefined) return undefined;
  const isIgnored = picomatch(ignore, { dot: true });
  const isIncluded = include.length > 0 ? picomatch(include, { dot: true }) : undefined;
  const files = new Set<string>();
  const unchanged = new Map<string, string>();
  const modified = new Set<string>();
  for (const line of output.split('\0')) {
    if (!line) continue;
    const untracked = line.startsWith('? ');
    const staged = untracked ? null : STAGE_LINE.exec(line.slice(2));
    if (!untracked && !staged) continue;
    const entry = staged ? staged[4]! : line.slice(2);
    if (line.startsWith('C ')) {
      modified.add(entry);
      continue;
    }
    // Only a plain cached entry (`H`) is compared with the work tree: git skips the comparison for `S` and `h` entries.
    if (staged && line.startsWith('H ') && staged[3] === '0' && REGULAR_MODES.has(staged[1]!)) unchanged.set(entry, staged[2]!);
    const absolute = path.join(gitRoot, entry);
    if (!isScannable(absolute)) continue;
    const name = path.basename(entry);
    if ((name === '.env' || name.startsWith('.env.')) && !staged) continue;
    const relative = toPosix(path.relative(base, absolute));
    if (isIgnored(relative) || (isIncluded && !isIncluded(relative))) continue;
    if (!isWithin(folder, absolute) || absolute === folder) continue;
    // A tracked file that the work tree has since deleted or replaced is left out when it is read.
    const isLink = staged ? staged[1] === SYMLINK_MODE : !hasUndecodableName(absolute) && isSymbolicLink(absolute);
    if ((isLink || staged?.[1] === SUBMODULE_MODE) && !indexOnly.has(absolute)) continue;
    files.add(path.normalize(absolute));
  }
  for (const [entry, blob] of unchanged) {
    const absolute = path.normalize(path.join(gitRoot, entry));
    if (!modified.has(entry) && files.has(absolute)) blobs.set(absolute, blob);
  }
  return [...files];
}

/**
 * Returns the default excludes for a walk of the folder at `relative`. When a
 * scanned folder lies inside an excluded folder (`scan dist`), they apply only
 * below it.
 */
function defaultIgnores(relative: string, prefix: string): string[] {
  const insideExcluded = relative.split('/').some((segment) => EXCLUDED_FOLDERS.includes(segment));
  return insideExcluded ? DEFAULT_EXCLUDES.map((glob) => prefix + glob) : DEFAULT_EXCLUDES;
}

/** `.env` files git tracks under `folder`, minus those the excludes name, as absolute paths. */
async function listTrackedEnvFiles(
  folder: string,
  base: string,
  walk: { cwd: string; ignore: string[] },
  gitRoot: string | undefined,
): Promise<string[]> {
  if (!gitRoot) return [];
  const tracked = listTrackedFiles(folder, ['.env', '.env.*', '**/.env', '**/.env.*'])
    .map((file) => path.resolve(folder, file))
    .filter((file) => isScannable(file));
  if (tracked.length === 0) return [];
  const { convertPathToPattern, globby } = await loadGlobby();
  const patterns = tracked.map((file) => convertPathToPattern(toPosix(path.relative(base, file))));
  return globby(patterns, { ...walk, absolute: true, dot: true, gitignore: false, followSymbolicLinks: false });
}

function isScannable(file: string): boolean {
  const base = path.basename(file);
  if (base === '.env' || base.startsWith('.env.')) return true;
  if (/\.d\.[mc]?ts$/.test(base)) return false;
  const extension = path.extname(base).slice(1);
  return SOURCE_EXTENSIONS.includes(extension);
}

/**
 * Reason given for a file whose name is not valid UTF-8. Node decodes such a
 * name with replacement characters, so it cannot open the file. The file is
 * reported rather than left out in silence, because code can hide there.
 */
const UNDECODABLE_NAME = 'its name is not valid UTF-8, so it cannot be read; rename it to scan it';

function hasUndecodableName(file: string): boolean {
  // A name that really contains U+FFFD is valid UTF-8 and opens.
  return file.includes('\uFFFD') && !fs.existsSync(file);
}

function isRealPath(folder: string): boolean {
  try {
    return fs.realpathSync.native(folder) === folder;
  } catch {
    return false;
  }
}

function isSymbolicLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return true;
  }
}

function isWithin(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative === '' || !isOutside(relative);
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}
