import { ts } from '../typescript.js';
import type { FileSemantics } from './semantics.js';
import {
  findProperty,
  getMemberName,
  getPropertyValue,
  hasModifier,
  propertyNameText,
  skipOuterExpressions,
} from './syntax.js';

/**
 * Where a value comes from, as an access path from a root: `pool.query` with
 * `const pool = new Pool()` and `import { Pool } from 'pg'` has the root
 * module `pg` and the path `Pool`, `new`, `query`. A call adds `()`, and
 * `new` adds `new`. Default imports add `default`; {@link packagePath} drops it
 * for packages, where a default import is the module itself.
 */
export interface Origin {
  root: OriginRoot;
  path: string[];
  /** Identifiers and property names met on the way, for name-based fallbacks: `db`, `pool`, `sequelize`. */
  names: string[];
}

export type OriginRoot =
  | { kind: 'module'; specifier: string }
  | { kind: 'global'; name: string }
  | { kind: 'parameter'; node: ts.ParameterDeclaration; fn: ts.SignatureDeclaration; index: number }
  | { kind: 'local'; node: ts.Node }
  | { kind: 'unknown' };

export const CALL = '()';
export const NEW = 'new';

const MAX_DEPTH = 30;

const GLOBALS = new Set([
  'console',
  'process',
  'JSON',
  'Math',
  'Number',
  'String',
  'Object',
  'Array',
  'Buffer',
  'crypto',
  'fetch',
  'document',
  'window',
  'globalThis',
  'eval',
  'Function',
  'setTimeout',
  'setInterval',
  'require',
  'module',
  'exports',
  'Date',
  'RegExp',
  'URL',
  'encodeURIComponent',
  'decodeURIComponent',
  'parseInt',
  'parseFloat',
  'Response',
  'Headers',
  'TextEncoder',
]);

export function computeOrigin(sem: FileSemantics, node: ts.Expression, depth = 0): Origin {
  if (depth > MAX_DEPTH) return unknownOrigin([]);
  const expression = skipOuterExpressions(node);

  if (ts.isIdentifier(expression)) return originOfIdentifier(sem, expression, depth);

  if (ts.isPropertyAccessExpression(expression) || ts.isElementAccessExpression(expression)) {
    const name = getMemberName(expression) ?? '[]';
    const base = skipOuterExpressions(expression.expression);
    if (base.kind === ts.SyntaxKind.ThisKeyword) return originOfThisMember(sem, expression, name, depth);
    const local = getLocalObjectMember(sem, base, name, depth);
    if (local) return local;
    return extend(sem.originOf(base, depth + 1), name);
  }

  if (ts.isCallExpression(expression)) {
    const callee = skipOuterExpressions(expression.expression);
    if (ts.isIdentifier(callee) && callee.text === 'require' && !sem.scope.resolve(callee)) {
      const argument = expression.arguments[0];
      if (argument && ts.isStringLiteralLike(argument)) {
        return { root: { kind: 'module', specifier: argument.text }, path: [], names: [] };
      }
    }
    // `pool.query.bind(pool)` is the same function as `pool.query`.
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'bind') {
      return sem.originOf(callee.expression, depth + 1);
    }
    return extend(sem.originOf(callee, depth + 1), CALL);
  }

  if (ts.isNewExpression(expression)) {
    return extend(sem.originOf(expression.expression, depth + 1), NEW);
  }

  if (ts.isBinaryExpression(expression)) {
    const operator = expression.operatorToken.kind;
    if (
      operator === ts.SyntaxKind.BarBarToken ||
      operator === ts.SyntaxKind.QuestionQuestionToken ||
      operator === ts.SyntaxKind.EqualsToken
    ) {
      const left = sem.originOf(operator === ts.SyntaxKind.EqualsToken ? expression.right : expression.left, depth + 1);
      if (left.root.kind !== 'unknown') return left;
      return sem.originOf(expression.right, depth + 1);
    }
  }

  if (ts.isConditionalExpression(expression)) {
    const whenTrue = sem.originOf(expression.whenTrue, depth + 1);
    return whenTrue.root.kind !== 'unknown' ? whenTrue : sem.originOf(expression.whenFalse, depth + 1);
  }

  if (
    ts.isFunctionExpression(expression) ||
    ts.isArrowFunction(expression) ||
    ts.isClassExpression(expression) ||
    ts.isObjectLiteralExpression(expression)
  ) {
    return { root: { kind: 'local', node: expression }, path: [], names: [] };
  }

  return unknownOrigin([]);
}

