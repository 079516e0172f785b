import { ts } from '../typescript.js';
import type { FileSemantics } from './semantics.js';
import type { PatternStep } from './scope.js';
import { getMemberName, getPropertyValue, propertyNameText, skipOuterExpressions } from './syntax.js';

/**
 * What an expression is known to hold without running it. `import` values
 * stand for a binding from another module of the project, which the project
 * step resolves from that module's summary. Values are plain data, so module
 * summaries can carry them between workers and into the cache.
 */
export type Value =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'undefined' }
  | { kind: 'regexp'; source: string; flags: string }
  | { kind: 'array'; items: Value[] }
  | { kind: 'object'; properties: Record<string, Value>; open: boolean }
  | { kind: 'concat'; parts: Value[] }
  | { kind: 'choice'; options: Value[] }
  | { kind: 'env'; name: string }
  | { kind: 'import'; specifier: string; path: string[] }
  | { kind: 'unknown' };

export const UNKNOWN: Value = { kind: 'unknown' };

const MAX_DEPTH = 40;

/** Evaluates an expression to a value, following `const` bindings and imports. */
export function computeValue(sem: FileSemantics, node: ts.Expression, depth = 0): Value {
  if (depth > MAX_DEPTH) return UNKNOWN;
  const expression = skipOuterExpressions(node);

  switch (expression.kind) {
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      return { kind: 'string', value: (expression as ts.StringLiteralLike).text };
    case ts.SyntaxKind.NumericLiteral:
      return { kind: 'number', value: Number((expression as ts.NumericLiteral).text) };
    case ts.SyntaxKind.TrueKeyword:
      return { kind: 'boolean', value: true };
    case ts.SyntaxKind.FalseKeyword:
      return { kind: 'boolean', value: false };
    case ts.SyntaxKind.NullKeyword:
      return { kind: 'null' };
    case ts.SyntaxKind.RegularExpressionLiteral: {
      const text = (expression as ts.RegularExpressionLiteral).text;
      const end = text.lastIndexOf('/');
      return { kind: 'regexp', source: text.slice(1, end), flags: text.slice(end + 1) };
    }
    case ts.SyntaxKind.TemplateExpression:
      return evaluateTemplate(sem, expression as ts.TemplateExpression, depth);
    case ts.SyntaxKind.BinaryExpression:
      return evaluateBinary(sem, expression as ts.BinaryExpression, depth);
    case ts.SyntaxKind.ConditionalExpression: {
      const conditional = expression as ts.ConditionalExpression;
      return choice([
        sem.evaluate(conditional.whenTrue, depth + 1),
        sem.evaluate(conditional.whenFalse, depth + 1),
      ]);
    }
    case ts.SyntaxKind.ArrayLiteralExpression:
      return evaluateArray(sem, expression as ts.ArrayLiteralExpression, depth);
    case ts.SyntaxKind.ObjectLiteralExpression:
      return evaluateObject(sem, expression as ts.ObjectLiteralExpression, depth);
    case ts.SyntaxKind.Identifier:
      return evaluateIdentifier(sem, expression as ts.Identifier, depth);
    case ts.SyntaxKind.PropertyAccessExpression:
    case ts.SyntaxKind.ElementAccessExpression:
      return evaluateMember(sem, expression as ts.PropertyAccessExpression | ts.ElementAccessExpression, depth);
    case ts.SyntaxKind.CallExpression:
      return evaluateCall(sem, expression as ts.CallExpression, depth);
    case ts.SyntaxKind.PrefixUnaryExpression: {
      const prefix = expression as ts.PrefixUnaryExpression;
      const operand = sem.evaluate(prefix.operand, depth + 1);
      if (prefix.operator === ts.SyntaxKind.MinusToken && operand.kind === 'number') {
        return { kind: 'number', value: -operand.value };
      }
      // `rejectUnauthorized: !ALLOW_SELF_SIGNED` with `const ALLOW_SELF_SIGNED = true`.
      if (prefix.operator === ts.SyntaxKind.ExclamationToken && operand.kind === 'boolean') {
        return { kind: 'boolean', value: !operand.value };
      }
      return UNKNOWN;
    }
    default:
      return UNKNOWN;
  }
}

