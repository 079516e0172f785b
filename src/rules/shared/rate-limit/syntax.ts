import { ts } from '../../../typescript.js';
import { getEnclosingClass, isFunctionNode, propertyNameText } from '../../../analysis/syntax.js';
import { nodesWithin, returnedExpressions as findReturnedExpressions, type FileNodes } from '../file-nodes.js';

/** Returns the variable or property a creation is bound to: `app` in `const app = express()`. */
export function getBindingName(node: ts.Node): string | undefined {
  let current = node;
  while (current.parent && (ts.isAwaitExpression(current.parent) || ts.isParenthesizedExpression(current.parent) || ts.isAsExpression(current.parent))) {
    current = current.parent;
  }
  const parent = current.parent;
  if (!parent) return undefined;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyDeclaration(parent) && parent.name) return propertyNameText(parent.name);
  if (ts.isBinaryExpression(parent) && ts.isPropertyAccessExpression(parent.left)) return parent.left.name.text;
  return undefined;
}

/**
 * Checks for code that responds with 429 Too Many Requests, the status of a rate limiter:
 * `res.status(429)`, `ctx.status = 429`, `c.json(body, 429)`,
 * `new HttpException(message, HttpStatus.TOO_MANY_REQUESTS)`. A comparison
 * such as `upstream.status === 429` does not count.
 */
export function isTooManyRequestsResponse(node: ts.Node): boolean {
  const isStatus =
    (ts.isNumericLiteral(node) && node.text === '429') ||
    (ts.isIdentifier(node) && /^(TOO_MANY_REQUESTS|TooManyRequests\w*)$/.test(node.text));
  if (!isStatus) return false;
  let value: ts.Node = node;
  if (ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) value = node.parent;
  const parent = value.parent;
  if (!parent) return false;
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(value as ts.Expression)) return true;
  if (ts.isNewExpression(parent) && parent.expression === value) return true;
  if (ts.isPropertyAssignment(parent) && parent.initializer === value) return true;
  return ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.right === value;
}

/** Lists the bodies of a function, or the member bodies and field initializers of a class. */
export function getBodies(node: ts.Node): ts.Node[] {
  if (isFunctionNode(node)) return node.body ? [node.body] : [];
  if (!ts.isClassLike(node)) return [node];
  return node.members.flatMap((member): ts.Node[] => {
    if (isFunctionNode(member)) return member.body ? [member.body] : [];
    if (ts.isPropertyDeclaration(member) && member.initializer) return [member.initializer];
    return [];
  });
}

/** Lists the expressions a function returns, not counting nested functions. */
export function getReturnedExpressions(fn: ts.FunctionLikeDeclaration, nodes: FileNodes): ts.Expression[] {
  let returned = returnedExpressions.get(fn);
  if (!returned) {
    returned = findReturnedExpressions(nodes, fn);
    returnedExpressions.set(fn, returned);
  }
  return returned;
}

const returnedExpressions = new WeakMap<ts.FunctionLikeDeclaration, ts.Expression[]>();

/** Finds the value assigned to `this.name` in a class: a field initializer or an assignment in any member. */
export function getThisMemberValue(access: ts.PropertyAccessExpression, nodes: FileNodes): ts.Expression | undefined {
  const classNode = getEnclosingClass(access);
  if (!classNode) return undefined;
  const name = access.name.text;
  for (const member of classNode.members) {
    if (ts.isPropertyDeclaration(member) && member.name && propertyNameText(member.name) === name && member.initializer) {
      return member.initializer;
    }
  }
  let assigned = thisAssignments.get(classNode);
  if (!assigned) {
    assigned = new Map();
    for (const member of classNode.members) {
      for (const assignment of nodesWithin(nodes.assignments, member)) {
        const left = assignment.left;
        if (!ts.isPropertyAccessExpression(left) || left.expression.kind !== ts.SyntaxKind.ThisKeyword) continue;
        // The first assignment in source order wins.
        if (!assigned.has(left.name.text)) assigned.set(left.name.text, assignment.right);
      }
    }
    thisAssignments.set(classNode, assigned);
  }
  return assigned.get(name);
}

const thisAssignments = new WeakMap<ts.ClassLikeDeclaration, Map<string, ts.Expression>>();
