import { createKindTable, ts, whenTypeScriptLoads } from '../typescript.js';

/** Strips parentheses, type assertions, `!`, `satisfies` and `await`, which do not change a value. */
let OUTER_KINDS: Uint8Array = new Uint8Array(0);
whenTypeScriptLoads(() => {
  OUTER_KINDS = createKindTable([
    ts.SyntaxKind.ParenthesizedExpression,
    ts.SyntaxKind.AsExpression,
    ts.SyntaxKind.TypeAssertionExpression,
    ts.SyntaxKind.NonNullExpression,
    ts.SyntaxKind.SatisfiesExpression,
    ts.SyntaxKind.AwaitExpression,
  ]);
});

export function skipOuterExpressions(node: ts.Expression): ts.Expression {
  let current = node;
  while (OUTER_KINDS[current.kind] === 1) current = (current as ts.ParenthesizedExpression).expression;
  return current;
}

/** The name of a property access or element access with a literal key: `a.b` and `a['b']` give `b`. */
export function getMemberName(node: ts.Node): string | undefined {
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  if (ts.isElementAccessExpression(node)) {
    const argument = node.argumentExpression;
    if (ts.isStringLiteralLike(argument) || ts.isNumericLiteral(argument)) return argument.text;
  }
  return undefined;
}

/** The method or function name a call invokes: `a.b.c()` gives `c`, `f()` gives `f`. */
export function getCalleeName(call: ts.CallExpression | ts.NewExpression): string | undefined {
  const callee = skipOuterExpressions(call.expression);
  if (ts.isIdentifier(callee)) return callee.text;
  return getMemberName(callee);
}

/** The receiver of a method call: `a.b.c()` gives `a.b`. */
export function getCallReceiver(call: ts.CallExpression): ts.Expression | undefined {
  const callee = skipOuterExpressions(call.expression);
  if (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) return callee.expression;
  return undefined;
}

/** Dotted text of a simple member chain such as `req.headers.authorization`, or undefined. */
export function getDottedName(node: ts.Node): string | undefined {
  if (ts.isIdentifier(node)) return node.text;
  if (node.kind === ts.SyntaxKind.ThisKeyword) return 'this';
  if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
    const name = getMemberName(node);
    const base = getDottedName(skipOuterExpressions(node.expression));
    if (name === undefined || base === undefined) return undefined;
    return `${base}.${name}`;
  }
  if (ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node) || ts.isAsExpression(node)) {
    return getDottedName(node.expression);
  }
  return undefined;
}

/** Finds a property assignment by name in an object literal; the last one wins, as at run time. */
export function findProperty(
  object: ts.ObjectLiteralExpression,
  name: string,
): ts.ObjectLiteralElementLike | undefined {
  let found: ts.ObjectLiteralElementLike | undefined;
  for (const property of object.properties) {
    if (ts.isSpreadAssignment(property)) continue;
    const key = property.name && propertyNameText(property.name);
    if (key === name) found = property;
  }
  return found;
}

export function propertyNameText(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isStringLiteralLike(name) || ts.isNumericLiteral(name)) return name.text;
  if (ts.isComputedPropertyName(name)) {
    const expression = name.expression;
    if (ts.isStringLiteralLike(expression) || ts.isNumericLiteral(expression)) return expression.text;
  }
  return undefined;
}

/** The value expression of an object literal member: the initializer, or the name of a shorthand. */
export function getPropertyValue(property: ts.ObjectLiteralElementLike): ts.Expression | undefined {
  if (ts.isPropertyAssignment(property)) return property.initializer;
  if (ts.isShorthandPropertyAssignment(property)) return property.name;
  return undefined;
}

export function isFunctionNode(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/** The innermost function that contains a node, or undefined at the top level. */
export function getEnclosingFunction(node: ts.Node): ts.FunctionLikeDeclaration | undefined {
  let current = node.parent;
  while (current) {
    if (isFunctionNode(current)) return current;
    current = current.parent;
  }
  return undefined;
}

export function getEnclosingClass(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  let current = node.parent;
  while (current) {
    if (ts.isClassLike(current)) return current;
    current = current.parent;
  }
  return undefined;
}

/** Decorators of a class, method, property or parameter. */
export function getDecorators(node: ts.Node): readonly ts.Decorator[] {
  return ts.canHaveDecorators(node) ? (ts.getDecorators(node) ?? []) : [];
}

/** The called name of a decorator: `@Post('x')` and `@Post` both give `Post`. */
export function getDecoratorName(decorator: ts.Decorator): string | undefined {
  const expression = decorator.expression;
  const callee = ts.isCallExpression(expression) ? expression.expression : expression;
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}

export function getDecoratorArguments(decorator: ts.Decorator): readonly ts.Expression[] {
  const expression = decorator.expression;
  return ts.isCallExpression(expression) ? expression.arguments : [];
}

export function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false);
}

/** The name a function is known by: its own name, or the variable or property it is assigned to. */
export function getFunctionName(node: ts.FunctionLikeDeclaration): string | undefined {
  if (node.name && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))) return node.name.text;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent)) return propertyNameText(parent.name);
  return undefined;
}

/** Every expression a function returns, without those of nested functions. */
export function getReturnedExpressions(fn: ts.FunctionLikeDeclaration): ts.Expression[] {
  const body = fn.body;
  if (!body) return [];
  if (!ts.isBlock(body)) return [body];
  const returned: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (node !== body && ts.isFunctionLike(node)) return;
    if (ts.isReturnStatement(node) && node.expression) returned.push(node.expression);
    ts.forEachChild(node, visit);
  };
  visit(body);
  return returned;
}