function evaluateTemplate(sem: FileSemantics, template: ts.TemplateExpression, depth: number): Value {
  const parts: Value[] = [{ kind: 'string', value: template.head.text }];
  for (const span of template.templateSpans) {
    parts.push(sem.evaluate(span.expression, depth + 1));
    parts.push({ kind: 'string', value: span.literal.text });
  }
  return concat(parts);
}

function evaluateBinary(sem: FileSemantics, binary: ts.BinaryExpression, depth: number): Value {
  const operator = binary.operatorToken.kind;
  if (operator === ts.SyntaxKind.PlusToken) {
    const left = sem.evaluate(binary.left, depth + 1);
    const right = sem.evaluate(binary.right, depth + 1);
    if (left.kind === 'number' && right.kind === 'number') return { kind: 'number', value: left.value + right.value };
    return concat([left, right]);
  }
  if (
    operator === ts.SyntaxKind.AsteriskToken ||
    operator === ts.SyntaxKind.MinusToken ||
    operator === ts.SyntaxKind.SlashToken
  ) {
    const left = sem.evaluate(binary.left, depth + 1);
    const right = sem.evaluate(binary.right, depth + 1);
    if (left.kind !== 'number' || right.kind !== 'number') return UNKNOWN;
    if (operator === ts.SyntaxKind.AsteriskToken) return { kind: 'number', value: left.value * right.value };
    if (operator === ts.SyntaxKind.MinusToken) return { kind: 'number', value: left.value - right.value };
    return { kind: 'number', value: left.value / right.value };
  }
  if (
    operator === ts.SyntaxKind.BarBarToken ||
    operator === ts.SyntaxKind.QuestionQuestionToken
  ) {
    const left = sem.evaluate(binary.left, depth + 1);
    if (isKnown(left) && left.kind !== 'null' && left.kind !== 'undefined') {
      if (operator === ts.SyntaxKind.QuestionQuestionToken || isTruthy(left)) return left;
    }
    return choice([left, sem.evaluate(binary.right, depth + 1)]);
  }
  return UNKNOWN;
}

function evaluateArray(sem: FileSemantics, array: ts.ArrayLiteralExpression, depth: number): Value {
  const items: Value[] = [];
  for (const element of array.elements) {
    if (ts.isSpreadElement(element)) {
      const spread = sem.evaluate(element.expression, depth + 1);
      if (spread.kind !== 'array') return UNKNOWN;
      items.push(...spread.items);
      continue;
    }
    items.push(sem.evaluate(element, depth + 1));
  }
  return { kind: 'array', items };
}

function evaluateObject(sem: FileSemantics, object: ts.ObjectLiteralExpression, depth: number): Value {
  const properties: Record<string, Value> = {};
  let open = false;
  for (const property of object.properties) {
    if (ts.isSpreadAssignment(property)) {
      const spread = sem.evaluate(property.expression, depth + 1);
      if (spread.kind === 'object') {
        Object.assign(properties, spread.properties);
        open ||= spread.open;
      } else {
        open = true;
      }
      continue;
    }
    const name = property.name && propertyNameText(property.name);
    if (name === undefined) {
      open = true;
      continue;
    }
    const value = getPropertyValue(property);
    properties[name] = value ? sem.evaluate(value, depth + 1) : UNKNOWN;
  }
  return { kind: 'object', properties, open };
}

