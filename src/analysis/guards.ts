import { ts } from '../typescript.js';
import type { FileSemantics } from './semantics.js';
import type { Declaration } from './scope.js';
import type { SanitizerKind } from './sanitizers.js';
import { isConstant, type Value } from './values.js';
import { isFunctionNode, skipOuterExpressions } from './syntax.js';

/**
 * Finds a check that makes a variable safe where it is read: an allowlist
 * test, a type test or a path containment test that either encloses the read
 * (`if (ALLOWED.includes(x)) use(x)`) or exits early before it
 * (`if (!ALLOWED.includes(x)) return;`). Returns what the check makes safe.
 */
export function findGuard(sem: FileSemantics, read: ts.Identifier, declaration: Declaration): SanitizerKind | undefined {
  if (declaration.kind !== 'variable' && declaration.kind !== 'parameter') return undefined;
  const isVariable = (node: ts.Node): boolean =>
    ts.isIdentifier(node) && node.text === read.text && sem.scope.resolve(node) === declaration;
  const isScopeEnd = (node: ts.Node): boolean => node === declaration.node || (declaration.kind === 'parameter' && node === declaration.fn);
  return findEnclosingCheck(sem, read, isVariable, isScopeEnd);
}

/**
 * Finds a check of a member read itself, written on the same expression
 * inside the same function: `if (!SORTABLE.has(ctx.query.sort)) return;`
 * before `ctx.query.sort` is used, or `ctx.assert(UUID.test(ctx.params.id))`.
 * Only checks that make the value safe in every sink count: taint rules read
 * a member behind a narrower check, such as `typeof`, again for its source.
 */
export function findMemberGuard(sem: FileSemantics, read: ts.PropertyAccessExpression | ts.ElementAccessExpression): SanitizerKind | undefined {
  if (!isMemberChain(read)) return undefined;
  const text = read.getText();
  const isTarget = (node: ts.Node): boolean => (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) && node.getText() === text;
  const kind = findEnclosingCheck(sem, read, isTarget, isFunctionNode);
  return kind === 'allowlist' || kind === 'number' ? kind : undefined;
}

/** True for `ctx.params.id` and `req.query['sort']`: names and constant keys from a name, with no call that could return something new. */
function isMemberChain(node: ts.Expression): boolean {
  let current = node;
  while (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current)) {
    if (ts.isElementAccessExpression(current) && !ts.isStringLiteralLike(current.argumentExpression)) return false;
    current = current.expression;
  }
  return ts.isIdentifier(current) || current.kind === ts.SyntaxKind.ThisKeyword;
}

/** Walks up from a read to the end of its scope, looking for a check of `isTarget` that encloses the read or exits early before it. */
function findEnclosingCheck(
  sem: FileSemantics,
  read: ts.Node,
  isTarget: (node: ts.Node) => boolean,
  isScopeEnd: (node: ts.Node) => boolean,
): SanitizerKind | undefined {
  let child: ts.Node = read;
  let node: ts.Node | undefined = read.parent;
  while (node) {
    if (ts.isIfStatement(node) && child === node.thenStatement) {
      const kind = getCheckKind(sem, node.expression, isTarget, true);
      if (kind) return kind;
    } else if (ts.isIfStatement(node) && child === node.elseStatement) {
      const kind = getCheckKind(sem, node.expression, isTarget, false);
      if (kind) return kind;
    } else if (ts.isConditionalExpression(node)) {
      if (child === node.whenTrue) {
        const kind = getCheckKind(sem, node.condition, isTarget, true);
        if (kind) return kind;
      } else if (child === node.whenFalse) {
        const kind = getCheckKind(sem, node.condition, isTarget, false);
        if (kind) return kind;
      }
    } else if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken &&
      child === node.right
    ) {
      const kind = getCheckKind(sem, node.left, isTarget, true);
      if (kind) return kind;
    } else if (ts.isBlock(node) || ts.isSourceFile(node) || ts.isCaseClause(node) || ts.isDefaultClause(node)) {
      const kind = findEarlyExit(sem, node.statements, child, isTarget);
      if (kind) return kind;
    }
    if (isScopeEnd(node)) break;
    child = node;
    node = node.parent;
  }
  return undefined;
}

/**
 * `typeof req.query.q === 'string' ? req.query.q : ''` and
 * `ALLOWED.includes(req.query.sort) ? req.query.sort : 'name'`: a check of the
 * very expression the true branch returns. That expression may be a call
 * chain, as in `EXTENSIONS.includes(name.split('.').pop()) ? name.split('.').pop() : 'bin'`.
 */
