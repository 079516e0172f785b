import { ts } from 'ts-morph';
import type { FileSemantics } from './semantics.js';
import type { Declaration } from './scope.js';
import type { SanitizerKind } from './sanitizers.js';
import { isConstant } from './values.js';
import { skipOuterExpressions } from './syntax.js';

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

  let child: ts.Node = read;
  let node: ts.Node | undefined = read.parent;
  while (node) {
    if (ts.isIfStatement(node) && child === node.thenStatement) {
      const kind = getCheckKind(sem, node.expression, isVariable, true);
      if (kind) return kind;
    } else if (ts.isIfStatement(node) && child === node.elseStatement) {
      const kind = getCheckKind(sem, node.expression, isVariable, false);
      if (kind) return kind;
    } else if (ts.isConditionalExpression(node)) {
      if (child === node.whenTrue) {
        const kind = getCheckKind(sem, node.condition, isVariable, true);
        if (kind) return kind;
      } else if (child === node.whenFalse) {
        const kind = getCheckKind(sem, node.condition, isVariable, false);
        if (kind) return kind;
      }
    } else if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken &&
      child === node.right
    ) {
      const kind = getCheckKind(sem, node.left, isVariable, true);
      if (kind) return kind;
    } else if (ts.isBlock(node) || ts.isSourceFile(node) || ts.isCaseClause(node) || ts.isDefaultClause(node)) {
      const kind = findEarlyExit(sem, node.statements, child, isVariable);
      if (kind) return kind;
    }
    if (node === declaration.node || (declaration.kind === 'parameter' && node === declaration.fn)) break;
    child = node;
    node = node.parent;
  }
  return undefined;
}

/**
 * `typeof req.query.q === 'string' ? req.query.q : ''` and
 * `ALLOWED.includes(req.query.sort) ? req.query.sort : 'name'`: a check of the
 * very expression the true branch returns.
 */
export function findConditionalGuard(sem: FileSemantics, conditional: ts.ConditionalExpression): SanitizerKind | undefined {
  const target = skipOuterExpressions(conditional.whenTrue);
  if (!ts.isPropertyAccessExpression(target) && !ts.isElementAccessExpression(target)) return undefined;
  const text = target.getText();
  const isTarget = (node: ts.Node): boolean =>
    (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) && node.getText() === text;
  return getCheckKind(sem, conditional.condition, isTarget, true);
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
  }
  return undefined;
}

/** True when a statement always leaves the current block: return, throw, break or continue. */
function exits(statement: ts.Statement): boolean {
  if (
    ts.isReturnStatement(statement) ||
    ts.isThrowStatement(statement) ||
    ts.isBreakStatement(statement) ||
    ts.isContinueStatement(statement)
  ) {
    return true;
  }
  if (ts.isBlock(statement)) {
    const last = statement.statements[statement.statements.length - 1];
    return last !== undefined && exits(last);
  }
  return false;
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

  if (ts.isBinaryExpression(expression)) {
    const operator = expression.operatorToken.kind;
    // `a && b` true proves both; `a || b` false proves both negated.
    if (
      (operator === ts.SyntaxKind.AmpersandAmpersandToken && expected) ||
      (operator === ts.SyntaxKind.BarBarToken && !expected)
    ) {
      return (
        getCheckKind(sem, expression.left, isVariable, expected) ?? getCheckKind(sem, expression.right, isVariable, expected)
      );
    }
    // `x === 'a' || x === 'b'` true proves an allowlist match when every part does.
    if (
      (operator === ts.SyntaxKind.BarBarToken && expected) ||
      (operator === ts.SyntaxKind.AmpersandAmpersandToken && !expected)
    ) {
      const left = getCheckKind(sem, expression.left, isVariable, expected);
      const right = getCheckKind(sem, expression.right, isVariable, expected);
      return left && right ? left : undefined;
    }
    return getComparisonKind(sem, expression, isVariable, expected);
  }

  if (ts.isCallExpression(expression)) return getCallCheckKind(sem, expression, isVariable, expected);
  return undefined;
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
      if (isList || ALLOWLIST_NAME.test(receiverText) || isKeysOfConstant(sem, receiver)) return 'allowlist';
      if (ts.isNewExpression(receiver) || (value.kind !== 'unknown' && isConstant(value))) return 'allowlist';
    }

    // /^[a-z]+$/.test(x)
    if (method === 'test' && expected && argument && isVariable(argument)) {
      const pattern = sem.evaluate(receiver);
      if (pattern.kind === 'regexp' && isAnchoredPattern(pattern.source)) return 'allowlist';
    }

    // Number.isInteger(x), Number.isSafeInteger(x), Number.isFinite(x)
    if (ts.isIdentifier(receiver) && receiver.text === 'Number' && expected && usesVariable) {
      if (method === 'isInteger' || method === 'isSafeInteger' || method === 'isFinite') return 'number';
    }

    // validator.isUUID(x), validator.isInt(x), validator.isAlphanumeric(x)
    if (/^is[A-Z]/.test(method) && expected && usesVariable) {
      const origin = sem.originOf(callee);
      if (origin.root.kind === 'module' && origin.root.specifier === 'validator') return 'allowlist';
    }

    // resolved.startsWith(base) proves the path stays inside base.
    if (method === 'startsWith' && expected && isVariable(receiver)) return 'path';

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
    if (/^(isValid|isAllowed|isSafe|isPermitted|validate)/i.test(callee.text) && expected && usesVariable) {
      return 'allowlist';
    }
  }
  return undefined;
}

function isKeysOfConstant(sem: FileSemantics, receiver: ts.Expression): boolean {
  if (!ts.isCallExpression(receiver)) return false;
  const callee = skipOuterExpressions(receiver.expression);
  if (!ts.isPropertyAccessExpression(callee) || !['keys', 'values'].includes(callee.name.text)) return false;
  const target = receiver.arguments[0];
  return target !== undefined && isConstant(sem.evaluate(target));
}

/** A pattern anchored at both ends with no wildcard, such as `^[a-z0-9_]+$`. */
function isAnchoredPattern(source: string): boolean {
  if (!source.startsWith('^') || !source.endsWith('$')) return false;
  const body = source.slice(1, -1).replace(/\\./g, '');
  return !/(^|[^\\])\.(?![^[]*\])/.test(body);
}
