import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { CALL, NEW, packageName, packagePath, type Origin } from '../../analysis/origin.js';
import {
  findProperty,
  getCallReceiver,
  getEnclosingClass,
  getPropertyValue,
  isFunctionNode,
  skipOuterExpressions,
} from '../../analysis/syntax.js';
import { mayImport, perFile } from './file-imports.js';
import type { WalkLists } from './walk-lists.js';

/** Packages whose calls the JWT rules recognise. */
export type JwtLibrary =
  | 'jsonwebtoken'
  | 'jose'
  | '@nestjs/jwt'
  | 'express-jwt'
  | 'koa-jwt'
  | 'passport-jwt'
  | 'fast-jwt'
  | 'jwt-decode'
  | '@fastify/jwt'
  /** Hono's `hono/jwt` helpers, whose `sign()` takes no options: only an `exp` claim gives an expiry. */
  | 'hono/jwt'
  /** A payload decoded by hand: `JSON.parse(Buffer.from(token.split('.')[1], 'base64').toString())`. */
  | 'base64';

const LIBRARIES = new Set<string>([
  'jsonwebtoken',
  'jose',
  '@nestjs/jwt',
  'express-jwt',
  'koa-jwt',
  'passport-jwt',
  'fast-jwt',
  'jwt-decode',
  '@fastify/jwt',
]);

/** Package names that stand for another: the old name of @fastify/jwt. */
const LIBRARY_ALIASES: Record<string, JwtLibrary> = { 'fastify-jwt': '@fastify/jwt' };

/** The options paths of a module registration's signing and verifying defaults. */
const MODULE_OPTION_PATHS: Partial<Record<JwtLibrary, { sign: string[]; verify: string[] }>> = {
  '@nestjs/jwt': { sign: ['signOptions'], verify: ['verifyOptions'] },
  '@fastify/jwt': { sign: ['sign'], verify: ['verify'] },
};

/** Returns the options path of a module registration's signing (`sign`) or verifying (`verify`) defaults. */
export function getModuleOptionPath(operation: JwtOperation, use: 'sign' | 'verify'): string[] {
  return MODULE_OPTION_PATHS[operation.library]?.[use] ?? [];
}

interface OperationBase {
  library: JwtLibrary;
  /** The callee as the code names it, for messages: `jwt.sign`, `this.jwtService.verifyAsync`, `expressjwt`. */
  label: string;
}

/**
 * A recognised JWT call, by what it does:
 * - `sign`: signs one token now (`jwt.sign`, `JwtService.sign`);
 * - `verify`: checks one token's signature now (`jwt.verify`, jose `jwtVerify`, a fast-jwt verifier);
 * - `decode`: reads a token without checking it (`jwt.decode`, jose `decodeJwt`);
 * - `builder`: a jose `new SignJWT(payload)`, signed later by its `sign()` method;
 * - `signer`: configures later signing (fast-jwt `createSigner`);
 * - `verifier`: configures later verification (express-jwt, koa-jwt, passport-jwt, fast-jwt `createVerifier`);
 * - `module`: a registration whose options set defaults for later calls: NestJS
 *   `JwtModule.register`, `registerAsync` and `new JwtService` (`signOptions`,
 *   `verifyOptions`), and `fastify.register(fastifyJwt, options)` (`sign`, `verify`).
 */
export type JwtOperation =
  | (OperationBase & { kind: 'sign'; node: ts.CallExpression; payload?: ts.Expression; options?: ts.Expression })
  | (OperationBase & { kind: 'verify'; node: ts.CallExpression; token?: ts.Expression; options?: ts.Expression })
  | (OperationBase & { kind: 'decode'; node: ts.CallExpression; token?: ts.Expression; options?: ts.Expression })
  | (OperationBase & { kind: 'builder'; node: ts.NewExpression; className: string; payload?: ts.Expression })
  | (OperationBase & { kind: 'signer'; node: ts.CallExpression; options?: ts.Expression })
  | (OperationBase & { kind: 'verifier'; node: ts.CallExpression | ts.NewExpression; options?: ts.Expression })
  | (OperationBase & {
      kind: 'module';
      node: ts.CallExpression | ts.NewExpression;
      options?: ts.Expression;
      /** True when the options cannot be read, as with `registerAsync({ useClass })`. */
      optionsUnknown: boolean;
    });

