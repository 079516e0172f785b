import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { getMemberName, getPropertyValue, isFunctionNode, propertyNameText, skipOuterExpressions } from '../../analysis/syntax.js';
import { findClassField, type Value } from '../../analysis/values.js';
import { findUncheckedOrigin, isGuarded } from './cors-origin.js';
import { findWeakOriginCheck, getWeakPatternExample } from './weak-origin-checks.js';

/** The reach of an `origin` that lets every origin through, as messages name it. */
export const EVERY_ORIGIN = 'every origin';

const MAX_DEPTH = 10;

/** The source of an options expression once variables, spreads and member accesses are followed. */
export type ObjectRef =
  | { kind: 'object'; node: ts.ObjectLiteralExpression }
  | { kind: 'function'; node: ts.FunctionLikeDeclaration }
  | { kind: 'import'; specifier: string; path: string[] }
  | { kind: 'unknown' };

/** The property that sets an option at run time, or the reason it is not known. */
export type OptionLookup =
  | { kind: 'found'; property: ts.ObjectLiteralElementLike; value: ts.Node }
  | { kind: 'absent' }
  | { kind: 'unknown' };

/**
 * The verdict on an `origin` option. `description` names the value for
 * messages, and `reach` the origins it lets through.
 */
export type OriginClass =
  | { verdict: 'any'; description: string; reach: string }
  | { verdict: 'import'; specifier: string; path: string[] }
  | { verdict: 'restricted' };

/** Follows an options expression to the object literal, function or import it comes from. */
export function resolveObject(sem: FileSemantics, node: ts.Node, depth = 0): ObjectRef {
  if (depth > MAX_DEPTH) return { kind: 'unknown' };
  if (isFunctionNode(node)) return { kind: 'function', node };
  if (!ts.isExpression(node)) return { kind: 'unknown' };
  const expression = skipOuterExpressions(node);
  if (ts.isObjectLiteralExpression(expression)) return { kind: 'object', node: expression };
  if (isFunctionNode(expression)) return { kind: 'function', node: expression };

  if (ts.isIdentifier(expression)) {
    const declaration = sem.resolve(expression);
    if (!declaration) return { kind: 'unknown' };
    if (declaration.kind === 'import') {
      return { kind: 'import', specifier: declaration.specifier, path: declaration.imported === '*' ? [] : [declaration.imported] };
    }
    if (declaration.kind === 'function') return { kind: 'function', node: declaration.node };
    if (declaration.kind !== 'variable') return { kind: 'unknown' };
    const initializer = sem.getSingleValue(declaration);
    if (!initializer) return { kind: 'unknown' };
    let ref = resolveObject(sem, initializer, depth + 1);
    for (const step of declaration.pattern) {
      if (!('property' in step)) return { kind: 'unknown' };
      ref = memberOfRef(sem, ref, step.property, depth);
    }
    return ref;
  }

  if (ts.isPropertyAccessExpression(expression) || ts.isElementAccessExpression(expression)) {
    const name = getMemberName(expression);
    if (name === undefined) return { kind: 'unknown' };
    // `cors(this.corsOptions)`, with the options in a class field that keeps its value.
    const field = findClassField(sem, skipOuterExpressions(expression.expression), name);
    if (field) return resolveObject(sem, field, depth + 1);
    return memberOfRef(sem, resolveObject(sem, expression.expression, depth + 1), name, depth);
  }

  if (ts.isCallExpression(expression)) {
    const callee = skipOuterExpressions(expression.expression);
    const [argument] = expression.arguments;
    if (ts.isIdentifier(callee) && callee.text === 'require' && !sem.resolve(callee) && argument && ts.isStringLiteralLike(argument)) {
      return { kind: 'import', specifier: argument.text, path: [] };
    }
    // `Object.freeze({ ... })` is the object itself.
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'freeze' && argument) {
      return resolveObject(sem, argument, depth + 1);
    }
    // `buildCorsOptions()`, a function of this file with one return value.
    const local = sem.getLocalFunction(sem.originOf(callee));
    const returned = local ? getSingleReturn(local) : undefined;
    if (returned) return resolveObject(sem, returned, depth + 1);
  }
  return { kind: 'unknown' };
}

