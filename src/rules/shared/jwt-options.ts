import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import type { Declaration } from '../../analysis/scope.js';
import { getPropertyValue, propertyNameText, skipOuterExpressions } from '../../analysis/syntax.js';
import type { Value } from '../../analysis/values.js';
import type { DeferredCheck, ImportRef } from '../../engine/facts.js';

/**
 * The result of looking up a property path such as
 * `['signOptions', 'expiresIn']` in an options object:
 * - `set`: the property is present; `node` is the member that sets it, for reports;
 * - `absent`: the object is known and lacks it, or sets it to `undefined`;
 * - `imported`: it depends on a binding of another project module, which the project step reads;
 * - `unknown`: the object cannot be read, such as a function parameter.
 */
export type OptionLookup =
  | { kind: 'set'; value: Value; node: ts.Node; expression?: ts.Expression }
  | { kind: 'absent' }
  | { kind: 'imported'; ref: ImportRef }
  | { kind: 'unknown' };

const ABSENT: OptionLookup = { kind: 'absent' };
const UNKNOWN: OptionLookup = { kind: 'unknown' };
const MAX_DEPTH = 12;

/**
 * Looks a property up in an options expression: object literals with
 * spreads, `const` variables, `Object.freeze` and `Object.assign`, imported
 * objects and anything else the semantic layer evaluates.
 */
export function lookupOption(sem: FileSemantics, expression: ts.Expression | undefined, path: readonly string[]): OptionLookup {
  return lookup(sem, expression, path, 0);
}

/** Builds the deferred check that an imported option is set; a module outside the scan counts as setting it. */
export function definedCheck(ref: ImportRef): DeferredCheck {
  return { kind: 'defined', ref, assume: true };
}

function lookup(sem: FileSemantics, expression: ts.Expression | undefined, path: readonly string[], depth: number): OptionLookup {
  if (!expression) return ABSENT;
  if (depth > MAX_DEPTH || path.length === 0) return UNKNOWN;
  const node = skipOuterExpressions(expression);

  if (ts.isObjectLiteralExpression(node)) return lookupInObject(sem, node, path, depth);
  if (ts.isIdentifier(node)) {
    if (node.text === 'undefined') return ABSENT;
    const declaration = sem.resolve(node);
    if (declaration?.kind === 'variable' && declaration.pattern.length === 0) {
      const initializer = sem.getSingleValue(declaration);
      if (!initializer) return UNKNOWN;
      const writes = getWritesAfterDeclaration(sem, declaration);
      if (writes.some((write) => write.kind === 'opaque')) return UNKNOWN;
      const own = writes.filter((write): write is MemberWrite => write.kind === 'member' && write.name === path[0]);
      if (own.length === 0) return lookup(sem, initializer, path, depth + 1);
      return lookupInWrite(sem, own, declaration, path, depth);
    }
  }
  if (ts.isCallExpression(node)) {
    const objectCall = getObjectMethodCall(node);
    if (objectCall === 'freeze') return lookup(sem, node.arguments[0], path, depth + 1);
    if (objectCall === 'assign') return lookupInSources(sem, [...node.arguments], path, depth);
  }
  if (ts.isConditionalExpression(node)) {
    return combineBranches(lookup(sem, node.whenTrue, path, depth + 1), lookup(sem, node.whenFalse, path, depth + 1));
  }
  const required = getRequiredValue(sem, node, 0);
  if (required) return lookupInValue(required, path, node);
  return lookupInValue(sem.evaluate(node), path, node);
}

/**
 * Converts a CommonJS `require('./config')` of a project module, or a member
 * of it, to an import value. `module.exports = {...}` is the module's default export in
 * its summary, and each of its members is also exported by name, so the whole
 * module maps to `default` and a member to its own name.
 */