/** Returns the options argument of an operation, if it takes one. */
export function getOperationOptions(operation: JwtOperation): ts.Expression | undefined {
  return 'options' in operation ? operation.options : undefined;
}

/**
 * Names the operation for messages: `jwt.verify()`, `new JwtStrategy()`,
 * and, for `super()` in a NestJS strategy, the strategy it configures.
 */
export function describeCallee(operation: JwtOperation): string {
  if (operation.label === 'super') return 'The passport-jwt strategy';
  return ts.isNewExpression(operation.node) ? `new ${operation.label}()` : `${operation.label}()`;
}

/**
 * Packages an origin must start at for a call to be recognised other than by
 * its name: the JWT libraries, Hono (`hono/jwt`) and `util` (for
 * `promisify(jwt.verify)`). In a file that imports none of them, only a
 * method with a JWT name, recognised by its receiver, or a hand-made
 * `JSON.parse` decode can be a JWT call.
 */
const GATE_PACKAGES = new Set([...LIBRARIES, ...Object.keys(LIBRARY_ALIASES), 'hono', 'util']);

/** Method names that {@link getLibraryByReceiverName} and {@link getFastifyByName} recognise. */
const NAMED_METHODS = new Set(['sign', 'signAsync', 'verify', 'verifyAsync', 'decode', 'jwtSign', 'jwtVerify', 'jwtDecode']);

const importsJwtPackage = perFile((sourceFile) => mayImport(sourceFile, GATE_PACKAGES));

/** Operations recognised so far in each file, kept per file so that several rules and checks share them. */
const operationsByFile = perFile(() => new Map<ts.Node, JwtOperation | null>());

/** Recognises a JWT call or construction, once per node: several rules ask about the same call. */
export function getJwtOperation(sem: FileSemantics, node: ts.CallExpression | ts.NewExpression): JwtOperation | undefined {
  if (!importsJwtPackage(sem.sourceFile) && !mayBeNamedOperation(node)) return undefined;
  const cache = operationsByFile(sem.sourceFile);
  const cached = cache.get(node);
  if (cached !== undefined) return cached ?? undefined;
  const operation = recognize(sem, node);
  cache.set(node, operation ?? null);
  return operation;
}

/** True for `x.sign()`, `x.jwtVerify()` and the like, and for `JSON.parse()`: the calls a file without JWT imports can make. */
function mayBeNamedOperation(node: ts.CallExpression | ts.NewExpression): boolean {
  const callee = skipOuterExpressions(node.expression);
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const name = callee.name.text;
  return NAMED_METHODS.has(name) || (name === 'parse' && ts.isCallExpression(node));
}

const operationListsByFile = new WeakMap<ts.SourceFile, JwtOperation[]>();

/** The JWT operations of a file, in walk order, recognised once for the rules that ask. */
export function getJwtOperations(sem: FileSemantics, lists: WalkLists): readonly JwtOperation[] {
  let operations = operationListsByFile.get(sem.sourceFile);
  if (operations) return operations;
  operations = [];
  for (const node of lists.invocations.nodes) {
    const operation = getJwtOperation(sem, node);
    if (operation) operations.push(operation);
  }
  operationListsByFile.set(sem.sourceFile, operations);
  return operations;
}