function getSingleReturn(fn: ts.FunctionLikeDeclaration): ts.Expression | undefined {
  if (!fn.body) return undefined;
  if (!ts.isBlock(fn.body)) return fn.body;
  const returns: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionNode(node)) return;
    if (ts.isReturnStatement(node) && node.expression) returns.push(node.expression);
    ts.forEachChild(node, visit);
  };
  fn.body.statements.forEach(visit);
  return returns.length === 1 ? returns[0] : undefined;
}

function memberOfRef(sem: FileSemantics, ref: ObjectRef, name: string, depth: number): ObjectRef {
  if (ref.kind === 'import') return { ...ref, path: [...ref.path, name] };
  if (ref.kind !== 'object') return { kind: 'unknown' };
  const lookup = findOption(sem, ref.node, name, depth + 1);
  return lookup.kind === 'found' ? resolveObject(sem, lookup.value, depth + 1) : { kind: 'unknown' };
}

/** Finds the property `name` of an object literal that applies at run time: the last one wins, spreads included. */
export function findOption(sem: FileSemantics, object: ts.ObjectLiteralExpression, name: string, depth = 0): OptionLookup {
  if (depth > MAX_DEPTH) return { kind: 'unknown' };
  const properties = [...object.properties].reverse();
  for (const property of properties) {
    if (ts.isSpreadAssignment(property)) {
      const spread = resolveObject(sem, property.expression, depth + 1);
      if (spread.kind !== 'object') return { kind: 'unknown' };
      const inner = findOption(sem, spread.node, name, depth + 1);
      if (inner.kind !== 'absent') return inner;
      continue;
    }
    if (!property.name) continue;
    const key = propertyNameText(property.name);
    if (key === undefined) return { kind: 'unknown' };
    if (key !== name) continue;
    const value = ts.isMethodDeclaration(property) ? property : getPropertyValue(property);
    return value ? { kind: 'found', property, value } : { kind: 'unknown' };
  }
  return { kind: 'absent' };
}

/** True when the object's `credentials` option is `true`. */
export function hasCredentialsOption(sem: FileSemantics, object: ts.ObjectLiteralExpression): boolean {
  const lookup = findOption(sem, object, 'credentials');
  if (lookup.kind !== 'found' || !ts.isExpression(lookup.value)) return false;
  const value = sem.evaluate(lookup.value);
  return value.kind === 'boolean' && value.value;
}

export interface ClassifyOptions {
  /** `'*'` in a list allows every origin, as in hapi; the `cors` package compares list entries as they are. */
  wildcardInList?: boolean;
}

/**
 * Classifies the value of an `origin` option. `'*'` lets every origin
 * through, and so does `true`, which echoes the request's origin in the
 * `cors` package and `@fastify/cors`. So do a pattern that matches any text,
 * a function that accepts whatever origin it receives, and any of these as
 * the fallback of `||` or `??`. Lists, other patterns, fixed origins,
 * environment variables and functions that check the origin restrict it.
 */
