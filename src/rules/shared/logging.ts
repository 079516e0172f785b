import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { CALL, NEW, packageName, packagePath, type Origin } from '../../analysis/origin.js';
import { REDACTING_NAME } from '../../analysis/sanitizers.js';
import { splitWords } from '../../analysis/sensitive.js';
import {
  findProperty,
  getMemberName,
  getPropertyValue,
  hasModifier,
  propertyNameText,
  skipOuterExpressions,
} from '../../analysis/syntax.js';
import type { ImportRef } from '../../engine/facts.js';

/** A call that writes its arguments to a log. */
export interface LogCall {
  call: ts.CallExpression;
  /** The arguments whose values reach the log, with their index in the call. */
  args: Array<{ expression: ts.Expression; index: number }>;
  /** The logger object, such as `logger` in `logger.info(...)`; undefined for a logging function. */
  receiver: ts.Expression | undefined;
}

/**
 * Redaction that a logger applies to the objects it writes:
 * - `paths`: pino's `redact` paths, split into keys (`*` matches any key),
 *   which apply to the first argument when it is an object;
 * - `structured`: a format or hook whose name says it redacts, taken to clean
 *   every object argument but not text built into the message.
 */
export type RedactInfo = { kind: 'paths'; paths: string[][] } | { kind: 'structured' };

/** The set-up of a logger: the redaction it applies, or the project module that exports it. */
export interface LoggerSetup {
  redact?: RedactInfo;
  imported?: ImportRef;
}

/** Method names that write an entry in the level-based loggers: winston, pino, bunyan, log4js, NestJS and the like. */
export const LEVEL_METHODS = new Set([
  'trace',
  'debug',
  'info',
  'log',
  'warn',
  'warning',
  'error',
  'fatal',
  'verbose',
  'silly',
  'http',
  'notice',
  'critical',
  'crit',
  'alert',
  'emerg',
  'emergency',
]);

const CONSOLE_METHODS = new Set([
  'log',
  'info',
  'warn',
  'error',
  'debug',
  'trace',
  'dir',
  'dirxml',
  'table',
  'assert',
  'group',
  'groupCollapsed',
  'timeLog',
]);

/** Extra entry methods of signale and consola: `signale.success(...)`, `consola.box(...)`. */
const PACKAGE_ENTRY_METHODS = new Set(['success', 'fail', 'start', 'ready', 'box', 'note', 'pending', 'complete', 'await', 'audit']);

/** Packages whose loggers are recognised by where they come from, whatever their variable is called. */
const LOGGING_PACKAGES = new Set([
  'winston',
  'pino',
  'bunyan',
  'log4js',
  'loglevel',
  'signale',
  'consola',
  'npmlog',
  'tslog',
  'roarr',
  'electron-log',
  'nestjs-pino',
  'pino-http',
  '@aws-lambda-powertools/logger',
  '@nestjs/common',
  'fastify',
  'debug',
  'util',
]);

/** Methods that derive a logger from another one, keeping its configuration: pino's `child`, consola's `withTag`. */
const DERIVING_METHODS = new Set(['child', 'withTag', 'withScope', 'scope', 'tag', 'withContext', 'setContext', 'extend']);

/** Packages whose options may configure the logger of every request: Fastify's `logger`, pino-http's `redact`. */
const REQUEST_LOGGER_PACKAGES = new Set(['fastify', 'pino-http', 'express-pino-logger', 'koa-pino-logger', 'hono-pino', 'nestjs-pino']);

/**
 * A morgan set-up that logs request data: a format string with request
 * header tokens (`':method :url :req[authorization]'`), or a custom token
 * whose function returns request data (`morgan.token('body', (req) => ...)`).
 */
export type MorganLogging =
  | { kind: 'format'; node: ts.Expression; headers: string[] }
  | { kind: 'token'; fn: ts.ArrowFunction | ts.FunctionExpression };

/**
 * What the text of a file allows, so that origin questions are asked only
 * where the answer can matter. A value comes from a package only through an
 * import or `require` that names it in a string literal, and from the global
 * `console` only where the file says `console`.
 */