function recognize(sem: FileSemantics, node: ts.CallExpression | ts.NewExpression): JwtOperation | undefined {
  const callee = skipOuterExpressions(node.expression);
  if (ts.isCallExpression(node)) {
    if (callee.kind === ts.SyntaxKind.SuperKeyword) return recognizeStrategySuper(sem, node);
    const manual = recognizeManualDecode(sem, node);
    if (manual) return manual;
    const registration = recognizeFastifyRegistration(sem, node);
    if (registration) return registration;
  }
  const target = unwrapPromisify(sem, callee);
  const origin = sem.originOf(target);
  const recognized = getJwtLibrary(sem, origin, target);
  if (!recognized) return undefined;
  const { library, byName } = recognized;
  // A receiver recognised by its name stands for the package itself.
  const path = byName ? [getMemberName(target) ?? ''] : packagePath(origin);
  const label = getLabel(callee);
  const args = node.arguments ?? [];

  if (ts.isNewExpression(node)) return recognizeNew(library, node, path, label, args);
  if (byName && library === 'jsonwebtoken' && !hasJsonwebtokenShape(path[0], args)) return undefined;
  if (isHonoJwt(origin)) return recognizeHono(node, path, label);
  switch (library) {
    case 'jsonwebtoken':
      return recognizeJsonwebtoken(sem, node, path, label);
    case 'jose':
      return recognizeJose(node, path, label);
    case '@nestjs/jwt':
      return recognizeNestCall(sem, node, path, label);
    case 'express-jwt':
    case 'koa-jwt':
      if (path.length === 0 || (path.length === 1 && path[0] === 'expressjwt')) {
        return { kind: 'verifier', library, label, node, options: args[0] };
      }
      return undefined;
    case 'fast-jwt':
      return recognizeFastJwt(node, path, label);
    case '@fastify/jwt':
      return recognizeFastifyCall(sem, node, path[0], label);
    case 'jwt-decode':
      if (path.length === 0 || (path.length === 1 && path[0] === 'jwtDecode')) {
        return { kind: 'decode', library, label, node, token: args[0] };
      }
      return undefined;
    default:
      return undefined;
  }
}

function recognizeNew(
  library: JwtLibrary,
  node: ts.NewExpression,
  path: readonly string[],
  label: string,
  args: readonly ts.Expression[],
): JwtOperation | undefined {
  const name = path.length === 1 ? path[0] : undefined;
  if (library === 'jose' && (name === 'SignJWT' || name === 'EncryptJWT' || name === 'UnsecuredJWT')) {
    return { kind: 'builder', library, label, node, className: name, payload: args[0] };
  }
  if (library === '@nestjs/jwt' && name === 'JwtService') {
    return { kind: 'module', library, label, node, options: args[0], optionsUnknown: false };
  }
  if (library === 'passport-jwt' && name === 'Strategy') {
    return { kind: 'verifier', library, label, node, options: args[0] };
  }
  return undefined;
}

function recognizeJsonwebtoken(
  sem: FileSemantics,
  node: ts.CallExpression,
  path: readonly string[],
  label: string,
): JwtOperation | undefined {
  if (path.length !== 1) return undefined;
  const args = node.arguments;
  switch (path[0]) {
    case 'sign':
      return { kind: 'sign', library: 'jsonwebtoken', label, node, payload: args[0], options: getOptionsArgument(sem, args[2]) };
    case 'verify':
      return { kind: 'verify', library: 'jsonwebtoken', label, node, token: args[0], options: getOptionsArgument(sem, args[2]) };
    case 'decode':
      return { kind: 'decode', library: 'jsonwebtoken', label, node, token: args[0], options: getOptionsArgument(sem, args[1]) };
    default:
      return undefined;
  }
}

/** jose functions, from the package root or a subpath such as `jose/jwt/verify`. */
function recognizeJose(node: ts.CallExpression, path: readonly string[], label: string): JwtOperation | undefined {
  const args = node.arguments;
  const name = path.join('.');
  switch (name) {
    case 'jwtVerify':
    case 'jwtDecrypt':
    case 'compactVerify':
    case 'flattenedVerify':
    case 'generalVerify':
      return { kind: 'verify', library: 'jose', label, node, token: args[0], options: args[2] };
    case 'decodeJwt':
    case 'UnsecuredJWT.decode':
      return { kind: 'decode', library: 'jose', label, node, token: args[0], options: args[1] };
    default:
      return undefined;
  }
}