export function findConditionalGuard(sem: FileSemantics, conditional: ts.ConditionalExpression): SanitizerKind | undefined {
  const target = skipOuterExpressions(conditional.whenTrue);
  if (!isGuardableRead(target)) return undefined;
  const text = target.getText();
  const isTarget = (node: ts.Node): boolean => isGuardableRead(node) && node.getText() === text;
  return getCheckKind(sem, conditional.condition, isTarget, true);
}

function isGuardableRead(node: ts.Node): boolean {
  return ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) || ts.isCallExpression(node);
}

function findEarlyExit(
  sem: FileSemantics,
  statements: ts.NodeArray<ts.Statement>,
  child: ts.Node,
  isVariable: (node: ts.Node) => boolean,
): SanitizerKind | undefined {
  for (const statement of statements) {
    if (statement === child || statement.pos >= child.pos) break;
    if (ts.isIfStatement(statement) && !statement.elseStatement && exits(statement.thenStatement)) {
      const kind = getCheckKind(sem, statement.expression, isVariable, false);
      if (kind) return kind;
    }
    if (ts.isExpressionStatement(statement) && ts.isCallExpression(statement.expression)) {
      const call = statement.expression;
      const callee = skipOuterExpressions(call.expression);
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
      if ((name === 'assert' || name === 'ok' || name === 'invariant') && call.arguments[0]) {
        const kind = getCheckKind(sem, call.arguments[0], isVariable, true);
        if (kind) return kind;
      }
    }
    // `await assertPublicUrl(url);`: a check of a URL's host that throws when it fails.
    if (ts.isExpressionStatement(statement)) {
      const call = skipOuterExpressions(statement.expression);
      if (ts.isCallExpression(call) && call.arguments.some((argument) => isVariable(skipOuterExpressions(argument)))) {
        const callee = skipOuterExpressions(call.expression);
        const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
        if (URL_ASSERTION_NAME.test(name)) return 'origin';
      }
    }
  }
  return undefined;
}

/**
 * True when a statement always leaves the current block: return, throw,
 * break, continue, or a call that throws, such as Koa's `ctx.throw(400)`.
 */
export function exits(statement: ts.Statement): boolean {
  if (
    ts.isReturnStatement(statement) ||
    ts.isThrowStatement(statement) ||
    ts.isBreakStatement(statement) ||
    ts.isContinueStatement(statement)
  ) {
    return true;
  }
  if (ts.isExpressionStatement(statement) && isThrowingCall(skipOuterExpressions(statement.expression))) return true;
  if (ts.isBlock(statement)) {
    const last = statement.statements[statement.statements.length - 1];
    return last !== undefined && exits(last);
  }
  return false;
}

/**
 * True for a name bound to a set or map of constants, whatever the name:
 * `const TEMPLATES = new Set(['discharge.txt', 'referral.txt'])`.
 */
function isConstantCollection(sem: FileSemantics, receiver: ts.Expression): boolean {
  if (!ts.isIdentifier(receiver)) return false;
  const creation = sem.followSingleValue(receiver);
  if (!creation || !ts.isNewExpression(creation) || !ts.isIdentifier(creation.expression)) return false;
  if (creation.expression.text !== 'Set' && creation.expression.text !== 'Map') return false;
  const entries = creation.arguments?.[0];
  if (!entries) return false;
  const value = sem.evaluate(entries);
  return value.kind === 'array' && isConstant(value);
}

/** Path functions whose result has no `..` segment left inside it. */
const NORMALIZING_CALL = /^(resolve|join|normalize|realpath|realpathSync|relative)$/;

/**
 * True when a variable tested with `startsWith` contains a path that was never
 * normalized: `const name = String(req.query.file)` passes
 * `name.startsWith('exports/')` as `exports/../../etc/passwd`. A parameter or a
 * value the scan cannot see counts as normalized.
 */
