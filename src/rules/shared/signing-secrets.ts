/**
 * Places where a library receives the key that signs tokens or cookies, and
 * the literals that key can come from. The places are found by origin, so
 * `jwt.sign`, `import { sign } from 'jsonwebtoken'` and a destructured
 * `require` all count.
 */
import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { CALL, NEW, getModule, packageName, packagePath } from '../../analysis/origin.js';
import {
  findProperty,
  getDottedName,
  getMemberName,
  isFunctionNode,
  getPropertyValue,
  propertyNameText,
  skipOuterExpressions,
} from '../../analysis/syntax.js';

/** One place where a library receives a signing key. */
export interface SigningUse {
  /** The key expression. */
  expression: ts.Expression;
  /** The key's purpose as messages name it: "JWT secret", "Session secret". */
  purpose: string;
  /** The call or assignment that receives the key, for messages and related locations. */
  site: ts.Node;
  /** The receiver's name in messages: `jwt.sign()`, `session()`, `app.keys`. */
  receiver: string;
  /**
   * A `signing` key must be long and random, while an `encryption` key or
   * key material is hard-coded whatever it looks like.
   */
  kind: 'signing' | 'encryption';
}

/** A part of a signing key's value. */
export type SecretLeaf =
  | {
      kind: 'literal';
      node: ts.StringLiteralLike;
      /** Set when the literal is used only if another value is missing: `process.env.X || 'dev'`. */
      fallback?: { envName?: string };
    }
  | { kind: 'import'; specifier: string; path: string[]; node: ts.Node; fallback?: { envName?: string } }
  | { kind: 'environment'; name: string }
  | { kind: 'dynamic' };

const JWT_SECRET = 'JWT secret';
const SESSION_SECRET = 'Session secret';
const COOKIE_SECRET = 'Cookie signing secret';
const HMAC_KEY = 'HMAC key';
const ENCRYPTION_KEY = 'Encryption key';

/** Fastify plugins registered with `fastify.register(plugin, options)` and the options that hold keys. */
const FASTIFY_PLUGINS: Record<string, { purpose: string; options: string[] }> = {
  '@fastify/jwt': { purpose: JWT_SECRET, options: ['secret'] },
  'fastify-jwt': { purpose: JWT_SECRET, options: ['secret'] },
  '@fastify/session': { purpose: SESSION_SECRET, options: ['secret'] },
  'fastify-session': { purpose: SESSION_SECRET, options: ['secret'] },
  '@fastify/secure-session': { purpose: SESSION_SECRET, options: ['secret', 'key'] },
  '@fastify/cookie': { purpose: COOKIE_SECRET, options: ['secret'] },
  'fastify-cookie': { purpose: COOKIE_SECRET, options: ['secret'] },
};

/** Packages whose calls {@link getCallSigningUses} recognises by origin. */
const SIGNING_PACKAGES = [
  'crypto',
  'jsonwebtoken',
  'jose',
  'hono',
  'express-jwt',
  'koa-jwt',
  '@nestjs/jwt',
  'passport-jwt',
  'express-session',
  'cookie-session',
  'cookie-parser',
  'koa',
  'next-auth',
  'iron-session',
];

/**
 * Finds the places where a library receives a signing key among the calls,
 * `new` expressions and `x.keys = ...` assignments of a file, in their order.
 * `packages` holds the package names the file imports or requires: only a
 * call whose origin is one of them can be such a place, so a file that
 * imports none of them costs no origin question.
 */
export function findSigningUses(
  sem: FileSemantics,
  sites: ReadonlyArray<ts.CallExpression | ts.NewExpression | ts.BinaryExpression>,
  packages: ReadonlySet<string>,
): SigningUse[] {
  const bySwitch = SIGNING_PACKAGES.some((name) => packages.has(name));
  const byPlugin = Object.keys(FASTIFY_PLUGINS).some((name) => packages.has(name));
  if (!bySwitch && !byPlugin) return [];
  const uses: SigningUse[] = [];
  for (const site of sites) {
    if (ts.isBinaryExpression(site)) {
      const use = packages.has('koa') ? getKoaKeysUse(sem, site) : undefined;
      if (use) uses.push(use);
    } else if (site.expression.kind === ts.SyntaxKind.SuperKeyword) {
      if (packages.has('passport-jwt')) uses.push(...getPassportJwtSuperUses(sem, site));
    } else if (bySwitch) {
      uses.push(...getCallSigningUses(sem, site));
    } else {
      // With none of the packages of the switch imported, every call ends up at the Fastify check.
      uses.push(...getFastifyPluginUses(sem, site));
    }
  }
  return uses;
}