function recognizeNestCall(
  sem: FileSemantics,
  node: ts.CallExpression,
  path: readonly string[],
  label: string,
): JwtOperation | undefined {
  const args = node.arguments;
  const members = path.filter((step) => step !== NEW && step !== CALL);
  const name = members.join('.');
  if (name === 'JwtModule.register') {
    return { kind: 'module', library: '@nestjs/jwt', label, node, options: args[0], optionsUnknown: false };
  }
  if (name === 'JwtModule.registerAsync') {
    const options = getAsyncModuleOptions(sem, args[0]);
    return { kind: 'module', library: '@nestjs/jwt', label, node, options, optionsUnknown: options === undefined };
  }
  const method = members[members.length - 1];
  switch (method) {
    case 'sign':
    case 'signAsync':
      return { kind: 'sign', library: '@nestjs/jwt', label, node, payload: args[0], options: args[1] };
    case 'verify':
    case 'verifyAsync':
      return { kind: 'verify', library: '@nestjs/jwt', label, node, token: args[0], options: args[1] };
    case 'decode':
      return { kind: 'decode', library: '@nestjs/jwt', label, node, token: args[0], options: args[1] };
    default:
      return undefined;
  }
}

function recognizeFastJwt(node: ts.CallExpression, path: readonly string[], label: string): JwtOperation | undefined {
  const args = node.arguments;
  const name = path.join('.');
  switch (name) {
    case 'createSigner':
      return { kind: 'signer', library: 'fast-jwt', label, node, options: args[0] };
    case 'createVerifier':
      return { kind: 'verifier', library: 'fast-jwt', label, node, options: args[0] };
    // A call of the function that createVerifier() or createDecoder() returned.
    case `createVerifier.${CALL}`:
      return { kind: 'verify', library: 'fast-jwt', label, node, token: args[0] };
    case `createDecoder.${CALL}`:
      return { kind: 'decode', library: 'fast-jwt', label, node, token: args[0] };
    default:
      return undefined;
  }
}

/** `fastify.register(fastifyJwt, { secret, sign: { expiresIn } })`, with the plugin imported or required inline. */
function recognizeFastifyRegistration(sem: FileSemantics, call: ts.CallExpression): JwtOperation | undefined {
  const callee = skipOuterExpressions(call.expression);
  const plugin = call.arguments[0];
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'register' || !plugin) return undefined;
  const origin = sem.originOf(plugin);
  if (origin.root.kind !== 'module' || getLibraryOf(origin.root.specifier) !== '@fastify/jwt') return undefined;
  return { kind: 'module', library: '@fastify/jwt', label: getLabel(callee), node: call, options: call.arguments[1], optionsUnknown: false };
}

/**
 * @fastify/jwt calls: `fastify.jwt.sign(payload, options)`, `verify(token, options)`
 * and `decode(token)` on the instance, and the request and reply helpers
 * `reply.jwtSign(payload, options)`, `request.jwtVerify(options)` and
 * `request.jwtDecode()`, which read the token from the request itself.
 */
function recognizeFastifyCall(
  sem: FileSemantics,
  node: ts.CallExpression,
  method: string | undefined,
  label: string,
): JwtOperation | undefined {
  const args = node.arguments;
  const receiver = getCallReceiver(node);
  switch (method) {
    case 'sign':
    case 'jwtSign':
      return { kind: 'sign', library: '@fastify/jwt', label, node, payload: args[0], options: getOptionsArgument(sem, args[1]) };
    case 'verify':
      return { kind: 'verify', library: '@fastify/jwt', label, node, token: args[0], options: getOptionsArgument(sem, args[1]) };
    case 'jwtVerify':
      return { kind: 'verify', library: '@fastify/jwt', label, node, token: receiver, options: getOptionsArgument(sem, args[0]) };
    case 'decode':
      return { kind: 'decode', library: '@fastify/jwt', label, node, token: args[0] };
    case 'jwtDecode':
      return { kind: 'decode', library: '@fastify/jwt', label, node, token: receiver };
    default:
      return undefined;
  }
}