function isRawPath(sem: FileSemantics, receiver: ts.Expression): boolean {
  if (ts.isCallExpression(receiver)) return false;
  if (!ts.isIdentifier(receiver)) return ts.isPropertyAccessExpression(receiver) || ts.isElementAccessExpression(receiver);
  const value = sem.followSingleValue(receiver);
  if (!value) return false;
  let normalized = false;
  const visit = (node: ts.Node): void => {
    if (normalized) return;
    if (ts.isCallExpression(node)) {
      const callee = skipOuterExpressions(node.expression);
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
      if (NORMALIZING_CALL.test(name)) normalized = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(value);
  return !normalized;
}

/** Calls that never return: `ctx.throw(400)` of Koa, `assert.fail()`, `process.exit(1)`. */
function isThrowingCall(expression: ts.Expression): boolean {
  if (!ts.isCallExpression(expression)) return false;
  const callee = skipOuterExpressions(expression.expression);
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const method = callee.name.text;
  const owner = skipOuterExpressions(callee.expression);
  const ownerName = ts.isIdentifier(owner) ? owner.text : undefined;
  return method === 'throw' || (method === 'fail' && ownerName === 'assert') || (method === 'exit' && ownerName === 'process');
}

/**
 * What a condition proves about the variable when it evaluates to `expected`.
 * `ALLOWED.includes(x)` proves an allowlist match when true; `!ALLOWED.includes(x)`
 * proves it when false.
 */
function getCheckKind(
  sem: FileSemantics,
  condition: ts.Expression,
  isVariable: (node: ts.Node) => boolean,
  expected: boolean,
): SanitizerKind | undefined {
  const expression = skipOuterExpressions(condition);

  if (ts.isPrefixUnaryExpression(expression) && expression.operator === ts.SyntaxKind.ExclamationToken) {
    return getCheckKind(sem, expression.operand, isVariable, !expected);
  }

  // `const isLocal = next.startsWith('/') && !next.startsWith('//')`, then `isLocal ? next : '/'`.
  if (ts.isIdentifier(expression)) {
    const declaration = sem.resolve(expression);
    const value = declaration?.kind === 'variable' && declaration.pattern.length === 0 ? sem.getSingleValue(declaration) : undefined;
    return value && !ts.isIdentifier(skipOuterExpressions(value)) ? getCheckKind(sem, value, isVariable, expected) : undefined;
  }

  if (isSameSitePathCheck(sem, expression, isVariable, expected)) return 'origin';

  if (ts.isBinaryExpression(expression)) {
    const operator = expression.operatorToken.kind;
    // `a && b` true proves both; `a || b` false proves both negated.
    if (
      (operator === ts.SyntaxKind.AmpersandAmpersandToken && expected) ||
      (operator === ts.SyntaxKind.BarBarToken && !expected)
    ) {
      return strongerCheck(getCheckKind(sem, expression.left, isVariable, expected), getCheckKind(sem, expression.right, isVariable, expected));
    }
    // `x === 'a' || x === 'b'` true proves an allowlist match when every part does.
    if (
      (operator === ts.SyntaxKind.BarBarToken && expected) ||
      (operator === ts.SyntaxKind.AmpersandAmpersandToken && !expected)
    ) {
      const left = getCheckKind(sem, expression.left, isVariable, expected);
      const right = getCheckKind(sem, expression.right, isVariable, expected);
      // `target === root || target.startsWith(root + path.sep)`: the folder itself is inside the folder too.
      if (left === 'path' && !right && isEqualityWithVariable(expression.right, isVariable, expected)) return 'path';
      if (right === 'path' && !left && isEqualityWithVariable(expression.left, isVariable, expected)) return 'path';
      return left && right ? left : undefined;
    }
    return getComparisonKind(sem, expression, isVariable, expected);
  }

  if (ts.isCallExpression(expression)) return getCallCheckKind(sem, expression, isVariable, expected);
  return undefined;
}

/**
 * Returns, of two checks that both hold, the one that proves more: in
 * `typeof sort !== 'string' || !SORTABLE.has(sort)`, the allowlist, not the type test.
 */
function strongerCheck(left: SanitizerKind | undefined, right: SanitizerKind | undefined): SanitizerKind | undefined {
  if (!left || !right) return left ?? right;
  return rankCheck(right) > rankCheck(left) ? right : left;
}

/** Ranks what a check proves: a fixed set or a number makes a value safe everywhere, a type test alone the least. */
function rankCheck(kind: SanitizerKind): number {
  if (kind === 'allowlist' || kind === 'number') return 2;
  if (kind === 'validated') return 0;
  return 1;
}

/** True when a condition that evaluates to `expected` proves the variable equal to a name: `target === root`. */
function isEqualityWithVariable(condition: ts.Expression, isVariable: (node: ts.Node) => boolean, expected: boolean): boolean {
  const node = skipOuterExpressions(condition);
  if (!ts.isBinaryExpression(node)) return false;
  const operator = node.operatorToken.kind;
  const equal = operator === ts.SyntaxKind.EqualsEqualsEqualsToken || operator === ts.SyntaxKind.EqualsEqualsToken;
  const notEqual = operator === ts.SyntaxKind.ExclamationEqualsEqualsToken || operator === ts.SyntaxKind.ExclamationEqualsToken;
  if (!((equal && expected) || (notEqual && !expected))) return false;
  const left = skipOuterExpressions(node.left);
  const right = skipOuterExpressions(node.right);
  const other = isVariable(left) ? right : isVariable(right) ? left : undefined;
  return other !== undefined && (ts.isIdentifier(other) || ts.isPropertyAccessExpression(other));
}

function getComparisonKind(
  sem: FileSemantics,
  binary: ts.BinaryExpression,
  isVariable: (node: ts.Node) => boolean,
  expected: boolean,
): SanitizerKind | undefined {
  const operator = binary.operatorToken.kind;
  const equal = operator === ts.SyntaxKind.EqualsEqualsEqualsToken || operator === ts.SyntaxKind.EqualsEqualsToken;
  const notEqual =
    operator === ts.SyntaxKind.ExclamationEqualsEqualsToken || operator === ts.SyntaxKind.ExclamationEqualsToken;
  const left = skipOuterExpressions(binary.left);
  const right = skipOuterExpressions(binary.right);

  if ((equal && expected) || (notEqual && !expected)) {
    if (ts.isTypeOfExpression(left) && isVariable(skipOuterExpressions(left.expression))) {
      const type = sem.evaluate(right);
      if (type.kind === 'string' && (type.value === 'number' || type.value === 'boolean')) return 'number';
      // A string is no longer an object a query parser built, but its text is still the client's.
      if (type.kind === 'string' && type.value === 'string') return 'validated';
      return undefined;
    }
    const [variable, other] = isVariable(left) ? [left, right] : isVariable(right) ? [right, left] : [];
    if (variable && other && isConstant(sem.evaluate(other))) return 'allowlist';
  }

  // url.hostname === 'api.example.com' and url.origin !== APP_ORIGIN (false) prove the host.
  if ((equal && expected) || (notEqual && !expected)) {
    const [member, other] = isHostOf(sem, left, isVariable) ? [left, right] : isHostOf(sem, right, isVariable) ? [right, left] : [];
    if (member && other && isTrustedHost(sem, other)) return 'origin';
  }

  // resolved.indexOf(base) === 0 proves the path stays inside base.
  if ((equal && expected) || (notEqual && !expected)) {
    const [call, other] = ts.isCallExpression(left) ? [left, right] : ts.isCallExpression(right) ? [right, left] : [];
    const callee = call && skipOuterExpressions(call.expression);
    const index = other && sem.evaluate(other);
    if (
      callee &&
      ts.isPropertyAccessExpression(callee) &&
      callee.name.text === 'indexOf' &&
      isVariable(skipOuterExpressions(callee.expression)) &&
      index?.kind === 'number' &&
      index.value === 0
    ) {
      return 'path';
    }
  }

  if (operator === ts.SyntaxKind.InKeyword && expected && isVariable(left)) {
    const object = sem.evaluate(right);
    if (object.kind === 'object' && !object.open) return 'allowlist';
  }
  return undefined;
}

const ALLOWLIST_NAME = /allow|valid|permit|white|known|support|accept|enabled|columns|fields|sortable/i;

function getCallCheckKind(
  sem: FileSemantics,
  call: ts.CallExpression,
  isVariable: (node: ts.Node) => boolean,
  expected: boolean,
): SanitizerKind | undefined {
  const callee = skipOuterExpressions(call.expression);
  const argument = call.arguments[0] ? skipOuterExpressions(call.arguments[0]) : undefined;
  const usesVariable = call.arguments.some((a) => isVariable(skipOuterExpressions(a)));

  if (ts.isPropertyAccessExpression(callee)) {
    const method = callee.name.text;
    const receiver = skipOuterExpressions(callee.expression);

    // ALLOWED.includes(x), ALLOWED_SET.has(x), Object.keys(MAP).includes(x)
    if ((method === 'includes' || method === 'has' || method === 'hasOwnProperty') && expected && argument && isVariable(argument)) {
      const value = sem.evaluate(receiver);
      const isList = (value.kind === 'array' || value.kind === 'object') && isConstant(value);
      const receiverText = ts.isIdentifier(receiver) || ts.isPropertyAccessExpression(receiver) ? receiver.getText() : '';
      if (isList || ALLOWLIST_NAME.test(receiverText) || isKeysOfConstant(sem, receiver) || isConstantCollection(sem, receiver)) return 'allowlist';
      if (ts.isNewExpression(receiver) || (value.kind !== 'unknown' && isConstant(value))) return 'allowlist';
    }

    // /^[a-z]+$/.test(x)
    if (method === 'test' && expected && argument && isVariable(argument)) {
      const pattern = sem.evaluate(receiver);
      if (pattern.kind === 'regexp' && isAnchoredPattern(pattern.source)) return 'allowlist';
      // /^https:\/\/api\.example\.com\//.test(url) fixes the scheme and the host.
      if (pattern.kind === 'regexp' && FIXED_ORIGIN_PATTERN.test(pattern.source)) return 'origin';
    }

    // Number.isInteger(x), Number.isSafeInteger(x), Number.isFinite(x)
    if (ts.isIdentifier(receiver) && receiver.text === 'Number' && expected && usesVariable) {
      if (method === 'isInteger' || method === 'isSafeInteger' || method === 'isFinite') return 'number';
    }

    // validator.isUUID(x), validator.isInt(x), validator.isAlphanumeric(x)
    if (/^is[A-Z]/.test(method) && expected && usesVariable) {
      const origin = sem.originOf(callee);
      // A URL or an e-mail address may hold quotes, `$` and any host, so it is checked for shape only.
      if (origin.root.kind === 'module' && origin.root.specifier === 'validator') return OPEN_FORMATS.has(method) ? 'validated' : 'allowlist';
    }

    // ALLOWED_HOSTS.has(url.hostname) and url.hostname.endsWith('.example.com') prove the host.
    if ((method === 'includes' || method === 'has') && expected && argument && isHostOf(sem, argument, isVariable)) {
      const value = sem.evaluate(receiver);
      const receiverText = ts.isIdentifier(receiver) || ts.isPropertyAccessExpression(receiver) ? receiver.getText() : '';
      if ((value.kind !== 'unknown' && isConstant(value)) || ALLOWLIST_NAME.test(receiverText) || ts.isNewExpression(receiver)) return 'origin';
      if (isConstantCollection(sem, receiver)) return 'origin';
    }
    if (method === 'endsWith' && expected && isHostOf(sem, receiver, isVariable) && argument) {
      const suffix = sem.evaluate(argument);
      if (suffix.kind === 'string' && suffix.value.startsWith('.')) return 'origin';
    }

    // name.includes('..') and /\.\./.test(name), when false, prove the name cannot climb out of a folder.
    if (method === 'includes' && !expected && isVariable(receiver) && argument) {
      const text = sem.evaluate(argument);
      if (text.kind === 'string' && text.value === '..') return 'path';
    }
    if (method === 'test' && !expected && argument && isVariable(argument)) {
      const pattern = sem.evaluate(receiver);
      if (pattern.kind === 'regexp' && (pattern.source === '\\.\\.' || pattern.source === '\\.\\.[\\/\\\\]')) return 'path';
    }

    // url.startsWith('https://api.example.com/') proves the host; without the
    // closing slash, https://api.example.com.evil.example would pass.
    if (method === 'startsWith' && expected && isVariable(receiver) && argument) {
      const prefix = sem.evaluate(argument);
      let text = '';
      if (prefix.kind === 'string') text = prefix.value;
      else if (prefix.kind === 'concat') text = getConstantPrefix(prefix.parts);
      if (/^[a-z][a-z\d+.-]*:\/\/[^/?#\\]+[/?#\\]/i.test(text)) return 'origin';
      // `${process.env.APP_URL}/` and `${APP_ORIGIN}/` with the origin from configuration.
      const [base, next] = prefix.kind === 'concat' ? prefix.parts : [];
      if ((base?.kind === 'env' || base?.kind === 'import') && next?.kind === 'string' && next.value.startsWith('/')) return 'origin';
    }

    // resolved.startsWith(base) proves the path stays inside base. A raw name with `../` in it passes the test.
    if (method === 'startsWith' && expected && isVariable(receiver) && !isRawPath(sem, receiver)) return 'path';

    // `const rel = path.relative(base, x)`, then rel.startsWith('..') proves x leaves base when true.
    if (method === 'startsWith' && !expected && ts.isIdentifier(receiver)) {
      const declaration = sem.resolve(receiver);
      const initializer = declaration?.kind === 'variable' ? sem.getSingleValue(declaration) : undefined;
      const value = initializer && skipOuterExpressions(initializer);
      if (value && ts.isCallExpression(value) && isPathRelativeOf(value, isVariable)) return 'path';
    }

    // path.relative(base, x).startsWith('..') proves the path leaves base when true.
    if (method === 'startsWith' && !expected && ts.isCallExpression(receiver)) {
      const inner = skipOuterExpressions(receiver.expression);
      if (
        ts.isPropertyAccessExpression(inner) &&
        inner.name.text === 'relative' &&
        receiver.arguments.some((a) => isVariable(skipOuterExpressions(a)))
      ) {
        return 'path';
      }
    }
  }

  if (ts.isIdentifier(callee)) {
    if (callee.text === 'isNaN' && !expected && usesVariable) return 'number';
    if (URL_CHECK_NAME.test(callee.text) && expected && usesVariable) return 'origin';
    // isPathInside(resolved, ROOT) from is-path-inside or path-is-inside.
    if (PATH_CHECK_NAME.test(callee.text) && expected && usesVariable) return 'path';
    if (URL_FORMAT_NAME.test(callee.text) && expected && usesVariable) return 'validated';
    if (/^(isValid|isAllowed|isSafe|isPermitted|validate)/i.test(callee.text) && expected && usesVariable) {
      return 'allowlist';
    }
    // isIP(x) and isUUID(x) imported from validator or node:net.
    if (/^is[A-Z]/.test(callee.text) && expected && usesVariable) {
      const origin = sem.originOf(callee);
      if (origin.root.kind === 'module' && FORMAT_CHECK_MODULES.has(origin.root.specifier.replace(/^node:/, '').split('/')[0]!)) {
        return OPEN_FORMATS.has(callee.text) ? 'validated' : 'allowlist';
      }
    }
  }
  if (ts.isPropertyAccessExpression(callee) && /^isIP(v4|v6)?$/.test(callee.name.text) && expected && usesVariable) {
    const origin = sem.originOf(callee);
    if (origin.root.kind === 'module' && origin.root.specifier.replace(/^node:/, '') === 'net') return 'allowlist';
  }
  return undefined;
}

/** validator.js checks whose formats allow quotes, `$` and any host. */
const OPEN_FORMATS = new Set(['isURL', 'isEmail', 'isDataURI', 'isJSON', 'isMagnetURI']);

/** Packages whose `isX` functions check a format with a safe alphabet: `isIP`, `isUUID`, `isInt`. */
const FORMAT_CHECK_MODULES = new Set(['validator', 'net', 'is-ip', 'uuid']);

/** Functions that by their name check that a URL stays on this site or a trusted host: `isLocalUrl(next)`. */
const URL_CHECK_NAME = /^(isLocal|isRelative|isSameOrigin|isSameSite|isInternal|isTrusted)\w*(Url|Uri|Redirect|Origin|Host|Domain|Target)?$/i;

/** Functions that by their name check that a path stays inside a folder. */
const PATH_CHECK_NAME = /^(isPathInside|pathIsInside|isInside|isSubdir|isSubPath|isWithin\w*|isInsideDir\w*)$/i;

/** Functions that by their name check only that text parses as a URL, whatever its host: `isValidUrl(x)`. */
const URL_FORMAT_NAME = /^is(Valid)?(Http|Web)?(Url|Uri)$/i;

/** Functions that by their name throw unless a URL's host is allowed: `assertPublicUrl(url)`. */
const URL_ASSERTION_NAME = /^(assert|validate|ensure|check|verify|guard)\w*(Url|Uri|Host|Hostname|Domain|Target|Destination|Redirect)$/i;

/**
 * Checks for a host to compare with: a constant, configuration, or the host of
 * this server as the request names it (`req.hostname`, `req.get('host')`).
 */
function isTrustedHost(sem: FileSemantics, other: ts.Expression): boolean {
  if (isConstant(sem.evaluate(other))) return true;
  const text = other.getText();
  if (/^(req|request|ctx|c\.req)\.(hostname|host|headers\.host|get\(\s*['"]host['"]\s*\))$/.test(text)) return true;
  return !sem.flowOf(other).some((leaf) => leaf.kind === 'source' && (leaf.source === 'request' || leaf.source === 'dom'));
}

function isKeysOfConstant(sem: FileSemantics, receiver: ts.Expression): boolean {
  if (!ts.isCallExpression(receiver)) return false;
  const callee = skipOuterExpressions(receiver.expression);
  if (!ts.isPropertyAccessExpression(callee) || !['keys', 'values'].includes(callee.name.text)) return false;
  const target = receiver.arguments[0];
  return target !== undefined && isConstant(sem.evaluate(target));
}

/** Returns the constant text at the start of a concatenation. */
function getConstantPrefix(parts: readonly Value[]): string {
  let text = '';
  for (const part of parts) {
    if (part.kind !== 'string') break;
    text += part.value;
  }
  return text;
}

/** Properties of a URL object that name its host. */
const HOST_PROPERTIES = new Set(['hostname', 'host', 'origin']);

/**
 * Checks for the host of the checked variable: `url.hostname`, `url.host`, `url.origin`,
 * `new URL(x).hostname`, or a name bound to one of them, such as
 * `const { hostname } = new URL(x)`.
 */
function isHostOf(sem: FileSemantics, node: ts.Node, isVariable: (node: ts.Node) => boolean): boolean {
  const expression = ts.isExpression(node) ? skipOuterExpressions(node) : node;
  if (ts.isPropertyAccessExpression(expression) && HOST_PROPERTIES.has(expression.name.text)) {
    return isVariableOrUrlOf(expression.expression, isVariable);
  }
  if (!ts.isIdentifier(expression)) return false;
  const declaration = sem.resolve(expression);
  if (declaration?.kind !== 'variable') return false;
  const initializer = sem.getSingleValue(declaration);
  if (!initializer) return false;
  const last = declaration.pattern[declaration.pattern.length - 1];
  if (last && 'property' in last) {
    return declaration.pattern.length === 1 && HOST_PROPERTIES.has(last.property) && isVariableOrUrlOf(initializer, isVariable);
  }
  const value = skipOuterExpressions(initializer);
  return (
    declaration.pattern.length === 0 &&
    ts.isPropertyAccessExpression(value) &&
    HOST_PROPERTIES.has(value.name.text) &&
    isVariableOrUrlOf(value.expression, isVariable)
  );
}

/** Checks for the checked variable itself, or `new URL(variable, base)`. */
function isVariableOrUrlOf(node: ts.Expression, isVariable: (node: ts.Node) => boolean): boolean {
  const expression = skipOuterExpressions(node);
  if (isVariable(expression)) return true;
  if (!ts.isNewExpression(expression) || !ts.isIdentifier(expression.expression) || expression.expression.text !== 'URL') return false;
  const first = expression.arguments?.[0];
  return first !== undefined && isVariable(skipOuterExpressions(first));
}

function isPathRelativeOf(call: ts.CallExpression, isVariable: (node: ts.Node) => boolean): boolean {
  const callee = skipOuterExpressions(call.expression);
  return (
    ts.isPropertyAccessExpression(callee) &&
    callee.name.text === 'relative' &&
    call.arguments.some((argument) => isVariable(skipOuterExpressions(argument)))
  );
}

/**
 * `next.startsWith('/') && !next.startsWith('//')`, or the same with `next[1] !== '/'`
 * or a pattern such as `/^\/(?!\/)/`: a path on this site rather than a URL that
 * names another host. A lone `startsWith('/')` lets `//evil.example` through.
 */
function isSameSitePathCheck(
  sem: FileSemantics,
  condition: ts.Expression,
  isVariable: (node: ts.Node) => boolean,
  expected: boolean,
): boolean {
  const terms = collectTerms(condition, expected);
  const tests = terms.flatMap((term) => {
    const test = getPrefixTest(sem, term.node, isVariable);
    return test ? [{ ...test, holds: test.holds === term.expected }] : [];
  });
  if (tests.some((test) => test.holds && test.sameSitePattern)) return true;
  const startsWithSlash = tests.some((test) => test.holds && test.index === 0 && test.text === '/');
  const notTwoSlashes = tests.some(
    (test) => !test.holds && ((test.index === 0 && test.text === '//') || (test.index === 1 && test.text === '/')),
  );
  return startsWithSlash && notTwoSlashes;
}

/** Collects the parts a condition proves together: `a && b` when true, `a || b` when false, through `!`. */
function collectTerms(condition: ts.Expression, expected: boolean): Array<{ node: ts.Expression; expected: boolean }> {
  const expression = skipOuterExpressions(condition);
  if (ts.isPrefixUnaryExpression(expression) && expression.operator === ts.SyntaxKind.ExclamationToken) {
    return collectTerms(expression.operand, !expected);
  }
  if (ts.isBinaryExpression(expression)) {
    const operator = expression.operatorToken.kind;
    if ((operator === ts.SyntaxKind.AmpersandAmpersandToken && expected) || (operator === ts.SyntaxKind.BarBarToken && !expected)) {
      return [...collectTerms(expression.left, expected), ...collectTerms(expression.right, expected)];
    }
  }
  return [{ node: expression, expected }];
}

/**
 * Reads a test of the text at the start of the checked variable:
 * `x.startsWith('//')`, `x[1] === '/'`, `x.charAt(0) !== '/'`. `holds` is what
 * the test claims when it evaluates to true.
 */
function getPrefixTest(
  sem: FileSemantics,
  node: ts.Expression,
  isVariable: (node: ts.Node) => boolean,
): { index: number; text: string; holds: boolean; sameSitePattern?: boolean } | undefined {
  if (ts.isCallExpression(node)) {
    const callee = skipOuterExpressions(node.expression);
    const argument = node.arguments[0];
    if (!ts.isPropertyAccessExpression(callee) || !argument) return undefined;
    if (callee.name.text === 'startsWith' && isVariable(skipOuterExpressions(callee.expression))) {
      const text = sem.evaluate(argument);
      return text.kind === 'string' ? { index: 0, text: text.value, holds: true } : undefined;
    }
    if (callee.name.text === 'test' && isVariable(skipOuterExpressions(argument))) {
      const pattern = sem.evaluate(callee.expression);
      if (pattern.kind === 'regexp' && (SAME_SITE_PATTERN.test(pattern.source) || SAME_SITE_CLASS_PATTERN.test(pattern.source))) {
        return { index: 0, text: '/', holds: true, sameSitePattern: true };
      }
    }
    return undefined;
  }
  if (!ts.isBinaryExpression(node)) return undefined;
  const operator = node.operatorToken.kind;
  const equal = operator === ts.SyntaxKind.EqualsEqualsEqualsToken || operator === ts.SyntaxKind.EqualsEqualsToken;
  const notEqual = operator === ts.SyntaxKind.ExclamationEqualsEqualsToken || operator === ts.SyntaxKind.ExclamationEqualsToken;
  if (!equal && !notEqual) return undefined;
  const text = sem.evaluate(node.right);
  const index = getCharacterIndex(sem, skipOuterExpressions(node.left), isVariable);
  if (index === undefined || text.kind !== 'string') return undefined;
  return { index, text: text.value, holds: equal };
}

/** Returns the index that `x[1]` or `x.charAt(1)` of the checked variable reads: 1. */
function getCharacterIndex(sem: FileSemantics, node: ts.Expression, isVariable: (node: ts.Node) => boolean): number | undefined {
  let target: ts.Expression | undefined;
  let position: ts.Expression | undefined;
  if (ts.isElementAccessExpression(node)) {
    target = node.expression;
    position = node.argumentExpression;
  } else if (ts.isCallExpression(node)) {
    const callee = skipOuterExpressions(node.expression);
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'charAt') {
      target = callee.expression;
      position = node.arguments[0];
    }
  }
  if (!target || !position || !isVariable(skipOuterExpressions(target))) return undefined;
  const value = sem.evaluate(position);
  return value.kind === 'number' ? value.value : undefined;
}

/** `^\/(?!\/)`, `^\/(?![\/\\])` and `^\/[^\/]`: one slash, then anything but another. */
const SAME_SITE_PATTERN = /^\^\\\/(\(\?!|\[\^)\[?\\?\//;

/** `^\/[a-z]`, `^\/\w` and `^\/[\w-]`: one slash, then a letter, digit, `_` or `-`. */
const SAME_SITE_CLASS_PATTERN = /^\^\\\/(\\w|\\d|\[(?:[a-zA-Z]-[a-zA-Z]|\d-\d|\\w|\\d|_|\\?-)+\])/;

/** `^https:\/\/api\.example\.com\/` or `^https?:\/\/cdn\.example\.org$`: a scheme, a literal host, then a path or the end. */
const FIXED_ORIGIN_PATTERN = /^\^https\??:\\\/\\\/(?:[a-zA-Z0-9-]|\\\.)+(?::\d+)?(?:\\\/|\$)/;

/** A pattern anchored at both ends with no wildcard, such as `^[a-z0-9_]+$`. */
function isAnchoredPattern(source: string): boolean {
  if (!source.startsWith('^') || !source.endsWith('$')) return false;
  const body = source.slice(1, -1).replace(/\\./g, '');
  return !/(^|[^\\])\.(?![^[]*\])/.test(body);
}