function getCallSigningUses(sem: FileSemantics, call: ts.CallExpression | ts.NewExpression): SigningUse[] {
  if (call.expression.kind === ts.SyntaxKind.SuperKeyword) return getPassportJwtSuperUses(sem, call);
  const origin = sem.originOf(call.expression);
  const specifier = getModule(origin);
  if (!specifier) return getFastifyPluginUses(sem, call);
  const module = packageName(specifier);
  const path = packagePath(origin).filter((step) => step !== CALL && step !== NEW);
  const last = path[path.length - 1];
  const args = call.arguments ?? ts.factory.createNodeArray<ts.Expression>();
  const receiver = describeReceiver(call);
  const use = (expression: ts.Expression | undefined, purpose: string): SigningUse[] =>
    expression
      ? [{ expression, purpose, site: call, receiver, kind: purpose === ENCRYPTION_KEY ? 'encryption' : 'signing' }]
      : [];
  const option = (argument: ts.Expression | undefined, names: string[], purpose: string): SigningUse[] =>
    names.flatMap((name) => use(getOption(sem, argument, name), purpose));

  switch (module) {
    case 'crypto':
      if (last === 'createHmac') return use(args[1], HMAC_KEY);
      if (last === 'createCipheriv' || last === 'createDecipheriv') return use(args[1], ENCRYPTION_KEY);
      // Key material that a key is derived from: `scryptSync('passphrase', salt, 32)`.
      return last && ['scrypt', 'scryptSync', 'pbkdf2', 'pbkdf2Sync'].includes(last)
        ? use(args[0], ENCRYPTION_KEY)
        : [];
    case 'jsonwebtoken':
      return last === 'sign' || last === 'verify' ? use(args[1], JWT_SECRET) : [];
    case 'jose':
      if (last === 'sign' && path.some((step) => /Sign(?:JWT)?$/.test(step))) return use(args[0], JWT_SECRET);
      return last === 'jwtVerify' || last === 'compactVerify' || last === 'flattenedVerify'
        ? use(args[1], JWT_SECRET)
        : [];
    case 'hono':
      if (!specifier.startsWith('hono/jwt') && !specifier.startsWith('hono/utils/jwt')) return [];
      if (last === 'sign' || last === 'verify') return use(args[1], JWT_SECRET);
      return last === 'jwt' ? option(args[0], ['secret'], JWT_SECRET) : [];
    case 'express-jwt':
    case 'koa-jwt':
      return option(args[0], ['secret'], JWT_SECRET);
    case '@nestjs/jwt':
      return getNestJwtUses(sem, call, path, receiver);
    case 'passport-jwt':
      return path[0] === 'Strategy' ? option(args[0], ['secretOrKey'], JWT_SECRET) : [];
    case 'express-session':
      return option(args[0], ['secret'], SESSION_SECRET);
    case 'cookie-session':
      return option(args[0], ['secret', 'keys'], SESSION_SECRET);
    case 'cookie-parser':
      return use(args[0], COOKIE_SECRET);
    case 'koa':
      return ts.isNewExpression(call) ? option(args[0], ['keys'], COOKIE_SECRET) : [];
    case 'next-auth':
      return option(args[args.length - 1], ['secret'], 'NextAuth secret');
    case 'iron-session':
      return args.flatMap((argument) => option(argument, ['password'], SESSION_SECRET));
    default:
      return getFastifyPluginUses(sem, call);
  }
}