function originOfIdentifier(sem: FileSemantics, identifier: ts.Identifier, depth: number): Origin {
  const declaration = sem.scope.resolve(identifier);
  const names = [identifier.text];
  if (!declaration) {
    if (GLOBALS.has(identifier.text)) return { root: { kind: 'global', name: identifier.text }, path: [], names };
    return unknownOrigin(names);
  }
  switch (declaration.kind) {
    case 'import':
      return {
        root: { kind: 'module', specifier: declaration.specifier },
        path: declaration.imported === '*' ? [] : [declaration.imported],
        names,
      };
    case 'variable': {
      const initializer = sem.getSingleValue(declaration) ?? declaration.node.initializer;
      if (!initializer) return unknownOrigin(names);
      let origin = sem.originOf(initializer, depth + 1);
      for (const step of declaration.pattern) {
        if ('property' in step) origin = extend(origin, step.property);
        else if ('index' in step) origin = extend(origin, String(step.index));
      }
      return withName(origin, identifier.text);
    }
    case 'parameter': {
      const typed = originOfType(sem, declaration.node.type, depth);
      if (typed) return withName(typed, identifier.text);
      return {
        root: { kind: 'parameter', node: declaration.node, fn: declaration.fn, index: declaration.index },
        path: declaration.pattern.flatMap((step) => ('property' in step ? [step.property] : [])),
        names,
      };
    }
    case 'function':
    case 'class':
    case 'enum':
      return { root: { kind: 'local', node: declaration.node }, path: [], names };
    default:
      return unknownOrigin(names);
  }
}

/** The origin of an instance of an annotated type: `pool: Pool` with `Pool` from `pg` is a `new Pool`. */
export function originOfType(sem: FileSemantics, type: ts.TypeNode | undefined, depth: number): Origin | undefined {
  if (!type || !ts.isTypeReferenceNode(type)) return undefined;
  const typeName = type.typeName;
  const first = ts.isIdentifier(typeName) ? typeName : getLeftmostIdentifier(typeName);
  const declaration = sem.scope.resolve(first);
  if (!declaration) return undefined;
  const rest = ts.isIdentifier(typeName) ? [] : qualifiedNameParts(typeName).slice(1);
  if (declaration.kind === 'import') {
    const path = declaration.imported === '*' ? [] : [declaration.imported];
    return { root: { kind: 'module', specifier: declaration.specifier }, path: [...path, ...rest, NEW], names: [first.text] };
  }
  if (declaration.kind === 'class') {
    // A class of this file that extends a library class, such as `class PrismaService extends PrismaClient`.
    const heritage = declaration.node.heritageClauses?.find((c) => c.token === ts.SyntaxKind.ExtendsKeyword);
    const base = heritage?.types[0]?.expression;
    if (base && depth < MAX_DEPTH) return extend(sem.originOf(base, depth + 1), NEW);
    return { root: { kind: 'local', node: declaration.node }, path: [NEW], names: [first.text] };
  }
  return undefined;
}

function getLeftmostIdentifier(name: ts.QualifiedName): ts.Identifier {
  let current: ts.EntityName = name;
  while (ts.isQualifiedName(current)) current = current.left;
  return current;
}

function qualifiedNameParts(name: ts.EntityName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return [...qualifiedNameParts(name.left), name.right.text];
}