function getRequiredValue(sem: FileSemantics, expression: ts.Expression, depth: number): Value | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = skipOuterExpressions(expression);
  if (ts.isCallExpression(node)) {
    const callee = skipOuterExpressions(node.expression);
    const argument = node.arguments[0];
    if (!ts.isIdentifier(callee) || callee.text !== 'require' || sem.resolve(callee)) return undefined;
    if (!argument || !ts.isStringLiteralLike(argument) || !sem.isProjectSpecifier(argument.text)) return undefined;
    return { kind: 'import', specifier: argument.text, path: ['default'] };
  }
  if (ts.isPropertyAccessExpression(node)) {
    const base = getRequiredValue(sem, node.expression, depth + 1);
    return base?.kind === 'import' ? memberOfRequired(base, node.name.text) : undefined;
  }
  if (!ts.isIdentifier(node)) return undefined;
  const declaration = sem.resolve(node);
  if (declaration?.kind !== 'variable') return undefined;
  const initializer = sem.getSingleValue(declaration);
  let value = initializer ? getRequiredValue(sem, initializer, depth + 1) : undefined;
  for (const step of declaration.pattern) {
    if (value?.kind !== 'import' || !('property' in step)) return undefined;
    value = memberOfRequired(value, step.property);
  }
  return value;
}

function memberOfRequired(base: Extract<Value, { kind: 'import' }>, name: string): Value {
  const path = base.path.length === 1 && base.path[0] === 'default' ? [name] : [...base.path, name];
  return { kind: 'import', specifier: base.specifier, path };
}

function lookupInObject(
  sem: FileSemantics,
  object: ts.ObjectLiteralExpression,
  path: readonly string[],
  depth: number,
): OptionLookup {
  const [name, ...rest] = path;
  let pending: OptionLookup | undefined;
  // The last member that sets a name wins, as at run time.
  for (let index = object.properties.length - 1; index >= 0; index--) {
    const property = object.properties[index]!;
    if (ts.isSpreadAssignment(property)) {
      const spread = lookup(sem, property.expression, path, depth + 1);
      if (spread.kind === 'set') return spread;
      if (spread.kind !== 'absent') pending ??= spread;
      continue;
    }
    const key = property.name ? propertyNameText(property.name) : undefined;
    if (key === undefined) {
      pending ??= UNKNOWN;
      continue;
    }
    if (key !== name) continue;
    const value = getPropertyValue(property);
    if (!value) return rest.length === 0 ? { kind: 'set', value: { kind: 'unknown' }, node: property } : UNKNOWN;
    if (rest.length > 0) {
      const nested = lookup(sem, value, rest, depth + 1);
      return nested.kind === 'absent' && pending ? pending : nested;
    }
    const evaluated = sem.evaluate(value);
    if (evaluated.kind === 'undefined') return pending ?? ABSENT;
    return { kind: 'set', value: evaluated, node: property, expression: value };
  }
  return pending ?? ABSENT;
}

/** `Object.assign(target, a, b)`: the last source that sets the name wins. */
function lookupInSources(sem: FileSemantics, sources: ts.Expression[], path: readonly string[], depth: number): OptionLookup {
  let pending: OptionLookup | undefined;
  for (let index = sources.length - 1; index >= 0; index--) {
    const found = lookup(sem, sources[index], path, depth + 1);
    if (found.kind === 'set') return found;
    if (found.kind !== 'absent') pending ??= found;
  }
  return pending ?? ABSENT;
}

function lookupInValue(value: Value, path: readonly string[], node: ts.Node): OptionLookup {
  let current = value;
  for (let index = 0; index < path.length; index++) {
    if (current.kind === 'import') {
      return { kind: 'imported', ref: { specifier: current.specifier, path: [...current.path, ...path.slice(index)] } };
    }
    if (current.kind === 'undefined' || current.kind === 'null') return ABSENT;
    if (current.kind !== 'object') return UNKNOWN;
    const step = path[index]!;
    if (!(step in current.properties)) return current.open ? UNKNOWN : ABSENT;
    current = current.properties[step]!;
  }
  if (current.kind === 'undefined') return ABSENT;
  return { kind: 'set', value: current, node };
}

/** Combines the branches of `cond ? a : b`, which must agree, or the result is unknown. */
function combineBranches(whenTrue: OptionLookup, whenFalse: OptionLookup): OptionLookup {
  if (whenTrue.kind === 'set' && whenFalse.kind === 'set') return whenTrue;
  if (whenTrue.kind === 'absent' && whenFalse.kind === 'absent') return ABSENT;
  return UNKNOWN;
}

function getObjectMethodCall(call: ts.CallExpression): string | undefined {
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  if (!ts.isIdentifier(callee.expression) || callee.expression.text !== 'Object') return undefined;
  return callee.name.text;
}

/**
 * True when code changes the object after its declaration:
 * `options.expiresIn = '1h'`, `options['expiresIn'] = ...` or
 * `Object.assign(options, ...)`. The lookup then gives up rather than guess.
 */