/** `JwtModule.register({ secret })`, `registerAsync({ useFactory })`, `new JwtService({ secret })` and `jwtService.sign(payload, { secret })`. */
function getNestJwtUses(
  sem: FileSemantics,
  call: ts.CallExpression | ts.NewExpression,
  path: string[],
  receiver: string,
): SigningUse[] {
  const args = call.arguments ?? [];
  const last = path[path.length - 1];
  const fromOptions = (options: ts.Expression | undefined): SigningUse[] => {
    const expression = getOption(sem, options, 'secret');
    return expression ? [{ expression, purpose: JWT_SECRET, site: call, receiver, kind: 'signing' }] : [];
  };
  if (path[0] === 'JwtModule' && last === 'register') return fromOptions(args[0]);
  if (path[0] === 'JwtModule' && last === 'registerAsync') {
    const factory = getOption(sem, args[0], 'useFactory');
    return getReturnedObjects(factory).flatMap((object) => fromOptions(object));
  }
  if (path[0] === 'JwtService' && path.length === 1) return fromOptions(args[0]);
  if (last && ['sign', 'signAsync', 'verify', 'verifyAsync'].includes(last)) return fromOptions(args[1]);
  return [];
}

/** `fastify.register(fastifySession, { secret })` and the other plugins of {@link FASTIFY_PLUGINS}. */
function getFastifyPluginUses(sem: FileSemantics, call: ts.CallExpression | ts.NewExpression): SigningUse[] {
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isCallExpression(call) || getMemberName(callee) !== 'register') return [];
  const [pluginArgument, options] = call.arguments;
  if (!pluginArgument) return [];
  const plugin = getModule(sem.originOf(pluginArgument));
  const entry = plugin ? FASTIFY_PLUGINS[packageName(plugin)] : undefined;
  if (!entry) return [];
  const receiver = `register(${ts.isIdentifier(pluginArgument) ? pluginArgument.text : packageName(plugin!)})`;
  return entry.options.flatMap((name) => {
    const expression = getOption(sem, options, name);
    return expression ? [{ expression, purpose: entry.purpose, site: call, receiver, kind: 'signing' }] : [];
  });
}

/**
 * `super({ secretOrKey })` in a strategy class that extends passport-jwt's
 * `Strategy`, directly or through NestJS's `PassportStrategy(Strategy)`.
 */
function getPassportJwtSuperUses(sem: FileSemantics, call: ts.CallExpression | ts.NewExpression): SigningUse[] {
  let classNode: ts.Node | undefined = call.parent;
  while (classNode && !ts.isClassLike(classNode)) classNode = classNode.parent;
  if (!classNode || !ts.isClassLike(classNode)) return [];
  const heritage = classNode.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]
    ?.expression;
  if (!heritage) return [];
  const base = ts.isCallExpression(heritage) ? heritage.arguments[0] : heritage;
  if (!base || getModule(sem.originOf(base)) !== 'passport-jwt') return [];
  const expression = getOption(sem, call.arguments?.[0], 'secretOrKey');
  return expression
    ? [{ expression, purpose: JWT_SECRET, site: call, receiver: 'the passport-jwt strategy', kind: 'signing' }]
    : [];
}

/** `app.keys = ['...']` on a Koa application. */
function getKoaKeysUse(sem: FileSemantics, assignment: ts.BinaryExpression): SigningUse | undefined {
  const left = skipOuterExpressions(assignment.left);
  if (!ts.isPropertyAccessExpression(left) || left.name.text !== 'keys') return undefined;
  const origin = sem.originOf(left.expression);
  if (getModule(origin) !== 'koa' || !origin.path.includes(NEW)) return undefined;
  return {
    expression: assignment.right,
    purpose: COOKIE_SECRET,
    site: assignment,
    receiver: getDottedName(left) ?? 'app.keys',
    kind: 'signing',
  };
}

/** Names the receiver of a key for messages: `jwt.sign()`, `new JwtStrategy()`, `new SignJWT().sign()`. */
function describeReceiver(call: ts.CallExpression | ts.NewExpression): string {
  const callee = skipOuterExpressions(call.expression);
  const name = getDottedName(callee);
  if (name) return ts.isNewExpression(call) ? `new ${name}()` : `${name}()`;
  if (!ts.isPropertyAccessExpression(callee)) return 'the call';
  // A builder chain such as `new SignJWT(claims).setProtectedHeader(header).sign(key)` is named by its start and its last method.
  let start: ts.Expression = callee.expression;
  while (ts.isCallExpression(start) || ts.isPropertyAccessExpression(start)) {
    start = skipOuterExpressions(start.expression);
  }
  const root = ts.isNewExpression(start)
    ? `new ${getDottedName(start.expression) ?? 'object'}()`
    : (getDottedName(start) ?? 'object');
  return `${root}.${callee.name.text}()`;
}

