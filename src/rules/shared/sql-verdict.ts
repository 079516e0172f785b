import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { skipOuterExpressions } from '../../analysis/syntax.js';
import { getQueryTextIndex, getSqlSink, isSqlMethodName, type SqlSink } from './sql-sinks.js';
import { judgeSink, type SinkVerdict } from './taint.js';
import type { WalkLists } from './walk-lists.js';

export interface SqlFinding {
  sink: SqlSink;
  verdict: SinkVerdict;
}

const findingsByFile = new WeakMap<ts.SourceFile, SqlFinding[]>();

/**
 * Recognises the SQL sinks of a file and judges their query text, once per
 * file: both SQL rules ask, and only one of them reports each sink, by
 * whether client data is proven to reach the text. Sinks whose text is a
 * literal are left out, because neither rule reports constant text.
 */
export function getSqlFindings(sem: FileSemantics, lists: WalkLists): readonly SqlFinding[] {
  let findings = findingsByFile.get(sem.sourceFile);
  if (findings) return findings;
  findings = [];
  lists.calls.nodes.forEach((call, index) => {
    const name = lists.callNames[index];
    if (!isSqlMethodName(name) || hasLiteralText(call, name!)) return;
    const sink = getSqlSink(sem, call);
    if (!sink || isInnerSink(sem, sink.text)) return;
    findings!.push({ sink, verdict: judgeSink(sem, sink.text, { safe: ['sql'] }) });
  });
  findingsByFile.set(sem.sourceFile, findings);
  return findings;
}

/**
 * True when the query text is itself a call that is judged as a sink, as
 * `sql.raw(text)` in drizzle's `db.execute(sql.raw(text))`: the inner call
 * is reported, once.
 */
function isInnerSink(sem: FileSemantics, text: ts.Expression): boolean {
  const inner = skipOuterExpressions(text);
  if (!ts.isCallExpression(inner)) return false;
  const callee = skipOuterExpressions(inner.expression);
  const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
  return isSqlMethodName(name) && !hasLiteralText(inner, name!) && getSqlSink(sem, inner) !== undefined;
}

/** True when the argument that holds the query text is a plain literal, whose flow is empty. */
function hasLiteralText(call: ts.CallExpression, name: string): boolean {
  const argument = call.arguments[getQueryTextIndex(name)];
  if (!argument) return false;
  const kind = skipOuterExpressions(argument).kind;
  return kind === ts.SyntaxKind.StringLiteral || kind === ts.SyntaxKind.NoSubstitutionTemplateLiteral;
}