function isHonoJwt(origin: Origin): boolean {
  return origin.root.kind === 'module' && /^hono\/(utils\/)?jwt/.test(origin.root.specifier);
}

/** `sign(payload, secret, alg)`, `verify(token, secret, alg)` and `decode(token)` from `hono/jwt`, or `Jwt.sign` from `hono/utils/jwt`. */
function recognizeHono(node: ts.CallExpression, path: readonly string[], label: string): JwtOperation | undefined {
  const args = node.arguments;
  switch (path[path.length - 1]) {
    case 'sign':
      return { kind: 'sign', library: 'hono/jwt', label, node, payload: args[0] };
    case 'verify':
      return { kind: 'verify', library: 'hono/jwt', label, node, token: args[0] };
    case 'decode':
      return { kind: 'decode', library: 'hono/jwt', label, node, token: args[0] };
    default:
      return undefined;
  }
}

/**
 * `super(options)` in a passport-jwt strategy: NestJS's
 * `class JwtStrategy extends PassportStrategy(Strategy)` or a plain
 * `class extends Strategy`.
 */
function recognizeStrategySuper(sem: FileSemantics, call: ts.CallExpression): JwtOperation | undefined {
  const classNode = getEnclosingClass(call);
  const heritage = classNode?.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword);
  const base = heritage?.types[0]?.expression;
  if (!base) return undefined;
  let strategy: ts.Expression = base;
  if (ts.isCallExpression(base)) {
    const mixin = sem.originOf(base.expression);
    const mixinName = packagePath(mixin).join('.') || mixin.names[0];
    if (mixinName !== 'PassportStrategy' || !base.arguments[0]) return undefined;
    strategy = base.arguments[0];
  }
  const origin = sem.originOf(strategy);
  if (origin.root.kind !== 'module' || packageName(origin.root.specifier) !== 'passport-jwt') return undefined;
  if (packagePath(origin).join('.') !== 'Strategy') return undefined;
  return { kind: 'verifier', library: 'passport-jwt', label: 'super', node: call, options: call.arguments[0] };
}

/**
 * `JSON.parse(Buffer.from(token.split('.')[1], 'base64').toString())` and
 * `JSON.parse(atob(token.split('.')[1]))`: the payload segment read by hand.
 */
function recognizeManualDecode(sem: FileSemantics, call: ts.CallExpression): JwtOperation | undefined {
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'parse') return undefined;
  if (!ts.isIdentifier(callee.expression) || callee.expression.text !== 'JSON') return undefined;
  const argument = call.arguments[0];
  if (!argument) return undefined;
  const token = findPayloadSegmentSource(sem, argument);
  if (!token) return undefined;
  return { kind: 'decode', library: 'base64', label: 'JSON.parse', node: call, token };
}

/**
 * Finds the token in a `token.split('.')[1]` inside an expression, or in a
 * name bound by `const [, payload] = token.split('.')`, if there is one.
 */
function findPayloadSegmentSource(sem: FileSemantics, expression: ts.Expression): ts.Expression | undefined {
  let found: ts.Expression | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isElementAccessExpression(node) && ts.isNumericLiteral(node.argumentExpression) && node.argumentExpression.text === '1') {
      const token = getDotSplitReceiver(node.expression);
      if (token) {
        found = token;
        return;
      }
    }
    if (ts.isIdentifier(node)) {
      const declaration = sem.resolve(node);
      const step = declaration?.kind === 'variable' && declaration.pattern.length === 1 ? declaration.pattern[0] : undefined;
      const initializer = declaration?.kind === 'variable' ? declaration.node.initializer : undefined;
      const token = step && 'index' in step && step.index === 1 && initializer ? getDotSplitReceiver(initializer) : undefined;
      if (token) found = token;
      return;
    }
    if (isFunctionNode(node)) return;
    ts.forEachChild(node, visit);
  };
  visit(expression);
  return found;
}