/** Returns the expression of an option in an object literal, or in a `const` initialized with one. */
export function getOption(
  sem: FileSemantics,
  argument: ts.Expression | undefined,
  name: string,
): ts.Expression | undefined {
  const object = argument && resolveObjectLiteral(sem, argument);
  if (!object) return undefined;
  const property = findProperty(object, name);
  return property ? getPropertyValue(property) : undefined;
}

function resolveObjectLiteral(
  sem: FileSemantics,
  expression: ts.Expression,
  depth = 0,
): ts.ObjectLiteralExpression | undefined {
  const node = skipOuterExpressions(expression);
  if (ts.isObjectLiteralExpression(node)) return node;
  if (depth > 4 || !ts.isIdentifier(node)) return undefined;
  const declaration = sem.resolve(node);
  if (declaration?.kind !== 'variable' || declaration.pattern.length > 0) return undefined;
  const initializer = sem.getSingleValue(declaration);
  return initializer ? resolveObjectLiteral(sem, initializer, depth + 1) : undefined;
}

/** The object literals a factory function returns: `() => ({ secret })` and `useFactory() { return { secret }; }`. */
function getReturnedObjects(factory: ts.Expression | undefined): ts.Expression[] {
  if (!factory) return [];
  const fn = skipOuterExpressions(factory);
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return [];
  if (!ts.isBlock(fn.body)) return [fn.body];
  const returned: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    if (ts.isReturnStatement(node) && node.expression) returned.push(node.expression);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(fn.body, visit);
  return returned;
}

const MAX_DEPTH = 12;

/** Wrappers that keep a key's value: `Buffer.from(k)`, `new TextEncoder().encode(k)`, `createSecretKey(k)`, `String(k)`. */
const KEY_WRAPPERS = new Set(['from', 'encode', 'createSecretKey', 'String', 'trim', 'toString']);

/**
 * Lists the parts a key expression is built from, following `const` bindings,
 * local object literals, `||` and `??` fallbacks, conditional branches,
 * default parameters and key wrappers such as `Buffer.from`.
 */
export function traceSecretLeaves(sem: FileSemantics, expression: ts.Expression, depth = 0): SecretLeaf[] {
  if (depth > MAX_DEPTH) return [{ kind: 'dynamic' }];
  const node = skipOuterExpressions(expression);

  if (ts.isStringLiteralLike(node)) return [{ kind: 'literal', node }];
  if (ts.isArrayLiteralExpression(node)) {
    return node.elements.flatMap((element) => traceSecretLeaves(sem, element, depth + 1));
  }
  if (ts.isBinaryExpression(node)) return traceBinary(sem, node, depth);
  if (ts.isConditionalExpression(node)) {
    return markFallbacks([
      ...traceSecretLeaves(sem, node.whenTrue, depth + 1),
      ...traceSecretLeaves(sem, node.whenFalse, depth + 1),
    ]);
  }
  if (ts.isIdentifier(node)) return traceIdentifier(sem, node, depth);
  if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) return traceMember(sem, node, depth);
  if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
    const callee = skipOuterExpressions(node.expression);
    const name = ts.isIdentifier(callee) ? callee.text : getMemberName(callee);
    const argument = node.arguments?.[0];
    if (name && KEY_WRAPPERS.has(name)) {
      if (argument) return traceSecretLeaves(sem, argument, depth + 1);
      if (ts.isPropertyAccessExpression(callee)) return traceSecretLeaves(sem, callee.expression, depth + 1);
    }
  }
  return [{ kind: 'dynamic' }];
}

function traceBinary(sem: FileSemantics, node: ts.BinaryExpression, depth: number): SecretLeaf[] {
  const operator = node.operatorToken.kind;
  if (operator !== ts.SyntaxKind.BarBarToken && operator !== ts.SyntaxKind.QuestionQuestionToken) {
    return [{ kind: 'dynamic' }];
  }
  const left = traceSecretLeaves(sem, node.left, depth + 1);
  const right = traceSecretLeaves(sem, node.right, depth + 1);
  if (left.every((leaf) => leaf.kind === 'literal' && !leaf.fallback)) return left;
  const environment = left.find(
    (leaf): leaf is Extract<SecretLeaf, { kind: 'environment' }> => leaf.kind === 'environment',
  );
  const fallback = environment ? { envName: environment.name } : {};
  return [
    ...left,
    ...right.map((leaf) =>
      leaf.kind === 'literal' || leaf.kind === 'import' ? { ...leaf, fallback: leaf.fallback ?? fallback } : leaf,
    ),
  ];
}

