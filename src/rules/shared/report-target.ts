import { ts } from '../../typescript.js';
import { skipOuterExpressions } from '../../analysis/syntax.js';
import type { ReportTarget } from '../rule.js';

/**
 * The span to report for a call: from the method name to the end of the call,
 * so that a finding on `db.select().from(t).where(x)` points at `where(x)`,
 * on its own line, rather than at the start of the chain.
 */
export function getCallTarget(call: ts.CallExpression | ts.NewExpression): ReportTarget {
  const callee = skipOuterExpressions(call.expression);
  if (ts.isPropertyAccessExpression(callee)) return { start: callee.name.getStart(), end: call.getEnd() };
  return call;
}