/** Returns the receiver of `receiver.split('.')`, the call that cuts a token into its three segments. */
function getDotSplitReceiver(expression: ts.Expression): ts.Expression | undefined {
  const split = skipOuterExpressions(expression);
  if (!ts.isCallExpression(split)) return undefined;
  const callee = skipOuterExpressions(split.expression);
  const separator = split.arguments[0];
  const isDotSplit = ts.isPropertyAccessExpression(callee) && callee.name.text === 'split' && separator && ts.isStringLiteralLike(separator) && separator.text === '.';
  return isDotSplit ? callee.expression : undefined;
}

/**
 * Finds the options of `JwtModule.registerAsync({ useFactory })`: what the
 * factory returns. Undefined for `useClass`, `useExisting` and factories whose result
 * cannot be read.
 */
function getAsyncModuleOptions(sem: FileSemantics, argument: ts.Expression | undefined): ts.Expression | undefined {
  if (!argument) return undefined;
  const object = skipOuterExpressions(argument);
  if (!ts.isObjectLiteralExpression(object)) return undefined;
  const property = findProperty(object, 'useFactory');
  if (!property) return undefined;
  if (ts.isMethodDeclaration(property)) return getReturnedExpression(property);
  const value = getPropertyValue(property);
  if (!value) return undefined;
  const factory = skipOuterExpressions(value);
  if (ts.isArrowFunction(factory) || ts.isFunctionExpression(factory)) return getReturnedExpression(factory);
  const local = sem.getLocalFunction(sem.originOf(factory));
  return local ? getReturnedExpression(local) : undefined;
}

/** Returns the one expression a function returns, or undefined when it has several return statements or none. */
export function getReturnedExpression(fn: ts.FunctionLikeDeclaration): ts.Expression | undefined {
  const body = fn.body;
  if (!body) return undefined;
  if (!ts.isBlock(body)) return body;
  const returned: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (node !== body && isFunctionNode(node)) return;
    if (ts.isReturnStatement(node) && node.expression) returned.push(node.expression);
    ts.forEachChild(node, visit);
  };
  visit(body);
  return returned.length === 1 ? returned[0] : undefined;
}

/** Parameter names that hold a Node-style callback rather than options. */
const CALLBACK_PARAMETER = /^(cb|callback|done|next|fn|handler|resolve)$/;

/**
 * Returns the options argument, or undefined when the argument is missing or
 * is the callback: a function, a variable that stores one, or a parameter
 * named like `callback`.
 */
function getOptionsArgument(sem: FileSemantics, argument: ts.Expression | undefined): ts.Expression | undefined {
  if (!argument) return undefined;
  const expression = skipOuterExpressions(argument);
  if (ts.isArrowFunction(expression) || ts.isFunctionExpression(expression)) return undefined;
  if (ts.isIdentifier(expression)) {
    if (sem.getLocalFunction(sem.originOf(expression))) return undefined;
    const declaration = sem.resolve(expression);
    if (declaration?.kind === 'parameter' && CALLBACK_PARAMETER.test(expression.text)) return undefined;
  }
  return argument;
}

/** `promisify(jwt.verify)` is called with the same arguments as `jwt.verify`, less the callback. */
function unwrapPromisify(sem: FileSemantics, callee: ts.Expression): ts.Expression {
  if (!ts.isIdentifier(callee)) return callee;
  const declaration = sem.resolve(callee);
  if (declaration?.kind !== 'variable' || declaration.pattern.length > 0) return callee;
  const initializer = sem.getSingleValue(declaration);
  if (!initializer) return callee;
  const call = skipOuterExpressions(initializer);
  if (!ts.isCallExpression(call) || !call.arguments[0]) return callee;
  const origin = sem.originOf(call.expression);
  const isPromisify =
    origin.root.kind === 'module' &&
    packageName(origin.root.specifier) === 'util' &&
    packagePath(origin).join('.') === 'promisify';
  if (!isPromisify) return callee;
  const wrapped = skipOuterExpressions(call.arguments[0]);
  // `promisify(jwt.verify.bind(jwt))` wraps the same function.
  if (ts.isCallExpression(wrapped)) {
    const inner = skipOuterExpressions(wrapped.expression);
    if (ts.isPropertyAccessExpression(inner) && inner.name.text === 'bind') return inner.expression;
  }
  return wrapped;
}