/** In `cond ? process.env.KEY : 'dev'`, the literal is used only when the other branch is not. */
function markFallbacks(leaves: SecretLeaf[]): SecretLeaf[] {
  if (leaves.every((leaf) => leaf.kind === 'literal')) return leaves;
  const environment = leaves.find(
    (leaf): leaf is Extract<SecretLeaf, { kind: 'environment' }> => leaf.kind === 'environment',
  );
  const fallback = environment ? { envName: environment.name } : {};
  return leaves.map((leaf) => (leaf.kind === 'literal' ? { ...leaf, fallback: leaf.fallback ?? fallback } : leaf));
}

function traceIdentifier(sem: FileSemantics, identifier: ts.Identifier, depth: number): SecretLeaf[] {
  const declaration = sem.resolve(identifier);
  if (!declaration) return [{ kind: 'dynamic' }];
  if (declaration.kind === 'import') {
    const path = declaration.imported === '*' ? [] : [declaration.imported];
    return [{ kind: 'import', specifier: declaration.specifier, path, node: identifier }];
  }
  if (declaration.kind !== 'variable' && declaration.kind !== 'parameter') return [{ kind: 'dynamic' }];

  // `const { JWT_SECRET = 'dev' } = process.env` and `function f({ secret = 'dev' })`.
  const binding = declaration.name.parent;
  if (ts.isBindingElement(binding) && binding.initializer) {
    const envName =
      declaration.kind === 'variable' && isProcessEnv(declaration.node.initializer)
        ? bindingPropertyName(binding)
        : undefined;
    return [{ kind: 'dynamic' }, ...markAll(traceSecretLeaves(sem, binding.initializer, depth + 1), envName)];
  }
  if (declaration.kind === 'parameter') {
    if (declaration.pattern.length > 0) return [{ kind: 'dynamic' }];
    const initializer = declaration.node.initializer;
    const leaves: SecretLeaf[] = [{ kind: 'dynamic' }];
    if (initializer) leaves.push(...markAll(traceSecretLeaves(sem, initializer, depth + 1), undefined));
    // `sign(body, 'labhook')` calling `function sign(body, key) { createHmac('sha256', key) }` in this file.
    if (isFunctionNode(declaration.fn)) {
      for (const call of sem.getLocalCallers(declaration.fn)) {
        const argument = call.arguments[declaration.index];
        if (argument) leaves.push(...traceSecretLeaves(sem, argument, depth + 1));
      }
    }
    return leaves;
  }
  if (declaration.pattern.length > 0) {
    if (isProcessEnv(declaration.node.initializer)) return [{ kind: 'environment', name: identifier.text }];
    // `const { secret } = require('./config')`.
    const specifier = getRequiredModule(declaration.node.initializer);
    const path = declaration.pattern.map((step) => ('property' in step ? step.property : undefined));
    if (specifier && path.every((step): step is string => step !== undefined)) {
      return [{ kind: 'import', specifier, path: ['default', ...path], node: identifier }];
    }
    return [{ kind: 'dynamic' }];
  }
  const initializer = sem.getSingleValue(declaration);
  return initializer ? traceSecretLeaves(sem, initializer, depth + 1) : [{ kind: 'dynamic' }];
}

function markAll(leaves: SecretLeaf[], envName: string | undefined): SecretLeaf[] {
  return leaves.map((leaf) =>
    leaf.kind === 'literal' ? { ...leaf, fallback: leaf.fallback ?? (envName ? { envName } : {}) } : leaf,
  );
}