/**
 * A later write to an options variable. `options.algorithms = [...]` sets one
 * member, and is `deep` when it sets a member inside it, as `options.ssl.ca = ...`.
 * `Object.assign(options, ...)` and computed keys may set any member.
 */
type Write = MemberWrite | { kind: 'opaque' };

interface MemberWrite {
  kind: 'member';
  name: string;
  assignment: ts.BinaryExpression;
  deep: boolean;
}

/**
 * Returns the value a later write gives the option. The last write counts when
 * it is a statement of the declaration's block, because it then runs whenever
 * the variable exists. A write inside a branch or a function leaves the option unknown.
 */
function lookupInWrite(
  sem: FileSemantics,
  writes: MemberWrite[],
  declaration: Extract<Declaration, { kind: 'variable' }>,
  path: readonly string[],
  depth: number,
): OptionLookup {
  const last = writes[writes.length - 1]!;
  const statement = last.assignment.parent;
  const declarationStatement = declaration.node.parent.parent;
  if (writes.some((write) => write.deep) || !ts.isExpressionStatement(statement) || statement.parent !== declarationStatement.parent) return UNKNOWN;
  const value = last.assignment.right;
  if (path.length > 1) return lookup(sem, value, path.slice(1), depth + 1);
  const evaluated = sem.evaluate(value);
  return evaluated.kind === 'undefined' ? ABSENT : { kind: 'set', value: evaluated, node: last.assignment, expression: value };
}

function getWritesAfterDeclaration(sem: FileSemantics, declaration: Extract<Declaration, { kind: 'variable' }>): Write[] {
  let writes = writesCache.get(declaration.node);
  if (!writes) {
    writes = findWritesAfterDeclaration(sem, declaration);
    writesCache.set(declaration.node, writes);
  }
  return writes;
}

const writesCache = new WeakMap<ts.Node, Write[]>();

function findWritesAfterDeclaration(sem: FileSemantics, declaration: Extract<Declaration, { kind: 'variable' }>): Write[] {
  const name = declaration.name.text;
  const writes: Write[] = [];
  const refersToDeclaration = (node: ts.Node): boolean => {
    const expression = ts.isExpression(node) ? skipOuterExpressions(node) : node;
    return ts.isIdentifier(expression) && expression.text === name && sem.resolve(expression) === declaration;
  };
  const visit = (node: ts.Node): void => {
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      (ts.isPropertyAccessExpression(node.left) || ts.isElementAccessExpression(node.left)) &&
      refersToDeclaration(getAccessRoot(node.left))
    ) {
      writes.push(describeWrite(node, node.left));
    } else if (ts.isCallExpression(node) && getObjectMethodCall(node) === 'assign' && node.arguments[0] && refersToDeclaration(node.arguments[0])) {
      writes.push({ kind: 'opaque' });
    }
    ts.forEachChild(node, visit);
  };
  visit(sem.sourceFile);
  return writes;
}

function describeWrite(assignment: ts.BinaryExpression, target: ts.PropertyAccessExpression | ts.ElementAccessExpression): Write {
  let first: ts.Expression = target;
  let deep = false;
  for (let inner = skipOuterExpressions(target.expression); ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner); inner = skipOuterExpressions(inner.expression)) {
    first = inner;
    deep = true;
  }
  const name = ts.isPropertyAccessExpression(first)
    ? first.name.text
    : ts.isElementAccessExpression(first) && ts.isStringLiteralLike(first.argumentExpression)
      ? first.argumentExpression.text
      : undefined;
  return name === undefined ? { kind: 'opaque' } : { kind: 'member', name, assignment, deep };
}

function getAccessRoot(node: ts.Expression): ts.Expression {
  let current = skipOuterExpressions(node);
  while (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current)) {
    current = skipOuterExpressions(current.expression);
  }
  return current;
}

/** Lists the strings a value can take: an array's items, a choice's options, or the string itself. */
export function getStrings(value: Value): string[] {
  switch (value.kind) {
    case 'string':
      return [value.value];
    case 'array':
      return value.items.flatMap(getStrings);
    case 'choice':
      return value.options.flatMap(getStrings);
    default:
      return [];
  }
}

/** True when a value is the constant `true`. */
export function isTrue(value: Value): boolean {
  return value.kind === 'boolean' && value.value;
}