/**
 * Finds the JWT package an origin starts at. A project module that wraps a JWT
 * package, such as `import jwt from '../lib/jwt'`, and a receiver that no
 * import explains are recognised by the receiver's name: `jwt` or
 * `jsonwebtoken` for jsonwebtoken, `jwtService` for NestJS.
 */
function getJwtLibrary(
  sem: FileSemantics,
  origin: Origin,
  callee: ts.Expression,
): { library: JwtLibrary; byName: boolean } | undefined {
  if (origin.root.kind === 'module') {
    const library = getLibraryOf(origin.root.specifier);
    if (library) return { library, byName: false };
    if (isHonoJwt(origin)) return { library: 'hono/jwt', byName: false };
    // Fastify decorates its own instances: `app.jwt.sign()` where `app = Fastify()`.
    const fastify = packageName(origin.root.specifier) === 'fastify' ? getFastifyByName(callee) : undefined;
    if (fastify) return { library: fastify, byName: true };
    if (!sem.isProjectModule(origin)) return undefined;
  } else if (origin.root.kind !== 'unknown' && origin.root.kind !== 'parameter') {
    return undefined;
  }
  const library = getLibraryByReceiverName(callee) ?? getFastifyByName(callee);
  return library ? { library, byName: true } : undefined;
}

function getLibraryOf(specifier: string): JwtLibrary | undefined {
  const name = packageName(specifier);
  if (LIBRARIES.has(name)) return name as JwtLibrary;
  return LIBRARY_ALIASES[name];
}

const FASTIFY_HELPERS = new Set(['jwtSign', 'jwtVerify', 'jwtDecode']);

/** `<instance>.jwt.sign()` and the request and reply helpers that @fastify/jwt adds. */
function getFastifyByName(callee: ts.Expression): JwtLibrary | undefined {
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  if (FASTIFY_HELPERS.has(method)) return '@fastify/jwt';
  const receiver = skipOuterExpressions(callee.expression);
  const onInstance = ts.isPropertyAccessExpression(receiver) && receiver.name.text === 'jwt';
  return onInstance && ['sign', 'verify', 'decode'].includes(method) ? '@fastify/jwt' : undefined;
}

const JSONWEBTOKEN_NAMES = new Set(['jwt', 'JWT', 'jsonwebtoken', 'jsonWebToken']);
const NEST_METHODS = new Set(['sign', 'signAsync', 'verify', 'verifyAsync', 'decode']);

function getLibraryByReceiverName(callee: ts.Expression): JwtLibrary | undefined {
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const receiver = skipOuterExpressions(callee.expression);
  const method = callee.name.text;
  if (ts.isIdentifier(receiver) && JSONWEBTOKEN_NAMES.has(receiver.text)) {
    return ['sign', 'verify', 'decode'].includes(method) ? 'jsonwebtoken' : undefined;
  }
  const receiverName = ts.isIdentifier(receiver)
    ? receiver.text
    : ts.isPropertyAccessExpression(receiver) && receiver.expression.kind === ts.SyntaxKind.ThisKeyword
      ? receiver.name.text
      : undefined;
  if (receiverName && /^jwtService$/i.test(receiverName) && NEST_METHODS.has(method)) return '@nestjs/jwt';
  return undefined;
}

/**
 * True when a call recognised by its receiver's name has the arguments of
 * jsonwebtoken itself: a payload or token, then a key that is not an options
 * object. A project wrapper such as `jwt.sign(payload)` or
 * `jwt.sign(payload, { expiresIn })` adds its own key and defaults, so its
 * arguments do not show the options that reach jsonwebtoken.
 */
