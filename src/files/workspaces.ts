import fs from 'node:fs';
import path from 'node:path';
import { loadYaml } from '../config/yaml.js';
import type { PathAlias, ResolverOptions } from '../engine/module-resolver.js';
import { isOutside } from './paths.js';

/**
 * Reads how the modules of a repository find each other: npm, yarn and pnpm
 * workspaces (package names and folders), and the tsconfig.json `paths` of the
 * root, of every workspace package and of every folder that contains scanned
 * files or their parent folders, such as a Next.js app in `apps/web` of a
 * repository without workspaces. Paths are relative to the scan root.
 */
export async function readModuleLayout(root: string, scanned?: string, files: readonly string[] = []): Promise<ResolverOptions> {
  const packages = new Map<string, { dir: string; main?: string }>();
  // A monorepo can sit in a folder of a larger repository: read the workspaces of both.
  const bases = [''];
  if (scanned) {
    const relative = path.relative(root, scanned).split(path.sep).join('/');
    if (relative && !isOutside(relative) && fs.existsSync(path.join(scanned, 'package.json'))) bases.push(relative);
  }
  const listed = await Promise.all(bases.map(async (base) => (await listWorkspaceFolders(path.join(root, base))).map((dir) => path.posix.join(base, dir))));
  const packageDirs = [...new Set(listed.flat())];
  for (const dir of packageDirs) {
    const manifest = readJson(path.join(root, dir, 'package.json')) as { name?: unknown; main?: unknown; module?: unknown; source?: unknown } | undefined;
    if (!manifest || typeof manifest.name !== 'string') continue;
    const entry = [manifest.source, manifest.module, manifest.main].find((value): value is string => typeof value === 'string');
    packages.set(manifest.name, { dir, ...(entry ? { main: toSourceEntry(entry) } : {}) });
  }

  const aliases: PathAlias[] = [];
  for (const dir of new Set([...bases, ...packageDirs, ...getFileFolders(root, files)])) aliases.push(...readPathAliases(root, dir));
  return { aliases, packages };
}

/** Lists the folders below the root that contain the files, and their parent folders, relative to the root. */
function getFileFolders(root: string, files: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const file of files) {
    let folder = path.relative(root, path.dirname(file)).split(path.sep).join('/');
    while (folder && folder !== '.' && !isOutside(folder) && !folders.has(folder)) {
      folders.add(folder);
      folder = path.posix.dirname(folder);
    }
  }
  return [...folders].sort();
}

