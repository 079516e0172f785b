import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import {
  getDecoratorArguments,
  getDecoratorName,
  getDecorators,
  getMemberName,
  isFunctionNode,
  skipOuterExpressions,
} from '../../analysis/syntax.js';

/** Parameters that receive the request's Origin header, such as the first parameter of an origin function. */
export type OriginParameters = ReadonlySet<ts.ParameterDeclaration>;

const NO_PARAMETERS: OriginParameters = new Set();
const MAX_DEPTH = 12;
/** The depth a step from a helper's parameter into its callers costs, so that only a few levels of helpers are followed. */
const CALLER_STEP_DEPTH = 4;

/** Request methods that read a header by name: `req.get('Origin')`, `ctx.get('origin')`, `c.req.header('origin')`. */
const HEADER_GETTERS = new Set(['get', 'header', 'getHeader']);

/** String methods whose result still carries the whole origin. */
const STRING_METHODS = new Set([
  'toString',
  'toLowerCase',
  'toUpperCase',
  'toLocaleLowerCase',
  'trim',
  'trimStart',
  'trimEnd',
  'valueOf',
  'replace',
  'normalize',
]);

/**
 * The kind of condition that counts as a guard. `strict` requires a check of
 * the origin value itself, such as a list lookup, a pattern test or a
 * comparison. `lenient` accepts any other condition too, such as a lookup in
 * a database, except a test of whether an origin is present and a test of
 * the request alone, such as its path or method.
 */
export type GuardMode = 'strict' | 'lenient';

/**
 * Finds where an expression takes its value from the request's Origin header
 * with no check against a list on the way: `req.headers.origin`,
 * `req.get('Origin')`, `ctx.get('origin')`, `c.req.header('origin')`, a
 * NestJS `@Headers('origin')` parameter, a variable holding one of these, or
 * one of `parameters`. Returns the read, or undefined.
 */
export function findUncheckedOrigin(
  sem: FileSemantics,
  expression: ts.Expression,
  parameters: OriginParameters = NO_PARAMETERS,
): ts.Node | undefined {
  return traceOrigin(sem, expression, parameters, true, 0);
}

/** True when an expression's value is the request's Origin header, checked or not. */
export function isOriginValue(sem: FileSemantics, expression: ts.Expression, parameters: OriginParameters): boolean {
  return traceOrigin(sem, expression, parameters, false, 0) !== undefined;
}

function traceOrigin(
  sem: FileSemantics,
  node: ts.Expression,
  parameters: OriginParameters,
  checkGuards: boolean,
  depth: number,
): ts.Node | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const expression = skipOuterExpressions(node);
  const next = (child: ts.Expression): ts.Node | undefined => traceOrigin(sem, child, parameters, checkGuards, depth + 1);

  if (ts.isIdentifier(expression)) return traceIdentifier(sem, expression, parameters, checkGuards, depth);

  if (ts.isPropertyAccessExpression(expression) || ts.isElementAccessExpression(expression)) {
    if (getAccessName(sem, expression)?.toLowerCase() !== 'origin') return undefined;
    if (!isHeadersObject(sem, expression.expression, depth + 1)) return undefined;
    return checkGuards && isGuarded(sem, expression, parameters, 'strict') ? undefined : expression;
  }

  if (ts.isCallExpression(expression)) {
    const callee = skipOuterExpressions(expression.expression);
    if (ts.isIdentifier(callee) && callee.text === 'String' && expression.arguments[0]) return next(expression.arguments[0]);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const method = callee.name.text;
    if (STRING_METHODS.has(method)) return next(callee.expression);
    if (!HEADER_GETTERS.has(method) || !isOriginName(sem, expression.arguments[0])) return undefined;
    return checkGuards && isGuarded(sem, expression, parameters, 'strict') ? undefined : expression;
  }

  if (ts.isBinaryExpression(expression)) {
    const operator = expression.operatorToken.kind;
    if (operator === ts.SyntaxKind.BarBarToken || operator === ts.SyntaxKind.QuestionQuestionToken) {
      return next(expression.left) ?? next(expression.right);
    }
    if (operator === ts.SyntaxKind.EqualsToken) return next(expression.right);
    return undefined;
  }

  if (ts.isConditionalExpression(expression)) return next(expression.whenTrue) ?? next(expression.whenFalse);

  // `${origin}` alone is the origin; a template with more text around it is another value.
  if (ts.isTemplateExpression(expression)) {
    const [span] = expression.templateSpans;
    const isBare = expression.head.text === '' && expression.templateSpans.length === 1 && span?.literal.text === '';
    return isBare && span ? next(span.expression) : undefined;
  }
  return undefined;
}