export interface LoggingHints {
  /** A call may come from `console` or a logging package. */
  loggingRoots: boolean;
  /** A call may come from morgan. */
  morgan: boolean;
  /** A call may make a request logger of {@link REQUEST_LOGGER_PACKAGES}. */
  requestLoggers: boolean;
}

const hintCache = new WeakMap<ts.SourceFile, LoggingHints>();

/** Returns the hints of a file, read from its text in one search. */
export function getLoggingHints(sourceFile: ts.SourceFile): LoggingHints {
  let hints = hintCache.get(sourceFile);
  if (!hints) {
    const text = sourceFile.text;
    const named = new Set<string>();
    for (const match of text.matchAll(SPECIFIERS)) named.add(match[1]!);
    let loggingRoots = false;
    for (const name of LOGGING_PACKAGES) if (named.has(name)) loggingRoots = true;
    let requestLoggers = false;
    for (const name of REQUEST_LOGGER_PACKAGES) if (named.has(name)) requestLoggers = true;
    hints = { loggingRoots: loggingRoots || text.includes('console'), morgan: named.has('morgan'), requestLoggers };
    hintCache.set(sourceFile, hints);
  }
  return hints;
}

/**
 * A string literal that opens with one of the packages the hints ask about,
 * as every import or `require` of the package or of a path inside it does:
 * `'pino'`, `"node:util"`, `'debug/src/node'`. The package is the first group.
 */
const SPECIFIERS = new RegExp(
  `['"\`](?:node:)?(${[...new Set([...LOGGING_PACKAGES, ...REQUEST_LOGGER_PACKAGES, 'morgan'])]
    .map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('|')})['"\`/]`,
  'g',
);

/** Every last step of an origin that {@link isLoggingOrigin} accepts. */
const LOGGING_ORIGIN_ENDS = new Set([...CONSOLE_METHODS, ...LEVEL_METHODS, ...PACKAGE_ENTRY_METHODS, CALL]);

export function getMorganLogging(
  sem: FileSemantics,
  call: ts.CallExpression,
  hints = getLoggingHints(sem.sourceFile),
): MorganLogging | undefined {
  if (!hints.morgan) return undefined;
  const origin = sem.originOf(call.expression);
  if (origin.root.kind !== 'module' || packageName(origin.root.specifier) !== 'morgan') return undefined;
  const path = packagePath(origin);
  const first = call.arguments[0];
  if (path.length === 0 && first) {
    const format = sem.evaluate(first);
    if (format.kind !== 'string') return undefined;
    const headers = [...format.value.matchAll(/:req\[([^\]]+)\]/g)].map((match) => match[1]!);
    return headers.length > 0 ? { kind: 'format', node: first, headers } : undefined;
  }
  const fn = call.arguments[1] && skipOuterExpressions(call.arguments[1]);
  if (path.length === 1 && path[0] === 'token' && fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) {
    return { kind: 'token', fn };
  }
  return undefined;
}

/** Recognises a call that writes to a log, or returns undefined. */
export function getLogCall(
  sem: FileSemantics,
  call: ts.CallExpression,
  hints = getLoggingHints(sem.sourceFile),
): LogCall | undefined {
  const callee = skipOuterExpressions(call.expression);

  if (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) {
    const method = getMemberName(callee);
    if (!method) return undefined;
    const receiver = skipOuterExpressions(callee.expression);
    if (ts.isIdentifier(receiver) && receiver.text === 'console' && !sem.resolve(receiver)) {
      if (!CONSOLE_METHODS.has(method)) return undefined;
      // `console.assert(condition, ...data)` logs only when the condition fails, and never the condition.
      const all = getArguments(call);
      return { call, args: method === 'assert' ? all.slice(1) : all, receiver };
    }
    if (LEVEL_METHODS.has(method) && isLoggerExpression(receiver)) return { call, args: getArguments(call), receiver };
    if (!hints.loggingRoots || !mayHaveLoggingOrigin(sem, receiver, method)) return undefined;
    return isLoggingOrigin(sem.originOf(callee)) ? { call, args: getArguments(call), receiver } : undefined;
  }

  if (!ts.isIdentifier(callee)) return undefined;
  const origin = hints.loggingRoots ? sem.originOf(callee) : undefined;
  if ((origin && isLoggingOrigin(origin)) || isLoggerFunctionName(sem, callee, origin)) {
    return { call, args: getArguments(call), receiver: undefined };
  }
  return undefined;
}

