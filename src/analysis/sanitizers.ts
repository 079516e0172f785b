import type { Origin } from './origin.js';
import { CALL, NEW, packageName, packagePath } from './origin.js';

/**
 * What a sanitizer makes safe:
 * - `number`: the value is a number or boolean, safe in every sink;
 * - `html`: HTML-escaped or sanitized markup;
 * - `sql`: escaped for SQL by the driver's own escape function;
 * - `path`: reduced to a file name, or checked to stay inside a folder;
 * - `url`: percent-encoded;
 * - `shell`: quoted for a POSIX shell;
 * - `origin`: a URL whose host was compared with a constant or an allowlist,
 *   or a path checked to start with one `/`, so it stays on a known site;
 * - `allowlist`: checked against a fixed set of values, safe in every sink;
 * - `validated`: checked by a schema validator, which constrains shape but not content;
 * - `redacted`: masked, hashed or redacted, safe to log.
 */
export type SanitizerKind =
  | 'number'
  | 'html'
  | 'sql'
  | 'path'
  | 'url'
  | 'shell'
  | 'origin'
  | 'allowlist'
  | 'validated'
  | 'redacted';

interface SanitizerModel {
  /** A package name, or `global` for built-ins. */
  module: string;
  /** Property path below the module, calls and `new` left out; `*` matches any one name. */
  path: string[];
  kind: SanitizerKind;
}

const MODELS: SanitizerModel[] = [
  { module: 'global', path: ['Number'], kind: 'number' },
  { module: 'global', path: ['parseInt'], kind: 'number' },
  { module: 'global', path: ['parseFloat'], kind: 'number' },
  { module: 'global', path: ['Number', 'parseInt'], kind: 'number' },
  { module: 'global', path: ['Number', 'parseFloat'], kind: 'number' },
  { module: 'global', path: ['Math', '*'], kind: 'number' },
  { module: 'global', path: ['Boolean'], kind: 'number' },
  { module: 'global', path: ['Date', 'parse'], kind: 'number' },
  { module: 'global', path: ['encodeURIComponent'], kind: 'url' },
  { module: 'global', path: ['encodeURI'], kind: 'url' },
  { module: 'validator', path: ['escape'], kind: 'html' },
  { module: 'validator', path: ['toInt'], kind: 'number' },
  { module: 'validator', path: ['toFloat'], kind: 'number' },
  { module: 'validator', path: ['toBoolean'], kind: 'number' },
  { module: 'validator', path: ['toDate'], kind: 'number' },
  { module: 'escape-html', path: [], kind: 'html' },
  { module: 'he', path: ['encode'], kind: 'html' },
  { module: 'he', path: ['escape'], kind: 'html' },
  { module: 'lodash', path: ['escape'], kind: 'html' },
  { module: 'lodash.escape', path: [], kind: 'html' },
  { module: 'xss', path: [], kind: 'html' },
  { module: 'xss', path: ['filterXSS'], kind: 'html' },
  { module: 'sanitize-html', path: [], kind: 'html' },
  { module: 'dompurify', path: ['sanitize'], kind: 'html' },
  { module: 'isomorphic-dompurify', path: ['sanitize'], kind: 'html' },
  { module: 'dompurify', path: ['*', 'sanitize'], kind: 'html' },
  { module: 'sqlstring', path: ['escape'], kind: 'sql' },
  { module: 'sqlstring', path: ['escapeId'], kind: 'sql' },
  { module: 'sqlstring', path: ['format'], kind: 'sql' },
  { module: 'mysql', path: ['escape'], kind: 'sql' },
  { module: 'mysql', path: ['escapeId'], kind: 'sql' },
  { module: 'mysql', path: ['format'], kind: 'sql' },
  { module: 'mysql2', path: ['escape'], kind: 'sql' },
  { module: 'mysql2', path: ['escapeId'], kind: 'sql' },
  { module: 'mysql2', path: ['format'], kind: 'sql' },
  { module: 'mysql', path: ['*', 'escape'], kind: 'sql' },
  { module: 'mysql', path: ['*', 'escapeId'], kind: 'sql' },
  { module: 'mysql2', path: ['*', 'escape'], kind: 'sql' },
  { module: 'mysql2', path: ['*', 'escapeId'], kind: 'sql' },
  { module: 'pg-format', path: [], kind: 'sql' },
  { module: 'pg', path: ['*', 'escapeLiteral'], kind: 'sql' },
  { module: 'pg', path: ['*', 'escapeIdentifier'], kind: 'sql' },
  // `(await pool.connect()).escapeIdentifier(name)`: a client taken from a pool.
  { module: 'pg', path: ['*', '*', 'escapeLiteral'], kind: 'sql' },
  { module: 'pg', path: ['*', '*', 'escapeIdentifier'], kind: 'sql' },
  { module: 'pg', path: ['escapeLiteral'], kind: 'sql' },
  { module: 'pg', path: ['escapeIdentifier'], kind: 'sql' },
  { module: 'sequelize', path: ['*', 'escape'], kind: 'sql' },
  { module: 'path', path: ['basename'], kind: 'path' },
  { module: 'shell-quote', path: ['quote'], kind: 'shell' },
  { module: 'shescape', path: ['*'], kind: 'shell' },
  { module: 'shescape', path: ['Shescape', 'quote'], kind: 'shell' },
  { module: 'shescape', path: ['Shescape', 'quoteAll'], kind: 'shell' },
  { module: 'shescape', path: ['Shescape', 'escape'], kind: 'shell' },
  { module: 'shescape', path: ['Shescape', 'escapeAll'], kind: 'shell' },
  { module: 'shell-escape', path: [], kind: 'shell' },
  { module: 'any-shell-escape', path: [], kind: 'shell' },
  { module: 'isomorphic-dompurify', path: ['*', 'sanitize'], kind: 'html' },
  { module: 'html-escaper', path: ['escape'], kind: 'html' },
  { module: 'escape-goat', path: ['htmlEscape'], kind: 'html' },
  { module: 'entities', path: ['encode'], kind: 'html' },
  { module: 'entities', path: ['encodeHTML'], kind: 'html' },
  { module: 'entities', path: ['escape'], kind: 'html' },
  { module: 'entities', path: ['escapeUTF8'], kind: 'html' },
  { module: 'underscore', path: ['escape'], kind: 'html' },
  { module: 'striptags', path: [], kind: 'html' },
  { module: 'sanitize-filename', path: [], kind: 'path' },
  { module: 'crypto', path: ['createHash'], kind: 'redacted' },
  { module: 'crypto', path: ['createHmac'], kind: 'redacted' },
  { module: 'bcrypt', path: ['hash'], kind: 'redacted' },
  { module: 'bcrypt', path: ['hashSync'], kind: 'redacted' },
  { module: 'bcryptjs', path: ['hash'], kind: 'redacted' },
  { module: 'bcryptjs', path: ['hashSync'], kind: 'redacted' },
  { module: 'argon2', path: ['hash'], kind: 'redacted' },
];

