import { ts } from '../../typescript.js';
import { packageName, packagePath } from '../../analysis/origin.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { skipOuterExpressions } from '../../analysis/syntax.js';

/**
 * Returns the function that `promisify(exec)`, or a name bound to it, wraps:
 * `const run = promisify(exec)` makes `run` an `exec` that returns a promise.
 */
export function getPromisifiedFunction(sem: FileSemantics, expression: ts.Expression): ts.Expression | undefined {
  let call: ts.Expression = expression;
  if (ts.isIdentifier(expression)) {
    const declaration = sem.resolve(expression);
    const initializer = declaration?.kind === 'variable' && declaration.pattern.length === 0 ? sem.getSingleValue(declaration) : undefined;
    if (!initializer) return undefined;
    call = skipOuterExpressions(initializer);
  }
  if (!ts.isCallExpression(call) || !call.arguments[0]) return undefined;
  const origin = sem.originOf(call.expression);
  const isPromisify =
    origin.root.kind === 'module' && packageName(origin.root.specifier) === 'util' && packagePath(origin).join('.') === 'promisify';
  return isPromisify ? skipOuterExpressions(call.arguments[0]) : undefined;
}