function getArguments(call: ts.CallExpression): LogCall['args'] {
  return call.arguments.map((expression, index) => ({ expression, index }));
}

/**
 * False when the origin of `receiver.method` cannot end at a logging method,
 * which spares the origin question for most calls. The origin of a member is
 * the receiver's origin with the member's name added, so its last step is
 * the method's name, unless the member is a field of `this` or a property of
 * an object literal held in a local variable, whose value's origin it takes.
 */
function mayHaveLoggingOrigin(sem: FileSemantics, receiver: ts.Expression, method: string): boolean {
  if (LOGGING_ORIGIN_ENDS.has(method) || receiver.kind === ts.SyntaxKind.ThisKeyword) return true;
  if (!ts.isIdentifier(receiver)) return false;
  const declaration = sem.resolve(receiver);
  if (declaration?.kind !== 'variable' || declaration.pattern.length > 0 || !declaration.node.initializer) return false;
  const initializer = skipOuterExpressions(declaration.node.initializer);
  return ts.isObjectLiteralExpression(initializer) && findProperty(initializer, method) !== undefined;
}

/** True when an origin ends at a logging method of a logging package or of `console`. */
function isLoggingOrigin(origin: Origin): boolean {
  const root = origin.root;
  if (root.kind === 'global') {
    const method = origin.path[origin.path.length - 1];
    return root.name === 'console' && origin.path.length === 1 && method !== undefined && CONSOLE_METHODS.has(method);
  }
  if (root.kind !== 'module') return false;
  const pkg = packageName(root.specifier);
  if (!LOGGING_PACKAGES.has(pkg)) return false;
  const path = packagePath(origin);
  const last = path[path.length - 1];
  if (last === undefined) return false;

  switch (pkg) {
    case 'debug':
      // `const debug = require('debug')('auth')` makes a logger, so the callee of an entry ends in a call.
      return last === CALL;
    case 'util':
      return path[0] === 'debuglog' && last === CALL && path.length >= 2;
    case '@nestjs/common':
      return (path[0] === 'Logger' || path[0] === 'ConsoleLogger') && LEVEL_METHODS.has(last);
    case 'fastify':
      return path.includes('log') && LEVEL_METHODS.has(last);
    default:
      return LEVEL_METHODS.has(last) || PACKAGE_ENTRY_METHODS.has(last);
  }
}

/**
 * True for an expression named like a logger: `logger`, `log`, `this.logger`,
 * `req.log`, `auditLogger`, or a child of one, `logger.child({ ... })`.
 */
export function isLoggerExpression(expression: ts.Expression): boolean {
  const node = skipOuterExpressions(expression);
  if (ts.isCallExpression(node)) {
    const callee = skipOuterExpressions(node.expression);
    if (ts.isPropertyAccessExpression(callee) && DERIVING_METHODS.has(callee.name.text)) {
      return isLoggerExpression(callee.expression);
    }
    return false;
  }
  const name = ts.isIdentifier(node) ? node.text : getMemberName(node);
  return name !== undefined && isLoggerName(name);
}

function isLoggerName(name: string): boolean {
  const words = splitWords(name);
  const last = words[words.length - 1];
  return last === 'log' || last === 'logger' || last === 'logging';
}

/** A bare function named `log` or `logError` that comes from another module or a parameter: `import { log } from './log'`. */
function isLoggerFunctionName(sem: FileSemantics, callee: ts.Identifier, origin: Origin | undefined): boolean {
  // The first word is `log` only when the name's first letters are.
  if (!LOG_START.test(callee.text)) return false;
  const words = splitWords(callee.text);
  if (words[0] !== 'log') return false;
  if (words.length > 2 || (words.length === 2 && !LEVEL_METHODS.has(words[1]!))) return false;
  const declaration = sem.resolve(callee);
  if (declaration?.kind === 'import' || declaration?.kind === 'parameter') return true;
  // `const log = logger.info.bind(logger)` or `const { info: log } = logger`.
  const names = (origin ?? sem.originOf(callee)).names;
  return names.length >= 2 && isLoggerName(names[names.length - 2]!) && LEVEL_METHODS.has(names[names.length - 1]!);
}