/** `dist/index.js` is built from `src/index.ts`: resolve to the source, which is what the scan reads. */
function toSourceEntry(entry: string): string {
  return entry
    .replace(/^\.\//, '')
    .replace(/^(dist|build|lib|out)\//, 'src/')
    .replace(/\.(m|c)?js$/, '');
}

async function listWorkspaceFolders(root: string): Promise<string[]> {
  const patterns: string[] = [];
  const manifest = readJson(path.join(root, 'package.json')) as { workspaces?: unknown } | undefined;
  const workspaces = manifest?.workspaces;
  if (Array.isArray(workspaces)) patterns.push(...workspaces.filter((item): item is string => typeof item === 'string'));
  else if (workspaces && typeof workspaces === 'object' && Array.isArray((workspaces as { packages?: unknown }).packages)) {
    patterns.push(...((workspaces as { packages: unknown[] }).packages.filter((item): item is string => typeof item === 'string')));
  }
  const pnpm = path.join(root, 'pnpm-workspace.yaml');
  if (fs.existsSync(pnpm)) {
    try {
      const parsed = loadYaml().parse(fs.readFileSync(pnpm, 'utf8')) as { packages?: unknown } | null;
      if (Array.isArray(parsed?.packages)) patterns.push(...parsed.packages.filter((item): item is string => typeof item === 'string'));
    } catch {
      // An unreadable pnpm-workspace.yaml leaves the workspaces unknown; imports between them then count as packages.
    }
  }
  const include = patterns.filter((pattern) => !pattern.startsWith('!'));
  if (include.length === 0) return [];
  const exclude = patterns.filter((pattern) => pattern.startsWith('!')).map((pattern) => pattern.slice(1));
  // Imported here: globby takes about 50 ms to load, and most scans list files with git and have no workspaces.
  const { globby } = await import('globby');
  return (await globby(include, { cwd: root, onlyDirectories: true, ignore: ['**/node_modules/**', ...exclude] }))
    .filter((dir) => fs.existsSync(path.join(root, dir, 'package.json')))
    .sort();
}

/** The `paths` of `<dir>/tsconfig.json`, following relative `extends`, as aliases relative to the root. */
function readPathAliases(root: string, dir: string): PathAlias[] {
  const file = path.join(root, dir, 'tsconfig.json');
  if (!fs.existsSync(file)) return [];
  const options = readCompilerOptions(file, 0);
  if (!options?.paths) return [];
  const baseDir = path.relative(root, options.baseUrl ?? options.pathsBase).split(path.sep).join('/');
  const aliases: PathAlias[] = [];
  for (const [pattern, targets] of Object.entries(options.paths)) {
    if (!Array.isArray(targets)) continue;
    const star = pattern.indexOf('*');
    aliases.push({
      scope: dir,
      baseDir,
      prefix: star === -1 ? pattern : pattern.slice(0, star),
      suffix: star === -1 ? '' : pattern.slice(star + 1),
      targets: targets.filter((target): target is string => typeof target === 'string'),
    });
  }
  return aliases;
}

interface CompilerPaths {
  baseUrl?: string;
  /** The folder of the tsconfig that declares `paths`, which relative targets start from without a baseUrl. */
  pathsBase: string;
  paths?: Record<string, unknown>;
}

function readCompilerOptions(file: string, depth: number): CompilerPaths | undefined {
  if (depth > 5) return undefined;
  const config = readJson(file) as { extends?: unknown; compilerOptions?: { baseUrl?: unknown; paths?: unknown } } | undefined;
  if (!config) return undefined;
  const folder = path.dirname(file);
  let inherited: CompilerPaths | undefined;
  const parents = typeof config.extends === 'string' ? [config.extends] : Array.isArray(config.extends) ? config.extends : [];
  for (const parent of parents) {
    if (typeof parent !== 'string' || !parent.startsWith('.')) continue;
    const target = path.resolve(folder, parent.endsWith('.json') ? parent : `${parent}.json`);
    inherited = readCompilerOptions(target, depth + 1) ?? inherited;
  }
  const own = config.compilerOptions ?? {};
  const result: CompilerPaths = { ...(inherited ?? { pathsBase: folder }) };
  if (typeof own.baseUrl === 'string') result.baseUrl = path.resolve(folder, own.baseUrl);
  if (own.paths && typeof own.paths === 'object') {
    result.paths = own.paths as Record<string, unknown>;
    result.pathsBase = folder;
  }
  return result;
}

/** Reads JSON that may hold comments and trailing commas, as tsconfig.json does. */
export function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(stripJsonComments(text));
  } catch {
    return undefined;
  }
}

/** Removes `//` and `/* *\/` comments outside strings, and commas before `}` or `]`. */
export function stripJsonComments(text: string): string {
  let output = '';
  let index = 0;
  while (index < text.length) {
    const character = text[index]!;
    if (character === '"') {
      const start = index;
      index++;
      while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
      index++;
      output += text.slice(start, index);
      continue;
    }
    if (character === '/' && text[index + 1] === '/') {
      while (index < text.length && text[index] !== '\n') index++;
      continue;
    }
    if (character === '/' && text[index + 1] === '*') {
      const end = text.indexOf('*/', index + 2);
      index = end === -1 ? text.length : end + 2;
      continue;
    }
    output += character;
    index++;
  }
  return output.replace(/,(\s*[}\]])/g, '$1');
}