export function classifyOrigin(sem: FileSemantics, node: ts.Node, options: ClassifyOptions = {}, depth = 0): OriginClass {
  if (depth > MAX_DEPTH) return { verdict: 'restricted' };
  if (isFunctionNode(node)) return classifyOriginFunction(sem, node);
  if (!ts.isExpression(node)) return restricted();
  const expression = skipOuterExpressions(node);
  if (isFunctionNode(expression)) return classifyOrigin(sem, expression, options, depth + 1);

  if (ts.isIdentifier(expression)) {
    const declaration = sem.resolve(expression);
    if (declaration?.kind === 'import') {
      return { verdict: 'import', specifier: declaration.specifier, path: declaration.imported === '*' ? [] : [declaration.imported] };
    }
    if (declaration?.kind === 'function') return classifyOrigin(sem, declaration.node, options, depth + 1);
    if (declaration?.kind === 'variable' && declaration.pattern.length === 0) {
      const initializer = sem.getSingleValue(declaration);
      if (initializer) return classifyOrigin(sem, initializer, options, depth + 1);
    }
    // `const { CORS_ORIGIN = '*' } = process.env` falls back to its default as `??` does.
    const binding = declaration?.kind === 'variable' ? declaration.name.parent : undefined;
    if (binding && ts.isBindingElement(binding) && binding.initializer && sem.evaluate(expression).kind === 'choice') {
      const fallback = classifyOrigin(sem, binding.initializer, options, depth + 1);
      if (fallback.verdict === 'any') return anyOrigin(`an origin that falls back to ${describeFallback(sem, binding.initializer)}`);
    }
  }

  if (ts.isBinaryExpression(expression)) {
    const operator = expression.operatorToken.kind;
    if (operator === ts.SyntaxKind.BarBarToken || operator === ts.SyntaxKind.QuestionQuestionToken) {
      const fallback = classifyOrigin(sem, expression.right, options, depth + 1);
      if (fallback.verdict !== 'any') return classifyOriginValue(sem.evaluate(expression), options);
      const primary = classifyOrigin(sem, expression.left, options, depth + 1);
      if (primary.verdict === 'any') return primary;
      return anyOrigin(`an origin that falls back to ${describeFallback(sem, expression.right)}`);
    }
  }

  const value = sem.evaluate(expression);
  if (value.kind === 'import') return { verdict: 'import', specifier: value.specifier, path: value.path };
  return classifyOriginValue(value, options);
}

/** Classifies a constant `origin` value. */
export function classifyOriginValue(value: Value, options: ClassifyOptions = {}): OriginClass {
  switch (value.kind) {
    case 'boolean':
      return value.value ? anyOrigin('origin: true') : restricted();
    case 'string':
      return value.value.trim() === '*' ? anyOrigin("origin '*'") : restricted();
    case 'regexp':
      return classifyPattern(value.source);
    case 'array': {
      if (options.wildcardInList && value.items.some((item) => item.kind === 'string' && item.value.trim() === '*')) {
        return anyOrigin("origin ['*']");
      }
      // The `cors` package lets an origin through when any entry matches, and `true` matches all.
      for (const item of value.items) {
        const verdict = item.kind === 'regexp' || (item.kind === 'boolean' && item.value) ? classifyOriginValue(item, options) : restricted();
        if (verdict.verdict === 'any') return verdict;
      }
      return restricted();
    }
    case 'choice': {
      // NOTE: `isProduction ? allowedOrigins : '*'` passes, on the view that the wildcard is for development.
      const verdicts = value.options.map((option) => classifyOriginValue(option, options));
      const first = verdicts[0];
      return first?.verdict === 'any' && verdicts.every((verdict) => verdict.verdict === 'any') ? first : restricted();
    }
    default:
      return restricted();
  }
}

function describeFallback(sem: FileSemantics, expression: ts.Expression): string {
  const value = sem.evaluate(expression);
  if (value.kind === 'string') return `'${value.value}'`;
  if (value.kind === 'boolean') return String(value.value);
  return 'every origin';
}

/** True for a pattern that any origin matches, such as `/.*\/` or `/^.+$/`. */
function isMatchAll(source: string): boolean {
  const body = source.replace(/^\^/, '').replace(/\$$/, '');
  return ['', '.*', '.+', '.*?', '(.*)', '(.+)', '.', '[\\s\\S]*', '[\\s\\S]+', '\\S*', '\\S+'].includes(body);
}

function anyOrigin(description: string, reach = EVERY_ORIGIN): OriginClass {
  return { verdict: 'any', description, reach };
}