const LOG_START = /^[^A-Za-z0-9]*log/i;

/** Finds how the logger of a log call was made: its redaction options, or the module it is imported from. */
export function getLoggerSetup(sem: FileSemantics, log: LogCall): LoggerSetup {
  if (log.receiver) return findSetup(sem, log.receiver, 0);
  const callee = skipOuterExpressions(log.call.expression);
  return ts.isIdentifier(callee) ? findImportedLogger(sem, callee) : {};
}

const MAX_SETUP_DEPTH = 8;

function findSetup(sem: FileSemantics, expression: ts.Expression, depth: number): LoggerSetup {
  if (depth > MAX_SETUP_DEPTH) return {};
  const node = skipOuterExpressions(expression);

  if (ts.isIdentifier(node)) {
    const imported = findImportedLogger(sem, node);
    if (imported.imported) return imported;
    const declaration = sem.resolve(node);
    if (declaration?.kind === 'variable' && declaration.pattern.length === 0) {
      const initializer = sem.getSingleValue(declaration);
      return initializer ? findSetup(sem, initializer, depth + 1) : {};
    }
    return {};
  }

  if (ts.isPropertyAccessExpression(node)) {
    if (node.expression.kind === ts.SyntaxKind.ThisKeyword) {
      const initializer = findClassFieldValue(node);
      return initializer ? findSetup(sem, initializer, depth + 1) : {};
    }
    // `req.log`, `request.log`, `fastify.log` and `app.log` are set up by the app's logger options.
    if (isLoggerName(node.name.text)) {
      const fromBase = findSetup(sem, node.expression, depth + 1);
      if (fromBase.redact || fromBase.imported) return fromBase;
      const redact = findRequestLoggerRedact(sem);
      return redact ? { redact } : {};
    }
    return {};
  }

  if (ts.isCallExpression(node)) {
    const callee = skipOuterExpressions(node.expression);
    if (ts.isPropertyAccessExpression(callee) && DERIVING_METHODS.has(callee.name.text)) {
      return findSetup(sem, callee.expression, depth + 1);
    }
    const options = node.arguments[0] ? getObjectLiteral(sem, node.arguments[0]) : undefined;
    const redact = options ? getRedactFromOptions(sem, options, 0) : undefined;
    return redact ? { redact } : {};
  }
  return {};
}

/** `import { logger } from './logger'`, or `const { logger } = require('./logger')`, as a reference for the project step. */
function findImportedLogger(sem: FileSemantics, identifier: ts.Identifier): LoggerSetup {
  const origin = sem.originOf(identifier);
  if (origin.root.kind !== 'module' || !sem.isProjectModule(origin)) return {};
  // `require('./logger').child({ ... })` derives from the module's default export.
  const first = origin.path.find((step) => step !== CALL && step !== NEW);
  const exportName = first === undefined || DERIVING_METHODS.has(first) ? 'default' : first;
  return { imported: { specifier: origin.root.specifier, path: [exportName] } };
}