/** Schema validators: a call of one of these methods on a schema returns validated data. */
const VALIDATOR_PACKAGES = new Set(['zod', 'joi', 'yup', 'valibot', 'superstruct', 'ajv', '@sinclair/typebox', 'class-validator', 'class-transformer', 'runtypes', 'io-ts', 'arktype', 'express-validator']);
const VALIDATING_METHODS = new Set([
  'parse',
  'parseAsync',
  'safeParse',
  'safeParseAsync',
  'validate',
  'validateAsync',
  'validateSync',
  'attempt',
  'cast',
  'create',
  'assert',
  'check',
  'decode',
  'plainToInstance',
  'plainToClass',
  'matchedData',
]);

/** The sanitizer a call stands for, judged by the origin of its callee. */
export function getSanitizerKind(callee: Origin): SanitizerKind | undefined {
  const root = callee.root;
  const module = root.kind === 'global' ? 'global' : root.kind === 'module' ? packageName(root.specifier) : undefined;
  if (!module) return undefined;
  const path = (root.kind === 'global' ? [root.name, ...callee.path] : packagePath(callee)).filter(
    (step) => step !== CALL && step !== NEW,
  );

  for (const model of MODELS) {
    if (model.module !== module && !(model.module === 'path' && module === 'path/posix')) continue;
    if (matchesPath(model.path, path)) return model.kind;
  }
  if (VALIDATOR_PACKAGES.has(module)) {
    const method = path[path.length - 1];
    if (method && VALIDATING_METHODS.has(method)) return 'validated';
  }
  return undefined;
}

function matchesPath(pattern: readonly string[], path: readonly string[]): boolean {
  if (pattern.length !== path.length) return false;
  return pattern.every((step, index) => step === '*' || step === path[index]);
}

/** Names of project functions that by convention mask or redact what they return. */
export const REDACTING_NAME = /(redact|mask|obfuscat|anonymi[sz]|pseudonymi[sz]|hash|scrub|censor|sanitize(?:ForLog|Log)?|truncate|last4|lastFour)/i;
