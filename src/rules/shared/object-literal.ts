import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { skipOuterExpressions } from '../../analysis/syntax.js';

/** Finds an object literal, directly or through one `const` binding. */
export function resolveObjectLiteral(sem: FileSemantics, expression: ts.Expression): ts.ObjectLiteralExpression | undefined {
  const inner = skipOuterExpressions(expression);
  if (ts.isObjectLiteralExpression(inner)) return inner;
  if (!ts.isIdentifier(inner)) return undefined;
  const declaration = sem.resolve(inner);
  const initializer = declaration?.kind === 'variable' && declaration.pattern.length === 0 ? sem.getSingleValue(declaration) : undefined;
  const value = initializer && skipOuterExpressions(initializer);
  return value && ts.isObjectLiteralExpression(value) ? value : undefined;
}