/** The initializer of a class field, or the value a constructor assigns to it: `private logger = pino(...)`. */
function findClassFieldValue(access: ts.PropertyAccessExpression): ts.Expression | undefined {
  let classNode: ts.Node | undefined = access.parent;
  while (classNode && !ts.isClassLike(classNode)) classNode = classNode.parent;
  if (!classNode || !ts.isClassLike(classNode)) return undefined;
  const name = access.name.text;
  for (const member of classNode.members) {
    if (ts.isPropertyDeclaration(member) && member.name && propertyNameText(member.name) === name) {
      if (member.initializer) return member.initializer;
    }
    if (!ts.isConstructorDeclaration(member) || !member.body) continue;
    for (const statement of member.body.statements) {
      if (!ts.isExpressionStatement(statement)) continue;
      const assignment = statement.expression;
      if (!ts.isBinaryExpression(assignment) || assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
      const left = assignment.left;
      if (ts.isPropertyAccessExpression(left) && left.expression.kind === ts.SyntaxKind.ThisKeyword && left.name.text === name) {
        return assignment.right;
      }
    }
  }
  return undefined;
}

/** Returns the object literal that an expression denotes, directly or through a `const`. */
export function getObjectLiteral(sem: FileSemantics, expression: ts.Expression, depth = 0): ts.ObjectLiteralExpression | undefined {
  const node = skipOuterExpressions(expression);
  if (ts.isObjectLiteralExpression(node)) return node;
  if (ts.isIdentifier(node) && depth < 4) {
    const declaration = sem.resolve(node);
    if (declaration?.kind !== 'variable' || declaration.pattern.length > 0) return undefined;
    const initializer = sem.getSingleValue(declaration);
    return initializer ? getObjectLiteral(sem, initializer, depth + 1) : undefined;
  }
  return undefined;
}

/**
 * Reads redaction from logger options: pino's `redact: [...]` or
 * `redact: { paths: [...] }`, Fastify's `logger: { redact }`, and a format,
 * hook or serializer whose function name says it redacts.
 */
export function getRedactFromOptions(sem: FileSemantics, options: ts.ObjectLiteralExpression, depth: number): RedactInfo | undefined {
  if (depth > 3) return undefined;
  const redact = findProperty(options, 'redact');
  const redactValue = redact && getPropertyValue(redact);
  if (redactValue) {
    const paths = readRedactPaths(sem, redactValue);
    if (paths.length > 0) return { kind: 'paths', paths };
  }
  const logger = findProperty(options, 'logger') ?? findProperty(options, 'loggerInstance') ?? findProperty(options, 'pinoHttp');
  const loggerValue = logger && getPropertyValue(logger);
  if (loggerValue) {
    const nested = getObjectLiteral(sem, loggerValue);
    if (nested) {
      const found = getRedactFromOptions(sem, nested, depth + 1);
      if (found) return found;
    } else {
      const setup = findSetup(sem, loggerValue, depth + 1);
      if (setup.redact) return setup.redact;
    }
  }
  for (const key of ['format', 'formatters', 'hooks', 'serializers', 'rewriters']) {
    const property = findProperty(options, key);
    const value = property && (ts.isMethodDeclaration(property) ? property : getPropertyValue(property));
    if (value && mentionsRedactingName(value)) return { kind: 'structured' };
  }
  return undefined;
}

function readRedactPaths(sem: FileSemantics, value: ts.Expression): string[][] {
  const objectLiteral = getObjectLiteral(sem, value);
  if (objectLiteral) {
    const paths = findProperty(objectLiteral, 'paths');
    const pathsValue = paths && getPropertyValue(paths);
    return pathsValue ? readRedactPaths(sem, pathsValue) : [];
  }
  const evaluated = sem.evaluate(value);
  if (evaluated.kind !== 'array') return [];
  const paths: string[][] = [];
  for (const item of evaluated.items) {
    if (item.kind === 'string') paths.push(splitRedactPath(item.value));
  }
  return paths;
}

/** Splits a pino redact path into keys: `req.headers["x-api-key"]` gives `req`, `headers`, `x-api-key`; `[*]` gives `*`. */
export function splitRedactPath(path: string): string[] {
  const keys: string[] = [];
  const pattern = /([^.[\]]+)|\[\s*(?:"([^"]*)"|'([^']*)'|([^\]]*))\s*\]/g;
  for (const match of path.matchAll(pattern)) {
    const key = match[1] ?? match[2] ?? match[3] ?? match[4];
    if (key !== undefined && key !== '') keys.push(key.trim());
  }
  return keys;
}

function mentionsRedactingName(node: ts.Node): boolean {
  let found = false;
  const visit = (child: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(child) && REDACTING_NAME.test(child.text)) {
      found = true;
      return;
    }
    ts.forEachChild(child, visit);
  };
  visit(node);
  return found;
}

const requestRedactCache = new WeakMap<ts.SourceFile, RedactInfo | null>();