function evaluateIdentifier(sem: FileSemantics, identifier: ts.Identifier, depth: number): Value {
  if (identifier.text === 'undefined') return { kind: 'undefined' };
  const declaration = sem.scope.resolve(identifier);
  if (!declaration) return UNKNOWN;
  switch (declaration.kind) {
    case 'import':
      return {
        kind: 'import',
        specifier: declaration.specifier,
        path: declaration.imported === '*' ? [] : [declaration.imported],
      };
    case 'variable': {
      const initializer = sem.getSingleValue(declaration);
      if (!initializer) return UNKNOWN;
      const step = declaration.pattern.length === 1 ? declaration.pattern[0] : undefined;
      const value: Value =
        step && 'property' in step && isProcessEnv(sem, initializer)
          ? { kind: 'env', name: step.property }
          : followPattern(sem.evaluate(initializer, depth + 1), declaration.pattern);
      // `const { CORS_ORIGIN = '*' } = process.env`: the variable, or the default when it is unset.
      const binding = declaration.name.parent;
      if (!ts.isBindingElement(binding) || !binding.initializer) return value;
      const fallback = sem.evaluate(binding.initializer, depth + 1);
      if (value.kind === 'undefined') return fallback;
      return value.kind === 'env' ? { kind: 'choice', options: [value, fallback] } : value;
    }
    case 'enum':
      return evaluateEnum(sem, declaration.node, depth);
    default:
      return UNKNOWN;
  }
}

function evaluateEnum(sem: FileSemantics, declaration: ts.EnumDeclaration, depth: number): Value {
  const properties: Record<string, Value> = {};
  let next = 0;
  for (const member of declaration.members) {
    const name = propertyNameText(member.name);
    if (name === undefined) continue;
    if (member.initializer) {
      const value = sem.evaluate(member.initializer, depth + 1);
      properties[name] = value;
      if (value.kind === 'number') next = value.value + 1;
    } else {
      properties[name] = { kind: 'number', value: next++ };
    }
  }
  return { kind: 'object', properties, open: false };
}

function evaluateMember(
  sem: FileSemantics,
  member: ts.PropertyAccessExpression | ts.ElementAccessExpression,
  depth: number,
): Value {
  const base = skipOuterExpressions(member.expression);
  if (isProcessEnv(sem, base)) {
    const name = getMemberName(member);
    return { kind: 'env', name: name ?? '?' };
  }

  if (ts.isPropertyAccessExpression(member)) {
    const field = findClassField(sem, base, member.name.text);
    if (field) return sem.evaluate(field, depth + 1);
  }

  const object = sem.evaluate(base, depth + 1);
  let name = getMemberName(member);
  if (name === undefined && ts.isElementAccessExpression(member)) {
    const key = sem.evaluate(member.argumentExpression, depth + 1);
    if (key.kind === 'string' || key.kind === 'number') {
      name = String(key.value);
    } else if (object.kind === 'object' && !object.open) {
      // A lookup table indexed by unknown data still yields one of its own values, or undefined.
      return choice([...Object.values(object.properties), { kind: 'undefined' }]);
    } else if (object.kind === 'array') {
      return choice([...object.items, { kind: 'undefined' }]);
    }
  }
  if (name === undefined) return UNKNOWN;
  return memberOf(object, name);
}

/**
 * Returns the initializer of a class field read as `this.rounds` in the
 * class's own methods or as `Hasher.ROUNDS` for a static field, when no code
 * of the class assigns the field again.
 */
export function findClassField(sem: FileSemantics, base: ts.Expression, name: string): ts.Expression | undefined {
  let owner: ts.ClassLikeDeclaration | undefined;
  let isStatic: boolean;
  if (base.kind === ts.SyntaxKind.ThisKeyword) {
    let current: ts.Node | undefined = base.parent;
    // An arrow function keeps the `this` of its method, while a function expression has its own.
    while (current && !ts.isClassLike(current) && !ts.isFunctionDeclaration(current) && !ts.isFunctionExpression(current)) current = current.parent;
    if (!current || !ts.isClassLike(current)) return undefined;
    owner = current;
    isStatic = false;
  } else if (ts.isIdentifier(base)) {
    const declaration = sem.resolve(base);
    if (declaration?.kind !== 'class') return undefined;
    owner = declaration.node;
    isStatic = true;
  } else {
    return undefined;
  }
  const field = owner.members.find(
    (member): member is ts.PropertyDeclaration =>
      ts.isPropertyDeclaration(member) &&
      ts.isIdentifier(member.name) &&
      member.name.text === name &&
      (member.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.StaticKeyword) ?? false) === isStatic,
  );
  if (!field?.initializer || isFieldAssigned(owner, name)) return undefined;
  return field.initializer;
}

