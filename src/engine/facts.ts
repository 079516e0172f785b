import type { Value } from '../analysis/values.js';
import type { SanitizerKind } from '../analysis/sanitizers.js';
import type { Finding, Location, Notification } from '../types.js';

/** A binding another module exports: `import { pool } from './db'` then `pool.query` is `./db`, `pool`, `query`. */
export interface ImportRef {
  specifier: string;
  path: string[];
}

/**
 * A question about another module that the per-file step cannot answer. A
 * finding that carries checks is dropped when every check holds. `assume` is
 * the answer when the module is not part of the scan.
 */
export type DeferredCheck =
  | { kind: 'constant'; ref: ImportRef; assume: boolean }
  | { kind: 'sanitizer'; ref: ImportRef; safe: SanitizerKind[]; assume: boolean }
  /**
   * The imported function does not return the data of its arguments at
   * `indexes` unsanitized. It passes when the function is a declared
   * sanitizer for one of `safe`, returns a constant or a value sanitized for
   * `safe`, or returns none of those parameters. It also passes when the
   * function is outside the scan or too large to summarise.
   */
  | { kind: 'drops-arguments'; ref: ImportRef; indexes: number[]; safe: SanitizerKind[] }
  /**
   * The binding is set. `{ specifier: './config', path: ['jwtOptions', 'expiresIn'] }`
   * passes unless that module's `jwtOptions` is known to lack `expiresIn` or to
   * set it to `undefined`. A value that cannot be evaluated counts as set.
   */
  | { kind: 'defined'; ref: ImportRef; assume: boolean }
  /**
   * The type of the expression at `start`..`end` of the finding's file is
   * declared in one of `packages`, or in a package whose name matches the
   * regular expression `pattern` (`expected: true`), or in none of them
   * (`expected: false`). Only the type checker answers; `assume` stands
   * when it is off or cannot tell. `auto` checks are asked under `--types
   * auto`; the others, which library code can raise by the hundred, only
   * under `--types on`.
   */
  | { kind: 'type'; start: number; end: number; packages: string[]; pattern?: string; expected: boolean; assume: boolean; auto: boolean };

/** What a function returns, in terms useful to callers in other modules. */
export interface ReturnSummary {
  /** Every returned value is constant. */
  constant: boolean;
  /** Sanitizers that every non-constant returned value went through. */
  sanitized: SanitizerKind[];
  /** Indexes of the parameters whose data reaches a returned value without a sanitizer. */
  passes: number[];
}

/** What one module exports, for other modules' questions. */
export interface ExportSummary {
  value: Value;
  /** Where the value comes from, when it starts at a package: `{ module: 'pg', path: ['Pool', 'new'] }`. */
  origin?: { module: string; path: string[] };
  returns?: ReturnSummary;
  /** Methods of an exported class or object. */
  members?: Record<string, ExportSummary>;
}

export interface ModuleSummary {
  exports: Record<string, ExportSummary>;
  /** `export * from`, and `export { a as b } from`. */
  reexports: Array<{ specifier: string; names?: Record<string, string> }>;
}

/** A finding of the per-file step, before suppressions and project checks apply. */
export interface FileFinding extends Finding {
  unless?: DeferredCheck[];
  /** Rules whose finding at the same place this one drops, when it is kept. */
  replaces?: string[];
}

export interface SuppressionComment {
  line: number;
  /** 1-based column where the comment starts. */
  column?: number;
  /** The line it applies to. */
  targetLine: number;
  ruleIds: string[];
  justification: string;
  /** Why the comment is not a valid suppression, if it is not. */
  problem?: string;
}

/**
 * A sink in an exported function that a parameter reaches: `export function
 * find(id) { pool.query('... ' + id) }`. When a caller in another file passes
 * request data to that parameter, the project step reports `ruleId` here and
 * drops findings of the `replaces` rules at the same place.
 */
export interface ParameterSink {
  /** How other modules import the function: `['find']`, or `['UsersService', 'new', 'find']` for a method. */
  exportPath: string[];
  index: number;
  ruleId: string;
  messageId: string;
  /** Message data; the project step adds `source`, the label of the request data. */
  data: Record<string, string | number>;
  location: Location;
  fingerprintKey: string;
  replaces: string[];
}

/** An argument of a call to a function of another project module that carries request data or a parameter. */
export interface CallFact {
  specifier: string;
  path: string[];
  index: number;
  call: Location;
  from:
    | { kind: 'source'; label: string; location: Location }
    | { kind: 'parameter'; exportPath: string[]; index: number };
}

/** Everything the per-file step learns about a file; plain data, cached and sent between threads. */
export interface FileResult {
  file: string;
  lines: number;
  hasSyntaxErrors: boolean;
  findings: FileFinding[];
  facts: Record<string, unknown[]>;
  summary: ModuleSummary;
  /** Sinks that parameters of exported functions reach, and calls that hand data to other modules. */
  flows: { sinks: ParameterSink[]; calls: CallFact[] };
  suppressions: SuppressionComment[];
  notifications: Notification[];
}