/** Redaction configured for request loggers in this file: `Fastify({ logger: { redact } })` or `pinoHttp({ redact })`. */
function findRequestLoggerRedact(sem: FileSemantics): RedactInfo | undefined {
  if (!getLoggingHints(sem.sourceFile).requestLoggers) return undefined;
  const cached = requestRedactCache.get(sem.sourceFile);
  if (cached !== undefined) return cached ?? undefined;
  let found: RedactInfo | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const origin = sem.originOf(node.expression);
      if (origin.root.kind === 'module' && REQUEST_LOGGER_PACKAGES.has(packageName(origin.root.specifier))) {
        const options = node.arguments?.[0] ? getObjectLiteral(sem, node.arguments[0]) : undefined;
        found = options ? getRedactFromOptions(sem, options, 0) : undefined;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sem.sourceFile);
  requestRedactCache.set(sem.sourceFile, found ?? null);
  return found;
}

/**
 * Loggers this module exports, with the redaction each applies:
 * `export const logger = pino({ redact: [...] })`, `export default pino(...)`
 * and `module.exports = logger`. Only loggers that redact are listed.
 */
export function getExportedLoggerRedaction(sem: FileSemantics): Record<string, RedactInfo> {
  const exported: Record<string, RedactInfo> = {};
  const add = (name: string, value: ts.Expression): void => {
    const setup = findSetup(sem, value, 0);
    if (setup.redact) exported[name] = setup.redact;
  };
  for (const statement of sem.sourceFile.statements) {
    if (ts.isVariableStatement(statement) && hasModifier(statement, ts.SyntaxKind.ExportKeyword)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.initializer) add(declaration.name.text, declaration.initializer);
      }
    } else if (ts.isExportAssignment(statement)) {
      add('default', statement.expression);
    } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) {
        const local = element.propertyName ?? element.name;
        if (ts.isIdentifier(local)) add(element.name.text, local);
      }
    } else if (ts.isExpressionStatement(statement)) {
      addCommonJsLogger(statement.expression, add);
    }
  }
  return exported;
}

function addCommonJsLogger(expression: ts.Expression, add: (name: string, value: ts.Expression) => void): void {
  if (!ts.isBinaryExpression(expression) || expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
  const left = expression.left;
  if (!ts.isPropertyAccessExpression(left)) return;
  const base = left.expression;
  const isModuleExports = ts.isIdentifier(base) && base.text === 'module' && left.name.text === 'exports';
  if (isModuleExports) {
    add('default', expression.right);
    const value = skipOuterExpressions(expression.right);
    if (!ts.isObjectLiteralExpression(value)) return;
    for (const property of value.properties) {
      const name = property.name && propertyNameText(property.name);
      const propertyValue = getPropertyValue(property);
      if (name && propertyValue) add(name, propertyValue);
    }
    return;
  }
  const isExportsMember =
    (ts.isIdentifier(base) && base.text === 'exports') ||
    (ts.isPropertyAccessExpression(base) && ts.isIdentifier(base.expression) && base.expression.text === 'module' && base.name.text === 'exports');
  if (isExportsMember) add(left.name.text, expression.right);
}

/**
 * True when a logger's redaction removes a value at a place in the logged
 * arguments. `contents` is undefined for a single value, `unknown` for an
 * object of unknown keys such as a request body, or the sensitive keys of a
 * typed object. A path that reaches the value or a key above it covers it. A
 * path into an object of unknown keys covers it too, since the author chose
 * what to remove, and a typed object is covered when every sensitive key is.
 */
export function isRedacted(
  redact: RedactInfo,
  place: { argIndex: number; path: string[] },
  contents: readonly string[] | 'unknown' | undefined,
): boolean {
  if (redact.kind === 'structured') return place.path.length > 0 || contents !== undefined;
  // pino redacts the merging object only: the first argument.
  if (place.argIndex !== 0) return false;
  const path = place.path;
  const matches = (pattern: readonly string[], keys: readonly string[]): boolean =>
    pattern.every((key, index) => key === '*' || key === keys[index]);

  if (redact.paths.some((pattern) => pattern.length > 0 && pattern.length <= path.length && matches(pattern, path))) return true;
  if (contents === undefined) return false;
  if (contents === 'unknown') {
    return redact.paths.some((pattern) => pattern.length > path.length && matches(pattern.slice(0, path.length), path));
  }
  return contents.every((field) =>
    redact.paths.some((pattern) => pattern.length === path.length + 1 && matches(pattern, [...path, field])),
  );
}