function traceMember(
  sem: FileSemantics,
  node: ts.PropertyAccessExpression | ts.ElementAccessExpression,
  depth: number,
): SecretLeaf[] {
  const base = skipOuterExpressions(node.expression);
  const name = getMemberName(node);
  if (isProcessEnv(base)) return [{ kind: 'environment', name: name ?? '?' }];
  if (name === undefined) return [{ kind: 'dynamic' }];

  if (base.kind === ts.SyntaxKind.ThisKeyword) {
    const field = findClassField(node, name);
    return field ? traceSecretLeaves(sem, field, depth + 1) : [{ kind: 'dynamic' }];
  }
  const object = resolveObjectLiteral(sem, base);
  if (object) {
    const property = findProperty(object, name);
    const value = property && getPropertyValue(property);
    return value ? traceSecretLeaves(sem, value, depth + 1) : [{ kind: 'dynamic' }];
  }
  const value = sem.evaluate(node);
  if (value.kind === 'import') return [{ kind: 'import', specifier: value.specifier, path: value.path, node }];
  const required = getRequiredMember(sem, node);
  if (required) return [{ kind: 'import', ...required, node }];
  const inner =
    ts.isPropertyAccessExpression(base) || ts.isElementAccessExpression(base)
      ? traceMemberObject(sem, base, depth)
      : undefined;
  if (inner) {
    const property = findProperty(inner, name);
    const propertyValue = property && getPropertyValue(property);
    if (propertyValue) return traceSecretLeaves(sem, propertyValue, depth + 1);
  }
  return [{ kind: 'dynamic' }];
}

/** `config.jwt` in `config.jwt.secret`, when `config` is a local object literal. */
function traceMemberObject(
  sem: FileSemantics,
  node: ts.PropertyAccessExpression | ts.ElementAccessExpression,
  depth: number,
): ts.ObjectLiteralExpression | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const name = getMemberName(node);
  const base = skipOuterExpressions(node.expression);
  if (name === undefined) return undefined;
  const object =
    resolveObjectLiteral(sem, base) ??
    (ts.isPropertyAccessExpression(base) || ts.isElementAccessExpression(base)
      ? traceMemberObject(sem, base, depth + 1)
      : undefined);
  const property = object && findProperty(object, name);
  const value = property && getPropertyValue(property);
  return value ? resolveObjectLiteral(sem, value) : undefined;
}

/** The initializer of a class field, or the value a constructor assigns to `this.name`. */
function findClassField(node: ts.Node, name: string): ts.Expression | undefined {
  let current: ts.Node | undefined = node.parent;
  while (current && !ts.isClassLike(current)) current = current.parent;
  if (!current || !ts.isClassLike(current)) return undefined;
  for (const member of current.members) {
    if (ts.isPropertyDeclaration(member) && member.name && propertyNameText(member.name) === name) {
      return member.initializer;
    }
  }
  return undefined;
}

/** The project module a `require('./config')` call loads; packages are not followed. */
function getRequiredModule(expression: ts.Expression | undefined): string | undefined {
  if (!expression) return undefined;
  const call = skipOuterExpressions(expression);
  if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression) || call.expression.text !== 'require') {
    return undefined;
  }
  const argument = call.arguments[0];
  return argument && ts.isStringLiteralLike(argument) && argument.text.startsWith('.') ? argument.text : undefined;
}

/** `config.jwt.secret` with `const config = require('./config')`, as the export path `default`, `jwt`, `secret`. */
function getRequiredMember(sem: FileSemantics, node: ts.Expression): { specifier: string; path: string[] } | undefined {
  const path: string[] = [];
  let current = skipOuterExpressions(node);
  while (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current)) {
    const name = getMemberName(current);
    if (name === undefined) return undefined;
    path.unshift(name);
    current = skipOuterExpressions(current.expression);
  }
  let specifier = getRequiredModule(current);
  if (!specifier && ts.isIdentifier(current)) {
    const declaration = sem.resolve(current);
    if (declaration?.kind === 'variable' && declaration.pattern.length === 0) {
      specifier = getRequiredModule(sem.getSingleValue(declaration));
    }
  }
  return specifier ? { specifier, path: ['default', ...path] } : undefined;
}

/** True for `process.env` when `process` is the global. */
export function isProcessEnv(node: ts.Expression | undefined): boolean {
  if (!node) return false;
  const expression = skipOuterExpressions(node);
  return (
    ts.isPropertyAccessExpression(expression) &&
    expression.name.text === 'env' &&
    ts.isIdentifier(expression.expression) &&
    expression.expression.text === 'process'
  );
}

function bindingPropertyName(binding: ts.BindingElement): string | undefined {
  if (binding.propertyName) return propertyNameText(binding.propertyName);
  return ts.isIdentifier(binding.name) ? binding.name.text : undefined;
}
