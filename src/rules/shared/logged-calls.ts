/**
 * Tables and predicates about calls met in logged values: which calls mask
 * their input, which return a flag or derived data, and which pass their
 * input on into the result.
 */
import { ts } from '../../typescript.js';
import { splitWords } from '../../analysis/sensitive.js';
import { skipOuterExpressions } from '../../analysis/syntax.js';

/** Names of calls that mask, besides those of REDACTING_NAME: digests, ciphers and key derivation. */
export const MASKING_CALL =
  /^(encrypt|cipher|digest|sha\d*|md5|hmac|bcrypt|argon2?|scrypt|pbkdf2|fingerprint|omit|without)/i;

/** First words of calls that return a flag, a count or derived claims rather than the data: `isValid`, `verify`, `compare`. */
export const DERIVING_VERBS = new Set([
  'is',
  'has',
  'can',
  'should',
  'validate',
  'verify',
  'check',
  'compare',
  'count',
  'equals',
  'contains',
  'exists',
  'matches',
  'decode',
  'test',
  'measure',
  'score',
]);

/** Methods whose result is a number or boolean, whatever the receiver holds. */
export const SCALAR_METHODS = new Set([
  'includes',
  'has',
  'startsWith',
  'endsWith',
  'test',
  'indexOf',
  'lastIndexOf',
  'findIndex',
  'some',
  'every',
  'localeCompare',
  'getTime',
  'isArray',
  'isInteger',
  'isFinite',
  'isNaN',
  'isSafeInteger',
  'timingSafeEqual',
  'keys',
  'size',
]);

/** First words of calls whose result is the data the rest of the name names: `getAccessToken()`, `decryptSsn(...)`. */
export const GETTER_VERBS = new Set([
  'get',
  'fetch',
  'load',
  'read',
  'find',
  'generate',
  'create',
  'issue',
  'sign',
  'decrypt',
  'reveal',
  'extract',
  'parse',
  'build',
  'compute',
  'make',
  'refresh',
  'rotate',
  'mint',
  'obtain',
  'retrieve',
  'lookup',
]);

/** Methods whose result contains the receiver's data, and the way they pass it on. */
export const PASS_THROUGH_METHODS = new Map<string, PassMode>([
  ['toString', 'coerce'],
  ['toLocaleString', 'coerce'],
  ['toLowerCase', 'coerce'],
  ['toUpperCase', 'coerce'],
  ['toLocaleLowerCase', 'coerce'],
  ['toLocaleUpperCase', 'coerce'],
  ['trim', 'coerce'],
  ['trimStart', 'coerce'],
  ['trimEnd', 'coerce'],
  ['normalize', 'coerce'],
  ['padStart', 'coerce'],
  ['padEnd', 'coerce'],
  ['split', 'coerce'],
  ['join', 'coerce'],
  ['concat', 'coerce'],
  ['repeat', 'coerce'],
  ['slice', 'coerce'],
  ['substring', 'coerce'],
  ['substr', 'coerce'],
  ['replace', 'coerce'],
  ['replaceAll', 'coerce'],
  ['at', 'copy'],
  ['flat', 'copy'],
  ['filter', 'copy'],
  ['find', 'copy'],
  ['sort', 'copy'],
  ['reverse', 'copy'],
  ['entries', 'copy'],
  ['values', 'copy'],
  ['valueOf', 'copy'],
  ['toJSON', 'serialize'],
  ['toObject', 'serialize'],
]);

/**
 * The way a call passes its input on:
 * - `serialize`: writes objects out field by field (`JSON.stringify`, `util.inspect`);
 * - `coerce`: converts to text the way `String()` does, so a plain object becomes `[object Object]`;
 * - `copy`: returns the same data as a value (`Object.assign`, `arr.filter(...)`).
 */
export type PassMode = 'serialize' | 'coerce' | 'copy';

/** Globals and packages whose functions return their arguments' data. */
export const PASS_THROUGH_FUNCTIONS: Array<{ module: string; path: string[]; mode: PassMode }> = [
  { module: 'global', path: ['String'], mode: 'coerce' },
  { module: 'global', path: ['JSON', 'stringify'], mode: 'serialize' },
  { module: 'global', path: ['JSON', 'parse'], mode: 'copy' },
  { module: 'global', path: ['Object', 'assign'], mode: 'copy' },
  { module: 'global', path: ['Object', 'values'], mode: 'copy' },
  { module: 'global', path: ['Object', 'entries'], mode: 'copy' },
  { module: 'global', path: ['Object', 'fromEntries'], mode: 'copy' },
  { module: 'global', path: ['Array', 'from'], mode: 'copy' },
  { module: 'global', path: ['Array', 'of'], mode: 'copy' },
  { module: 'global', path: ['Buffer', 'from'], mode: 'coerce' },
  { module: 'global', path: ['structuredClone'], mode: 'copy' },
  { module: 'global', path: ['encodeURIComponent'], mode: 'coerce' },
  { module: 'global', path: ['encodeURI'], mode: 'coerce' },
  { module: 'global', path: ['btoa'], mode: 'coerce' },
  { module: 'global', path: ['atob'], mode: 'coerce' },
  { module: 'global', path: ['decodeURIComponent'], mode: 'coerce' },
  { module: 'global', path: ['decodeURI'], mode: 'coerce' },
  { module: 'util', path: ['inspect'], mode: 'serialize' },
  { module: 'util', path: ['format'], mode: 'serialize' },
  { module: 'util', path: ['formatWithOptions'], mode: 'serialize' },
];

