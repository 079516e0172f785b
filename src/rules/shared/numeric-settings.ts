import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { skipOuterExpressions } from '../../analysis/syntax.js';

const MAX_DEPTH = 10;

/**
 * Returns the constant number of an expression. Besides what `evaluate`
 * computes, this handles the operators that cost and size settings are
 * written with: `2 ** 14`, `1 << 14` and `Math.pow(2, 14)`.
 */
export function getNumber(sem: FileSemantics, expression: ts.Expression, depth = 0): number | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const value = sem.evaluate(expression);
  if (value.kind === 'number') return value.value;
  if (value.kind === 'string' && /^\d+$/.test(value.value)) return Number(value.value);

  const node = skipOuterExpressions(expression);
  if (ts.isIdentifier(node)) {
    const declaration = sem.resolve(node);
    // `function derive(password, iterations = 10_000)`: the default, which applies whenever a caller leaves it out.
    if (declaration?.kind === 'parameter' && declaration.pattern.length === 0 && declaration.node.initializer) {
      return getNumber(sem, declaration.node.initializer, depth + 1);
    }
    if (declaration?.kind !== 'variable' || declaration.pattern.length > 0) return undefined;
    const initializer = sem.getSingleValue(declaration);
    return initializer ? getNumber(sem, initializer, depth + 1) : undefined;
  }
  if (ts.isBinaryExpression(node)) {
    const left = getNumber(sem, node.left, depth + 1);
    const right = getNumber(sem, node.right, depth + 1);
    if (left === undefined || right === undefined) return undefined;
    switch (node.operatorToken.kind) {
      case ts.SyntaxKind.AsteriskAsteriskToken:
        return left ** right;
      case ts.SyntaxKind.LessThanLessThanToken:
        return left * 2 ** right;
      case ts.SyntaxKind.AsteriskToken:
        return left * right;
      case ts.SyntaxKind.PlusToken:
        return left + right;
      case ts.SyntaxKind.MinusToken:
        return left - right;
      case ts.SyntaxKind.SlashToken:
        return left / right;
      default:
        return undefined;
    }
  }
  if (ts.isCallExpression(node) && node.arguments.length === 2) {
    const callee = skipOuterExpressions(node.expression);
    if (ts.isPropertyAccessExpression(callee) && callee.getText() === 'Math.pow') {
      const base = getNumber(sem, node.arguments[0]!, depth + 1);
      const exponent = getNumber(sem, node.arguments[1]!, depth + 1);
      return base !== undefined && exponent !== undefined ? base ** exponent : undefined;
    }
  }
  return undefined;
}