function traceIdentifier(
  sem: FileSemantics,
  identifier: ts.Identifier,
  parameters: OriginParameters,
  checkGuards: boolean,
  depth: number,
): ts.Node | undefined {
  const declaration = sem.resolve(identifier);
  if (!declaration) return undefined;
  if (declaration.kind !== 'parameter' && declaration.kind !== 'variable') return undefined;
  if (checkGuards && isGuarded(sem, identifier, parameters, 'strict')) return undefined;

  if (declaration.kind === 'parameter') {
    if (declaration.pattern.length === 0 && parameters.has(declaration.node)) return identifier;
    if (getHeadersDecoratorName(sem, declaration.node)?.toLowerCase() === 'origin') return identifier;
    return traceCallers(sem, declaration.fn, declaration.index, parameters, checkGuards, depth);
  }

  const initializer = declaration.node.initializer;
  if (declaration.pattern.length > 0) {
    // `const { origin } = req.headers` and `const { headers: { origin } } = req`.
    if (!initializer) return undefined;
    const steps = declaration.pattern.map((step) => ('property' in step ? step.property : undefined));
    const last = steps[steps.length - 1];
    if (last?.toLowerCase() !== 'origin') return undefined;
    const previous = steps.length > 1 ? steps[steps.length - 2] : undefined;
    const holder = previous !== undefined ? isHeadersName(previous) : isHeadersObject(sem, initializer, depth + 1);
    return holder ? identifier : undefined;
  }
  for (const value of sem.getAssignedValues(declaration)) {
    const found = traceOrigin(sem, value, parameters, checkGuards, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** A parameter of a helper such as `setCors(res, origin)`: follows what the callers of this file pass. */
function traceCallers(
  sem: FileSemantics,
  fn: ts.SignatureDeclaration,
  index: number,
  parameters: OriginParameters,
  checkGuards: boolean,
  depth: number,
): ts.Node | undefined {
  if (!isFunctionNode(fn)) return undefined;
  for (const call of sem.getLocalCallers(fn)) {
    const argument = call.arguments[index];
    if (!argument) continue;
    const found = traceOrigin(sem, argument, parameters, checkGuards, depth + CALLER_STEP_DEPTH);
    if (found) return found;
  }
  return undefined;
}

/** True for an object of request headers: `req.headers`, `ctx.header`, `event.headers`, `@Headers() headers`. */
function isHeadersObject(sem: FileSemantics, node: ts.Expression, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const expression = skipOuterExpressions(node);
  if (ts.isPropertyAccessExpression(expression) || ts.isElementAccessExpression(expression)) {
    const name = getAccessName(sem, expression);
    return name !== undefined && isHeadersName(name);
  }
  if (!ts.isIdentifier(expression)) return false;
  const declaration = sem.resolve(expression);
  if (declaration?.kind === 'parameter') {
    return getHeadersDecoratorName(sem, declaration.node) === '' || isHeadersName(expression.text);
  }
  if (declaration?.kind !== 'variable') return false;
  const last = declaration.pattern[declaration.pattern.length - 1];
  if (last && 'property' in last) return isHeadersName(last.property);
  const initializer = sem.getSingleValue(declaration);
  return initializer !== undefined && declaration.pattern.length === 0 && isHeadersObject(sem, initializer, depth + 1);
}

function isHeadersName(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'headers' || lower === 'header';
}

/**
 * The header name of a NestJS `@Headers('origin')` parameter: the lower-cased
 * name, `''` for `@Headers()` (every header), or undefined without the decorator.
 */
function getHeadersDecoratorName(sem: FileSemantics, parameter: ts.ParameterDeclaration): string | undefined {
  for (const decorator of getDecorators(parameter)) {
    if (getDecoratorName(decorator) !== 'Headers') continue;
    const [argument] = getDecoratorArguments(decorator);
    if (!argument) return '';
    const value = sem.evaluate(argument);
    return value.kind === 'string' ? value.value.toLowerCase() : undefined;
  }
  return undefined;
}

function getAccessName(sem: FileSemantics, access: ts.PropertyAccessExpression | ts.ElementAccessExpression): string | undefined {
  const name = getMemberName(access);
  if (name !== undefined || ts.isPropertyAccessExpression(access)) return name;
  const key = sem.evaluate(access.argumentExpression);
  return key.kind === 'string' ? key.value : undefined;
}

function isOriginName(sem: FileSemantics, argument: ts.Expression | undefined): boolean {
  if (!argument) return false;
  const value = sem.evaluate(argument);
  return value.kind === 'string' && value.value.toLowerCase() === 'origin';
}

/**
 * True when a node runs only after the origin was checked, or only when there
 * is no origin: it sits in a branch of such a condition, or follows an early
 * exit taken when the check fails. Climbs to the file in `strict` mode and to
 * `boundary` in `lenient` mode.
 */
export function isGuarded(
  sem: FileSemantics,
  node: ts.Node,
  parameters: OriginParameters,
  mode: GuardMode,
  boundary?: ts.Node,
): boolean {
  const judge = new ConditionJudge(sem, parameters, boundary);
  let child: ts.Node = node;
  let parent: ts.Node | undefined = node.parent;
  while (parent && child !== boundary) {
    if (judge.guardsBranch(parent, child, mode)) return true;
    if (ts.isBlock(parent) || ts.isSourceFile(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent)) {
      if (judge.hasEarlyExit(parent.statements, child, mode)) return true;
    }
    if (ts.isCaseClause(parent) && judge.guardsCase(parent.parent.parent.expression, mode)) return true;
    child = parent;
    parent = parent.parent;
  }
  return false;
}

/** Reads conditions for what they prove about the origin. */
class ConditionJudge {
  constructor(
    private readonly sem: FileSemantics,
    private readonly parameters: OriginParameters,
    private readonly boundary: ts.Node | undefined,
  ) {}

  /** True when a `switch` on this expression selects by origin, or in `lenient` mode by anything but the request. */
  guardsCase(expression: ts.Expression, mode: GuardMode): boolean {
    if (this.isOrigin(expression)) return true;
    return mode === 'lenient' && !this.readsOnlyRequest(expression);
  }

  isOrigin(expression: ts.Expression): boolean {
    return isOriginValue(this.sem, expression, this.parameters);
  }

  /** True when `child` is a branch of `parent` that runs only when the origin was checked or is absent. */
  guardsBranch(parent: ts.Node, child: ts.Node, mode: GuardMode): boolean {
    if (ts.isIfStatement(parent) && child !== parent.expression) {
      return this.guards(parent.expression, child === parent.thenStatement, mode);
    }
    if (ts.isConditionalExpression(parent) && child !== parent.condition) {
      return this.guards(parent.condition, child === parent.whenTrue, mode);
    }
    if (ts.isBinaryExpression(parent) && child === parent.right) {
      const operator = parent.operatorToken.kind;
      if (operator === ts.SyntaxKind.AmpersandAmpersandToken) return this.guards(parent.left, true, mode);
      if (operator === ts.SyntaxKind.BarBarToken) return this.guards(parent.left, false, mode);
    }
    return false;
  }

  /** True when a statement before `child` leaves the block unless the origin passed a check. */
  hasEarlyExit(statements: ts.NodeArray<ts.Statement>, child: ts.Node, mode: GuardMode): boolean {
    for (const statement of statements) {
      if (statement === child || statement.pos >= child.pos) return false;
      if (!ts.isIfStatement(statement) || statement.elseStatement || !exits(statement.thenStatement)) continue;
      if (mode === 'strict' ? this.hasCheck(statement.expression, 0) : this.isLenientGuard(statement.expression)) return true;
    }
    return false;
  }

  /** True when the branch of `condition` that evaluates to `branch` runs only with a checked or absent origin. */
  private guards(condition: ts.Expression, branch: boolean, mode: GuardMode): boolean {
    if (this.isAbsentWhen(condition, branch)) return true;
    return mode === 'strict' ? this.hasCheck(condition, 0) : this.isLenientGuard(condition);
  }

  private isLenientGuard(condition: ts.Expression): boolean {
    return !this.isPresenceTest(condition) && (this.hasCheck(condition, 0) || !this.readsOnlyRequest(condition));
  }

  /**
   * True when a condition reads nothing but parameters of the function that
   * is judged: `ctx.path === '/health'` in a Koa origin function. Such a test
   * picks requests, not origins. Checks of the origin are found before this
   * question is asked.
   */
  private readsOnlyRequest(condition: ts.Expression): boolean {
    if (!this.boundary || !isFunctionNode(this.boundary)) return false;
    const fn = this.boundary;
    let readsOther = false;
    const visit = (node: ts.Node): void => {
      if (readsOther) return;
      if (ts.isPropertyAccessExpression(node)) {
        visit(node.expression);
        return;
      }
      if (ts.isIdentifier(node)) {
        const declaration = this.sem.resolve(node);
        const isRequestParameter = declaration?.kind === 'parameter' && declaration.fn === fn;
        if (!isRequestParameter) readsOther = true;
        return;
      }
      ts.forEachChild(node, visit);
    };
    visit(condition);
    return !readsOther;
  }

  /** True when `condition` evaluating to `branch` proves there is no origin: `!origin` true, `origin` false. */
  private isAbsentWhen(condition: ts.Expression, branch: boolean): boolean {
    const expression = skipOuterExpressions(condition);
    if (ts.isPrefixUnaryExpression(expression) && expression.operator === ts.SyntaxKind.ExclamationToken) {
      return this.isAbsentWhen(expression.operand, !branch);
    }
    if (ts.isBinaryExpression(expression)) {
      const operator = expression.operatorToken.kind;
      if (operator === ts.SyntaxKind.AmpersandAmpersandToken && branch) {
        return this.isAbsentWhen(expression.left, true) || this.isAbsentWhen(expression.right, true);
      }
      if (operator === ts.SyntaxKind.BarBarToken && !branch) {
        return this.isAbsentWhen(expression.left, false) || this.isAbsentWhen(expression.right, false);
      }
      const compared = this.getNullishComparison(expression);
      if (compared === 'equal') return branch;
      if (compared === 'notEqual') return !branch;
      return false;
    }
    return !branch && this.isOrigin(expression);
  }

  /** `origin == null`, `origin === undefined`, `origin === ''` and their negations. */
  private getNullishComparison(binary: ts.BinaryExpression): 'equal' | 'notEqual' | undefined {
    const operator = binary.operatorToken.kind;
    const equal = operator === ts.SyntaxKind.EqualsEqualsToken || operator === ts.SyntaxKind.EqualsEqualsEqualsToken;
    const notEqual = operator === ts.SyntaxKind.ExclamationEqualsToken || operator === ts.SyntaxKind.ExclamationEqualsEqualsToken;
    if (!equal && !notEqual) return undefined;
    const left = skipOuterExpressions(binary.left);
    const right = skipOuterExpressions(binary.right);
    const isOriginSide = (side: ts.Expression): boolean =>
      this.isOrigin(side) || (ts.isTypeOfExpression(side) && this.isOrigin(side.expression));
    const isEmptySide = (side: ts.Expression): boolean => isNullish(this.sem, side) || isTypeName(this.sem, side, 'undefined');
    if ((isOriginSide(left) && isEmptySide(right)) || (isOriginSide(right) && isEmptySide(left))) {
      return equal ? 'equal' : 'notEqual';
    }
    return undefined;
  }

  /** True when a condition only tests whether an origin is present: `origin`, `!origin`, `origin != null`. */
  private isPresenceTest(condition: ts.Expression): boolean {
    const expression = skipOuterExpressions(condition);
    if (ts.isPrefixUnaryExpression(expression) && expression.operator === ts.SyntaxKind.ExclamationToken) {
      return this.isPresenceTest(expression.operand);
    }
    if (ts.isBinaryExpression(expression)) {
      const operator = expression.operatorToken.kind;
      if (operator === ts.SyntaxKind.AmpersandAmpersandToken || operator === ts.SyntaxKind.BarBarToken) {
        return this.isPresenceTest(expression.left) && this.isPresenceTest(expression.right);
      }
      if (this.getNullishComparison(expression)) return true;
      const left = skipOuterExpressions(expression.left);
      // `typeof origin === 'string'` does not tell which origin it is.
      return ts.isTypeOfExpression(left) && this.isOrigin(left.expression);
    }
    return this.isOrigin(expression);
  }

  /**
   * True when a condition checks the origin's value: passes it to a function
   * (`ALLOWED.includes(origin)`, `isAllowed(origin)`, `pattern.test(origin)`),
   * calls one of its methods (`origin.endsWith('.example.com')`), compares it
   * with a value, or tests a variable computed that way.
   */
  hasCheck(condition: ts.Node, depth: number): boolean {
    if (depth > 3) return false;
    let found = false;
    const visit = (node: ts.Node): void => {
      if (found) return;
      if (ts.isExpression(node) && this.isCheckedUse(node)) {
        found = true;
        return;
      }
      if (ts.isIdentifier(node) && depth < 3) {
        const declaration = this.sem.resolve(node);
        const initializer = declaration?.kind === 'variable' ? this.sem.getSingleValue(declaration) : undefined;
        if (initializer && !this.isOrigin(node) && this.hasCheck(initializer, depth + 1)) {
          found = true;
          return;
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(condition);
    return found;
  }

  /**
   * True when an origin value is an argument, a method receiver or a compared operand.
   * NOTE: a weak test such as `origin.includes('example.com')` counts as a check here; only origin functions of an `origin` option are judged for weak tests (weak-origin-checks.ts).
   */
  private isCheckedUse(expression: ts.Expression): boolean {
    const isValueNode =
      ts.isIdentifier(expression) ||
      ts.isPropertyAccessExpression(expression) ||
      ts.isElementAccessExpression(expression) ||
      ts.isCallExpression(expression);
    if (!isValueNode || !this.isOrigin(expression)) return false;
    let child: ts.Node = expression;
    let parent: ts.Node | undefined = expression.parent;
    while (parent) {
      if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) {
        if (parent.arguments?.includes(child as ts.Expression)) return true;
      }
      if (ts.isPropertyAccessExpression(parent) && parent.expression === child) {
        // `origin.endsWith(x)` checks it; `origin.length` and `origin.trim()` do not.
        const isMethodCall = ts.isCallExpression(parent.parent) && parent.parent.expression === parent;
        return isMethodCall && !STRING_METHODS.has(parent.name.text);
      }
      if (ts.isBinaryExpression(parent)) return this.isComparisonWithValue(parent, child);
      if (!ts.isParenthesizedExpression(parent) && !ts.isAsExpression(parent) && !ts.isNonNullExpression(parent)) return false;
      child = parent;
      parent = parent.parent;
    }
    return false;
  }

  private isComparisonWithValue(binary: ts.BinaryExpression, side: ts.Node): boolean {
    const operator = binary.operatorToken.kind;
    if (operator === ts.SyntaxKind.InKeyword) return side === binary.left;
    const isEquality =
      operator === ts.SyntaxKind.EqualsEqualsToken ||
      operator === ts.SyntaxKind.EqualsEqualsEqualsToken ||
      operator === ts.SyntaxKind.ExclamationEqualsToken ||
      operator === ts.SyntaxKind.ExclamationEqualsEqualsToken;
    if (!isEquality) return false;
    const other = skipOuterExpressions(side === binary.left ? binary.right : binary.left);
    return !isNullish(this.sem, other);
  }
}

/** True for `null`, `undefined` and `''`. */
function isNullish(sem: FileSemantics, expression: ts.Expression): boolean {
  const value = sem.evaluate(expression);
  return value.kind === 'null' || value.kind === 'undefined' || (value.kind === 'string' && value.value === '');
}

function isTypeName(sem: FileSemantics, expression: ts.Expression, name: string): boolean {
  const value = sem.evaluate(expression);
  return value.kind === 'string' && value.value === name;
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