/** `this.pool` inside a class: a field initializer, a constructor parameter property or a constructor assignment. */
function originOfThisMember(
  sem: FileSemantics,
  access: ts.PropertyAccessExpression | ts.ElementAccessExpression,
  name: string,
  depth: number,
): Origin {
  const names = ['this', name];
  let classNode: ts.Node | undefined = access.parent;
  while (classNode && !ts.isClassLike(classNode)) classNode = classNode.parent;
  if (!classNode || !ts.isClassLike(classNode)) return unknownOrigin(names);

  for (const member of classNode.members) {
    if (ts.isMethodDeclaration(member) && member.name && propertyNameText(member.name) === name) {
      return { root: { kind: 'local', node: member }, path: [], names };
    }
    if (ts.isPropertyDeclaration(member) && member.name && propertyNameText(member.name) === name) {
      if (member.initializer) return withName(sem.originOf(member.initializer, depth + 1), name);
      const typed = originOfType(sem, member.type, depth);
      if (typed) return withName(typed, name);
    }
    if (ts.isConstructorDeclaration(member)) {
      for (const parameter of member.parameters) {
        if (!ts.isIdentifier(parameter.name) || parameter.name.text !== name) continue;
        const isProperty =
          hasModifier(parameter, ts.SyntaxKind.PrivateKeyword) ||
          hasModifier(parameter, ts.SyntaxKind.PublicKeyword) ||
          hasModifier(parameter, ts.SyntaxKind.ProtectedKeyword) ||
          hasModifier(parameter, ts.SyntaxKind.ReadonlyKeyword);
        if (!isProperty) continue;
        const typed = originOfType(sem, parameter.type, depth);
        if (typed) return withName(typed, name);
      }
      const assigned = findThisAssignment(member, name);
      if (assigned) return withName(sem.originOf(assigned, depth + 1), name);
    }
  }
  return unknownOrigin(names);
}

function findThisAssignment(constructor: ts.ConstructorDeclaration, name: string): ts.Expression | undefined {
  for (const statement of constructor.body?.statements ?? []) {
    if (!ts.isExpressionStatement(statement)) continue;
    const expression = statement.expression;
    if (!ts.isBinaryExpression(expression) || expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
    const left = expression.left;
    if (
      ts.isPropertyAccessExpression(left) &&
      left.expression.kind === ts.SyntaxKind.ThisKeyword &&
      left.name.text === name
    ) {
      return expression.right;
    }
  }
  return undefined;
}

/** `db.query` where `db` is an object literal of this file: the origin of that property's value. */
function getLocalObjectMember(
  sem: FileSemantics,
  base: ts.Expression,
  name: string,
  depth: number,
): Origin | undefined {
  if (!ts.isIdentifier(base)) return undefined;
  const declaration = sem.scope.resolve(base);
  if (declaration?.kind !== 'variable' || declaration.pattern.length > 0) return undefined;
  const initializer = declaration.node.initializer && skipOuterExpressions(declaration.node.initializer);
  if (!initializer || !ts.isObjectLiteralExpression(initializer)) return undefined;
  const property = findProperty(initializer, name);
  if (!property) return undefined;
  if (ts.isMethodDeclaration(property)) {
    return { root: { kind: 'local', node: property }, path: [], names: [base.text, name] };
  }
  const value = getPropertyValue(property);
  return value ? withName(sem.originOf(value, depth + 1), base.text) : undefined;
}

function extend(origin: Origin, step: string): Origin {
  return { root: origin.root, path: [...origin.path, step], names: step === CALL || step === NEW ? origin.names : [...origin.names, step] };
}

function withName(origin: Origin, name: string): Origin {
  return origin.names.includes(name) ? origin : { ...origin, names: [name, ...origin.names] };
}

function unknownOrigin(names: string[]): Origin {
  return { root: { kind: 'unknown' }, path: [], names };
}

/** The module specifier of an origin, or undefined when it does not start at an import. */
export function getModule(origin: Origin): string | undefined {
  return origin.root.kind === 'module' ? origin.root.specifier : undefined;
}

/** The path below a package, with a leading `default` dropped: a default import is the module itself. */
export function packagePath(origin: Origin): string[] {
  return origin.path[0] === 'default' ? origin.path.slice(1) : origin.path;
}

/** The last property name of the path, ignoring calls and `new`. */
export function lastMember(origin: Origin): string | undefined {
  for (let index = origin.path.length - 1; index >= 0; index--) {
    const step = origin.path[index]!;
    if (step !== CALL && step !== NEW) return step;
  }
  return undefined;
}

/** True when a module specifier names a file of the project rather than a package. */
export function isRelativeSpecifier(specifier: string): boolean {
  return specifier.startsWith('.') || specifier.startsWith('/');
}

/** The package name of a specifier: `@scope/name/sub` gives `@scope/name`, and `node:fs` gives `fs`. */
export function packageName(specifier: string): string {
  let name = packageNames.get(specifier);
  if (name === undefined) {
    const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
    const parts = bare.split('/');
    name = bare.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
    if (packageNames.size > 5000) packageNames.clear();
    packageNames.set(specifier, name);
  }
  return name;
}

const packageNames = new Map<string, string>();
