import type { SanitizerKind } from '../analysis/sanitizers.js';
import type { Severity } from '../types.js';

/** A function or value of the project, or of a package, named by module and export. */
export interface DeclaredExport {
  /** A package name, or a path relative to the config file's folder such as `./src/limiter`. */
  module: string;
  /** An export name; `default` for the default export. */
  export: string;
}

export interface RuleSetting {
  enabled: boolean;
  severity?: Severity;
}

export interface ResolvedConfig {
  /** Absolute path of the config file in use, if any. */
  file?: string;
  /**
   * Absolute folder that `include` and `exclude` globs are relative to: the
   * config file's folder, or the working directory when `--config` names the file.
   */
  globBase?: string;
  rules: Record<string, RuleSetting>;
  include: string[];
  exclude: string[];
  /** Files larger than this many bytes are skipped with a warning. */
  maxFileSize: number;
  /** Extra field and variable names that hold sensitive data, in any case style. */
  sensitiveFields: string[];
  /** Extra route path patterns that need a rate limiter, as regular expressions. */
  authRoutes: string[];
  /** A JWT or session secret shorter than this many characters is weak. */
  minSecretLength: number;
  /** The longest token lifetime accepted, in seconds. */
  maxTokenLifetime: number;
  wrappers: {
    rateLimiters: DeclaredExport[];
    redactors: DeclaredExport[];
    sanitizers: Array<DeclaredExport & { kind: SanitizerKind }>;
    sqlHelpers: DeclaredExport[];
  };
  /** Literal secrets in these files, or matching these patterns, are known test values. */
  testSecrets: { paths: string[]; patterns: string[] };
}

export const DEFAULT_MAX_FILE_SIZE = 1024 * 1024;

export function createDefaultConfig(): ResolvedConfig {
  return {
    rules: {},
    include: [],
    exclude: [],
    maxFileSize: DEFAULT_MAX_FILE_SIZE,
    sensitiveFields: [],
    authRoutes: [],
    minSecretLength: 32,
    maxTokenLifetime: 24 * 60 * 60,
    wrappers: { rateLimiters: [], redactors: [], sanitizers: [], sqlHelpers: [] },
    testSecrets: { paths: [], patterns: [] },
  };
}

export const SANITIZER_KINDS: readonly SanitizerKind[] = [
  'number',
  'html',
  'sql',
  'path',
  'url',
  'shell',
  'allowlist',
  'validated',
  'redacted',
];