/** True when code in the class assigns `this.name` or `Class.name`, so the initializer may not be the value read. */
function isFieldAssigned(owner: ts.ClassLikeDeclaration, name: string): boolean {
  let assigned = false;
  const visit = (node: ts.Node): void => {
    if (assigned) return;
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      node.operatorToken.kind <= ts.SyntaxKind.LastAssignment &&
      ts.isPropertyAccessExpression(skipOuterExpressions(node.left)) &&
      (skipOuterExpressions(node.left) as ts.PropertyAccessExpression).name.text === name
    ) {
      assigned = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  for (const member of owner.members) if (!ts.isPropertyDeclaration(member)) visit(member);
  return assigned;
}

/** The value of `object.name`. */
export function memberOf(object: Value, name: string): Value {
  switch (object.kind) {
    case 'object':
      if (name in object.properties) return object.properties[name]!;
      return object.open ? UNKNOWN : { kind: 'undefined' };
    case 'array':
      if (name === 'length') return { kind: 'number', value: object.items.length };
      if (/^\d+$/.test(name)) return object.items[Number(name)] ?? { kind: 'undefined' };
      return UNKNOWN;
    case 'string':
      if (name === 'length') return { kind: 'number', value: object.value.length };
      return UNKNOWN;
    case 'import':
      return { kind: 'import', specifier: object.specifier, path: [...object.path, name] };
    default:
      return UNKNOWN;
  }
}

const STRING_METHODS = new Map<string, (text: string) => string>([
  ['toUpperCase', (text) => text.toUpperCase()],
  ['toLowerCase', (text) => text.toLowerCase()],
  ['trim', (text) => text.trim()],
  ['trimStart', (text) => text.trimStart()],
  ['trimEnd', (text) => text.trimEnd()],
  ['toString', (text) => text],
]);

function evaluateCall(sem: FileSemantics, call: ts.CallExpression, depth: number): Value {
  const callee = skipOuterExpressions(call.expression);
  if (ts.isIdentifier(callee) && callee.text === 'String' && call.arguments.length === 1) {
    const argument = sem.evaluate(call.arguments[0]!, depth + 1);
    return isConstant(argument) ? argument : UNKNOWN;
  }
  if (!ts.isPropertyAccessExpression(callee)) return UNKNOWN;
  const method = callee.name.text;
  const receiver = sem.evaluate(callee.expression, depth + 1);

  if (method === 'join' && receiver.kind === 'array') {
    const separator: Value = call.arguments[0] ? sem.evaluate(call.arguments[0], depth + 1) : { kind: 'string', value: ',' };
    if (separator.kind !== 'string') return UNKNOWN;
    const parts: Value[] = [];
    receiver.items.forEach((item, index) => {
      if (index > 0) parts.push(separator);
      parts.push(item);
    });
    return concat(parts);
  }
  const stringMethod = STRING_METHODS.get(method);
  if (receiver.kind === 'string' && call.arguments.length === 0 && stringMethod) {
    return { kind: 'string', value: stringMethod(receiver.value) };
  }
  if (method === 'concat' && receiver.kind === 'array') {
    const items = [...receiver.items];
    for (const argument of call.arguments) {
      const value = sem.evaluate(argument, depth + 1);
      if (value.kind === 'array') items.push(...value.items);
      else items.push(value);
    }
    return { kind: 'array', items };
  }
  if (method === 'freeze' && ts.isIdentifier(callee.expression) && callee.expression.text === 'Object') {
    return call.arguments[0] ? sem.evaluate(call.arguments[0], depth + 1) : UNKNOWN;
  }
  return UNKNOWN;
}

/** True for `process.env`, with `process` not declared in the file. */
export function isProcessEnv(sem: FileSemantics, expression: ts.Expression): boolean {
  const node = skipOuterExpressions(expression);
  return (
    ts.isPropertyAccessExpression(node) &&
    node.name.text === 'env' &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === 'process' &&
    !sem.scope.resolve(node.expression)
  );
}

/** Follows a destructuring pattern into a value. */
export function followPattern(value: Value, pattern: readonly PatternStep[]): Value {
  let current = value;
  for (const step of pattern) {
    if ('rest' in step) return current.kind === 'object' ? { ...current, open: true } : UNKNOWN;
    current = memberOf(current, 'property' in step ? step.property : String(step.index));
  }
  return current;
}

function concat(parts: Value[]): Value {
  const flat: Value[] = [];
  for (const part of parts) {
    if (part.kind === 'concat') flat.push(...part.parts);
    else flat.push(part);
  }
  const merged: Value[] = [];
  for (const part of flat) {
    const text = scalarText(part);
    const last = merged[merged.length - 1];
    if (text !== undefined && last && last.kind === 'string') {
      merged[merged.length - 1] = { kind: 'string', value: last.value + text };
    } else if (text !== undefined) {
      merged.push({ kind: 'string', value: text });
    } else {
      merged.push(part);
    }
  }
  if (merged.length === 0) return { kind: 'string', value: '' };
  if (merged.length === 1 && merged[0]!.kind === 'string') return merged[0]!;
  return { kind: 'concat', parts: merged };
}

function choice(options: Value[]): Value {
  const flat = options.flatMap((option) => (option.kind === 'choice' ? option.options : [option]));
  return { kind: 'choice', options: flat };
}

/** The string form of a scalar constant, as template interpolation would print it. */
function scalarText(value: Value): string | undefined {
  switch (value.kind) {
    case 'string':
      return value.value;
    case 'number':
    case 'boolean':
      return String(value.value);
    case 'null':
      return 'null';
    case 'undefined':
      return 'undefined';
    default:
      return undefined;
  }
}

function isTruthy(value: Value): boolean {
  switch (value.kind) {
    case 'string':
      return value.value !== '';
    case 'number':
      return value.value !== 0;
    case 'boolean':
      return value.value;
    case 'null':
    case 'undefined':
      return false;
    default:
      return true;
  }
}

/** True when a value is fully known, with no unknown, environment or import part. */
export function isConstant(value: Value): boolean {
  switch (value.kind) {
    case 'unknown':
    case 'env':
    case 'import':
      return false;
    case 'array':
      return value.items.every(isConstant);
    case 'object':
      return !value.open && Object.values(value.properties).every(isConstant);
    case 'concat':
      return value.parts.every(isConstant);
    case 'choice':
      return value.options.every(isConstant);
    default:
      return true;
  }
}

function isKnown(value: Value): boolean {
  return value.kind !== 'unknown' && value.kind !== 'import' && value.kind !== 'env' && value.kind !== 'choice';
}

/** The text of a value when it is one constant string, number or boolean. */
export function getConstantText(value: Value): string | undefined {
  if (value.kind === 'choice') return undefined;
  return scalarText(value);
}

/** Every import part of a value, which the project step must resolve before the value is known. */
export function getImportParts(value: Value): Array<{ specifier: string; path: string[] }> {
  const parts: Array<{ specifier: string; path: string[] }> = [];
  const visit = (current: Value): void => {
    switch (current.kind) {
      case 'import':
        parts.push({ specifier: current.specifier, path: current.path });
        break;
      case 'array':
        current.items.forEach(visit);
        break;
      case 'object':
        Object.values(current.properties).forEach(visit);
        break;
      case 'concat':
        current.parts.forEach(visit);
        break;
      case 'choice':
        current.options.forEach(visit);
        break;
      default:
        break;
    }
  };
  visit(value);
  return parts;
}