/** Packages whose every function returns its arguments' data: colours and safe JSON serializers. */
export const PASS_THROUGH_PACKAGES = new Set([
  'chalk',
  'colors',
  'picocolors',
  'kleur',
  'ansi-colors',
  'cli-color',
  'safe-stable-stringify',
  'fast-safe-stringify',
  'json-stringify-safe',
  'fast-json-stable-stringify',
  'sprintf-js',
]);

/** lodash functions that copy their argument. */
export const LODASH_COPIES = new Set([
  'clone',
  'cloneDeep',
  'merge',
  'assign',
  'defaults',
  'toPlainObject',
  'toString',
  'values',
  'toArray',
]);

/** Words of function names that format or serialize their arguments: `stringifyForLog`, `formatUser`, `toJson`. */
export const FORMATTING_WORDS = new Set([
  'stringify',
  'inspect',
  'format',
  'serialize',
  'dump',
  'pretty',
  'print',
  'json',
  'yaml',
  'encode',
  'base64',
  'colorize',
  'highlight',
]);

/** First words of helper names that turn their argument into another form of the same data: `toLogSafe`, `describeBody`, `mapPatient`. */
export const TRANSFORMING_VERBS = new Set([
  'to',
  'as',
  'describe',
  'summarize',
  'render',
  'map',
  'convert',
  'transform',
  'present',
  'display',
  'format',
  'serialize',
  'stringify',
  'dump',
  'print',
  'clean',
  'filter',
  'strip',
]);

export function isTransformingName(name: string): boolean {
  const words = splitWords(name);
  return TRANSFORMING_VERBS.has(words[0]!) || words.some((word) => FORMATTING_WORDS.has(word));
}

/** `isValid(...)`, `bcrypt.compare(...)`, `jwt.verify(...)`, `token.includes(...)`: a flag or derived data. */
export function isDerivingName(name: string): boolean {
  if (SCALAR_METHODS.has(name)) return true;
  if (name.startsWith('decodeURI')) return false;
  const words = splitWords(name);
  if (DERIVING_VERBS.has(words[0]!)) return true;
  const last = words[words.length - 1];
  return last === 'equal' || last === 'equals' || last === 'length' || last === 'count';
}

/** The maximum number of characters from the end of a value that still mask it: the last four digits of a card, or eight of a token. */
const MAX_MASKING_SUFFIX = 8;

/** The maximum number of characters from the start that still mask a value: a JWT's first 12 characters are its header. */
const MAX_MASKING_PREFIX = 12;

/** True for `card.slice(-4)` or `token.slice(0, 6)`: a few characters of the value, which masks it. */
export function isShortWindow(call: ts.CallExpression): boolean {
  const numbers = call.arguments.map(getNumber);
  if (numbers.some((value) => value === undefined)) return false;
  const [start, end] = numbers as number[];
  if (start === undefined) return false;
  if (start < 0 && end === undefined) return -start <= MAX_MASKING_SUFFIX;
  if (end !== undefined && start >= 0 && end >= 0) return end - start <= MAX_MASKING_PREFIX;
  return false;
}

/** Returns the value of a numeric literal, or `-4` for `value.length - 4`, which counts from the end. */
function getNumber(expression: ts.Expression): number | undefined {
  const node = skipOuterExpressions(expression);
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (
    ts.isBinaryExpression(node) &&
    node.operatorToken.kind === ts.SyntaxKind.MinusToken &&
    ts.isPropertyAccessExpression(node.left) &&
    node.left.name.text === 'length' &&
    ts.isNumericLiteral(node.right)
  ) {
    return -Number(node.right.text);
  }
  if (
    ts.isPrefixUnaryExpression(node) &&
    node.operator === ts.SyntaxKind.MinusToken &&
    ts.isNumericLiteral(node.operand)
  ) {
    return -Number(node.operand.text);
  }
  return undefined;
}

/** `ssn.replace(/\d(?=\d{4})/g, '*')`: a replacement made of mask characters. */
export function isMaskingReplacement(replacement: ts.Expression | undefined): boolean {
  if (!replacement || !ts.isStringLiteralLike(replacement)) return false;
  return /[*•#xX]|redact|mask|hidden/i.test(replacement.text);
}

export function sameSteps(known: readonly string[], steps: readonly string[]): boolean {
  return known.length === steps.length && known.every((step, index) => step === steps[index]);
}
