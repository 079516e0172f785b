import path from 'node:path';

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

/** A tsconfig `paths` entry, with its pattern split at the `*`. */
export interface PathAlias {
  /** Folder of the tsconfig.json whose files use it, relative to the scan root; `''` for the root. */
  scope: string;
  /** Folder the targets start from: the `baseUrl`, or the folder of the tsconfig.json that declares `paths`. */
  baseDir: string;
  prefix: string;
  suffix: string;
  /** Targets relative to baseDir, each with at most one `*`. */
  targets: string[];
}

export interface ResolverOptions {
  aliases?: PathAlias[];
  /** Workspace package names and their folders, relative to the scan root. */
  packages?: Map<string, { dir: string; main?: string }>;
}

/**
 * Maps an import specifier in one scanned file to another scanned file: relative
 * paths (with TypeScript's `.js` to `.ts` mapping), tsconfig path aliases and
 * workspace packages. Paths are relative to the scan root with forward slashes.
 */
export class ModuleResolver {
  private readonly cache = new Map<string, string | undefined>();
  private readonly aliasesByFolder = new Map<string, PathAlias[]>();

  constructor(
    private readonly files: ReadonlySet<string>,
    private readonly options: ResolverOptions = {},
  ) {}

  resolve(fromFile: string, specifier: string): string | undefined {
    const key = `${fromFile}\0${specifier}`;
    if (this.cache.has(key)) return this.cache.get(key);
    const resolved = this.resolveUncached(fromFile, specifier);
    this.cache.set(key, resolved);
    return resolved;
  }

  /** Specifier prefixes that name project modules, for the per-file step. */
  projectPrefixes(): string[] {
    const prefixes: string[] = [];
    for (const alias of this.options.aliases ?? []) prefixes.push(alias.prefix);
    for (const name of this.options.packages?.keys() ?? []) prefixes.push(name);
    return [...new Set(prefixes)].filter((prefix) => prefix.length > 0);
  }

  private resolveUncached(fromFile: string, specifier: string): string | undefined {
    if (specifier.startsWith('.')) {
      return this.resolvePath(path.posix.join(path.posix.dirname(fromFile), specifier));
    }
    for (const alias of this.aliasesFor(fromFile)) {
      if (!specifier.startsWith(alias.prefix) || !specifier.endsWith(alias.suffix)) continue;
      if (specifier.length < alias.prefix.length + alias.suffix.length) continue;
      const star = specifier.slice(alias.prefix.length, specifier.length - alias.suffix.length);
      for (const target of alias.targets) {
        const resolved = this.resolvePath(path.posix.join(alias.baseDir, target.replace('*', star)));
        if (resolved) return resolved;
      }
    }
    for (const [name, pkg] of this.options.packages ?? []) {
      if (specifier !== name && !specifier.startsWith(`${name}/`)) continue;
      const rest = specifier.slice(name.length + 1);
      if (rest) return this.resolvePath(path.posix.join(pkg.dir, rest)) ?? this.resolvePath(path.posix.join(pkg.dir, 'src', rest));
      const candidates = [pkg.main, 'src/index', 'index'].filter((c): c is string => Boolean(c));
      for (const candidate of candidates) {
        const resolved = this.resolvePath(path.posix.join(pkg.dir, candidate));
        if (resolved) return resolved;
      }
    }
    return undefined;
  }

  /**
   * Lists the aliases a file can use: those of the tsconfig.json files in its
   * folder and the folders above it, nearest first, as the nearest config
   * decides for the TypeScript compiler. Two apps may both map `@/*`.
   */
  private aliasesFor(fromFile: string): PathAlias[] {
    const folder = path.posix.dirname(fromFile);
    let aliases = this.aliasesByFolder.get(folder);
    if (!aliases) {
      aliases = (this.options.aliases ?? [])
        .filter((alias) => alias.scope === '' || folder === alias.scope || folder.startsWith(`${alias.scope}/`))
        .sort((a, b) => b.scope.length - a.scope.length);
      this.aliasesByFolder.set(folder, aliases);
    }
    return aliases;
  }

  private resolvePath(target: string): string | undefined {
    const normalized = path.posix.normalize(target).replace(/^\.\//, '');
    if (this.files.has(normalized)) return normalized;
    // TypeScript's ESM output imports `./x.js` for `./x.ts`.
    const withoutExtension = normalized.replace(/\.(m|c)?jsx?$/, '');
    for (const extension of EXTENSIONS) {
      if (this.files.has(withoutExtension + extension)) return withoutExtension + extension;
    }
    for (const extension of EXTENSIONS) {
      const index = `${normalized}/index${extension}`;
      if (this.files.has(index)) return index;
    }
    return undefined;
  }
}
