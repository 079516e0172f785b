import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { getPropertyValue, propertyNameText, skipOuterExpressions } from '../../analysis/syntax.js';
import { findClassField, memberOf, type Value } from '../../analysis/values.js';

/**
 * The state of one option in an options object:
 * - `set`: a member sets it, with the member and its value;
 * - `missing`: the object is fully known and does not set it;
 * - `unknown`: the object is not known, or a spread of unknown data may set it.
 */
export type OptionLookup =
  | { kind: 'set'; node: ts.Node; expression: ts.Expression | undefined; value: Value }
  | { kind: 'missing' }
  | { kind: 'unknown' };

const MAX_DEPTH = 6;

/**
 * Returns the object literal an expression denotes: the literal itself, the
 * initializer of a variable that is never reassigned, or that of a class
 * field the class never assigns again.
 */
export function getObjectLiteral(sem: FileSemantics, expression: ts.Expression, depth = 0): ts.ObjectLiteralExpression | undefined {
  const node = skipOuterExpressions(expression);
  if (ts.isObjectLiteralExpression(node)) return node;
  // `cors(this.corsOptions)` with the options in a class field.
  if (ts.isPropertyAccessExpression(node) && depth <= MAX_DEPTH) {
    const field = findClassField(sem, skipOuterExpressions(node.expression), node.name.text);
    return field ? getObjectLiteral(sem, field, depth + 1) : undefined;
  }
  if (!ts.isIdentifier(node) || depth > MAX_DEPTH) return undefined;
  const declaration = sem.resolve(node);
  if (declaration?.kind !== 'variable' || declaration.pattern.length > 0) return undefined;
  const initializer = sem.getSingleValue(declaration);
  return initializer ? getObjectLiteral(sem, initializer, depth + 1) : undefined;
}

/**
 * Finds the member that sets `name` in an options object. The last member
 * wins, as at run time, and spreads of objects of this file are searched.
 */
export function findOptionMember(
  sem: FileSemantics,
  expression: ts.Expression,
  name: string,
  depth = 0,
): ts.ObjectLiteralElementLike | undefined {
  const object = getObjectLiteral(sem, expression);
  if (!object || depth > MAX_DEPTH) return undefined;
  for (let index = object.properties.length - 1; index >= 0; index--) {
    const property = object.properties[index]!;
    if (ts.isSpreadAssignment(property)) {
      const spread = sem.evaluate(property.expression);
      if (spread.kind === 'object' && !(name in spread.properties)) continue;
      const found = findOptionMember(sem, property.expression, name, depth + 1);
      if (found) return found;
      continue;
    }
    if (property.name && propertyNameText(property.name) === name) return property;
  }
  return undefined;
}

/** Looks up an option, or a nested option such as `['ssl', 'rejectUnauthorized']`. */
export function lookupOption(sem: FileSemantics, expression: ts.Expression, path: readonly string[]): OptionLookup {
  let value = sem.evaluate(expression);
  let holder: ts.Expression | undefined = expression;
  let member: ts.ObjectLiteralElementLike | undefined;
  for (const name of path) {
    if (value.kind !== 'object') return { kind: 'unknown' };
    if (!(name in value.properties)) return value.open ? { kind: 'unknown' } : { kind: 'missing' };
    value = memberOf(value, name);
    member = holder ? findOptionMember(sem, holder, name) : undefined;
    holder = member ? getPropertyValue(member) : undefined;
  }
  const node = member ?? expression;
  return { kind: 'set', node, expression: holder, value };
}

/** Returns the value of an option when it is known and set, or undefined. */
export function getOptionValue(sem: FileSemantics, expression: ts.Expression, path: readonly string[]): Value | undefined {
  const lookup = lookupOption(sem, expression, path);
  return lookup.kind === 'set' ? lookup.value : undefined;
}

/** True when a value is the constant `false`, or a choice whose every option is `false`. */
export function isFalse(value: Value | undefined): boolean {
  if (!value) return false;
  if (value.kind === 'boolean') return !value.value;
  if (value.kind === 'choice') return value.options.length > 0 && value.options.every(isFalse);
  return false;
}

/** True when a value is the constant `true`, or a choice whose every option is `true`. */
export function isTrue(value: Value | undefined): boolean {
  if (!value) return false;
  if (value.kind === 'boolean') return value.value;
  if (value.kind === 'choice') return value.options.length > 0 && value.options.every(isTrue);
  return false;
}

/** Returns the constant string of a value, or every string of a choice of constants. */
export function getStrings(value: Value | undefined): string[] {
  if (!value) return [];
  if (value.kind === 'string') return [value.value];
  if (value.kind === 'choice') return value.options.flatMap(getStrings);
  return [];
}

/** Returns the constant string of a value, or undefined. */
export function getString(value: Value | undefined): string | undefined {
  return value?.kind === 'string' ? value.value : undefined;
}