/** `/.*\/` lets every origin through, and `/mediportal\.com$/` lets https://evilmediportal.com through. */
function classifyPattern(source: string): OriginClass {
  if (isMatchAll(source)) return anyOrigin(`origin /${source}/`);
  const example = getWeakPatternExample(source);
  return example ? anyOrigin(`origin /${source}/`, otherSites(example)) : restricted();
}

function classifyOriginFunction(sem: FileSemantics, fn: ts.FunctionLikeDeclaration): OriginClass {
  if (acceptsEveryOrigin(sem, fn)) return anyOrigin('an origin function that never checks the origin');
  const first = fn.parameters[0];
  const weak = first && ts.isIdentifier(first.name) ? findWeakOriginCheck(sem, fn, new Set([first])) : undefined;
  return weak ? anyOrigin(`an origin function that tests ${weak.check}`, otherSites(weak.example)) : restricted();
}

function otherSites(example: string): string {
  return `${example} and other sites it was not meant to allow`;
}

function restricted(): OriginClass {
  return { verdict: 'restricted' };
}

/**
 * True when an origin function accepts every origin. It gets the origin
 * first and, in the `cors` package and `@fastify/cors`, a callback second
 * (`(origin, callback) => callback(null, true)`); Hono and Koa functions, and
 * async ones, return the value instead. The function accepts every origin
 * when it passes on `true`, `'*'` or the origin itself outside any condition
 * other than a test that an origin is present.
 */
export function acceptsEveryOrigin(sem: FileSemantics, fn: ts.FunctionLikeDeclaration): boolean {
  const [first, second] = fn.parameters;
  const parameters = new Set(first && ts.isIdentifier(first.name) ? [first] : []);
  const passed: Array<{ value: ts.Expression; site: ts.Node }> = [];

  const body = fn.body;
  if (!body) return false;
  if (!ts.isBlock(body)) passed.push({ value: body, site: body });
  let rejects = false;
  const visit = (node: ts.Node): void => {
    if (ts.isReturnStatement(node) && node.expression && getOwnFunction(node) === fn) {
      // `return callback(null, true)` passes its value through the callback, read below.
      const returned = skipOuterExpressions(node.expression);
      const callsBack = second !== undefined && ts.isCallExpression(returned) && isCallOf(sem, returned, second);
      if (!callsBack) passed.push({ value: node.expression, site: node });
    }
    if (ts.isCallExpression(node) && second && isCallOf(sem, node, second)) {
      if (node.arguments[1]) passed.push({ value: node.arguments[1], site: node });
      else rejects = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(body);

  const accepting = passed.filter(({ value }) => isAcceptAllValue(sem, value, parameters));
  // A function that lets every origin through on every path, checks or not, accepts every origin.
  if (accepting.length > 0 && accepting.length === passed.length && !rejects && !containsThrow(body)) return true;
  return accepting.some(({ site }) => !isGuarded(sem, site, parameters, 'lenient', fn));
}

function containsThrow(body: ts.Node): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || (node !== body && isFunctionNode(node))) return;
    if (ts.isThrowStatement(node)) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(body);
  return found;
}

function isAcceptAllValue(sem: FileSemantics, value: ts.Expression, parameters: ReadonlySet<ts.ParameterDeclaration>): boolean {
  const evaluated = sem.evaluate(value);
  const verdict = classifyOriginValue(evaluated);
  if (verdict.verdict === 'any' && (evaluated.kind === 'boolean' || evaluated.kind === 'string')) return true;
  return findUncheckedOrigin(sem, value, parameters) !== undefined;
}

function isCallOf(sem: FileSemantics, call: ts.CallExpression, parameter: ts.ParameterDeclaration): boolean {
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isIdentifier(callee)) return false;
  const declaration = sem.resolve(callee);
  return declaration?.kind === 'parameter' && declaration.node === parameter;
}

function getOwnFunction(node: ts.Node): ts.Node | undefined {
  let current = node.parent;
  while (current && !isFunctionNode(current)) current = current.parent;
  return current;
}