function hasJsonwebtokenShape(method: string | undefined, args: readonly ts.Expression[]): boolean {
  if (method === 'decode') return args.length >= 1;
  const key = args[1];
  return key !== undefined && !ts.isObjectLiteralExpression(skipOuterExpressions(key));
}

function getMemberName(expression: ts.Expression): string | undefined {
  return ts.isPropertyAccessExpression(expression) ? expression.name.text : undefined;
}

/** Returns the callee as written when it is short (`jwt.sign`, `this.jwtService.signAsync`), and otherwise its last name. */
function getLabel(callee: ts.Expression): string {
  const text = callee.getText().replace(/\s+/g, '');
  if (text.length <= 40) return text;
  return ts.isPropertyAccessExpression(callee) ? callee.name.text : 'call';
}

/**
 * Every call of the fluent chain that starts at a jose `new SignJWT(...)`,
 * including calls on a variable that stores the builder. `signed` is true when
 * some chain ends in `sign()`, `encrypt()` or `encode()`. `escapes` is true
 * when the builder leaves the function unsigned (returned or passed on),
 * because other code may then still add claims.
 */
export interface BuilderChain {
  calls: Map<string, ts.CallExpression[]>;
  signed: boolean;
  escapes: boolean;
}

export function getBuilderChain(sem: FileSemantics, builder: ts.NewExpression): BuilderChain {
  const chain: BuilderChain = { calls: new Map(), signed: false, escapes: false };
  followChain(sem, builder, chain, 0);
  return chain;
}

function followChain(sem: FileSemantics, start: ts.Expression, chain: BuilderChain, depth: number): void {
  let current: ts.Node = start;
  for (;;) {
    const parent: ts.Node = current.parent;
    if (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isNonNullExpression(parent)) {
      current = parent;
      continue;
    }
    if (ts.isPropertyAccessExpression(parent) && parent.expression === current && ts.isCallExpression(parent.parent)) {
      const call = parent.parent;
      const method = parent.name.text;
      const list = chain.calls.get(method) ?? [];
      list.push(call);
      chain.calls.set(method, list);
      if (method === 'sign' || method === 'encrypt' || method === 'encode') {
        chain.signed = true;
        return;
      }
      current = call;
      continue;
    }
    break;
  }
  if (depth > 3) {
    chain.escapes = true;
    return;
  }
  const holder = getHoldingVariable(current);
  if (!holder) {
    // The builder is returned, passed to a function or stored elsewhere.
    if (!ts.isExpressionStatement(current.parent)) chain.escapes = true;
    return;
  }
  for (const reference of findReferences(sem, holder)) followChain(sem, reference, chain, depth + 1);
}

/** Returns the variable that a node is assigned to, by its declaration or by a plain assignment. */
function getHoldingVariable(node: ts.Node): ts.Identifier | undefined {
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && parent.initializer === node && ts.isIdentifier(parent.name)) return parent.name;
  if (
    ts.isBinaryExpression(parent) &&
    parent.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
    parent.right === node &&
    ts.isIdentifier(parent.left)
  ) {
    return parent.left;
  }
  return undefined;
}

/** Identifiers in the file that refer to the same declaration as `name`, other than `name` itself. */
export function findReferences(sem: FileSemantics, name: ts.Identifier): ts.Identifier[] {
  const declaration = sem.resolve(name);
  if (!declaration) return [];
  const references: ts.Identifier[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && node !== name && node.text === name.text && !isDeclarationName(node)) {
      if (sem.resolve(node) === declaration) references.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sem.sourceFile);
  return references;
}

function isDeclarationName(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return true;
  if (ts.isPropertyAssignment(parent) && parent.name === node) return true;
  if (ts.isVariableDeclaration(parent) && parent.name === node) return true;
  if (ts.isBindingElement(parent) && (parent.name === node || parent.propertyName === node)) return true;
  if (ts.isParameter(parent) && parent.name === node) return true;
  return false;
}
