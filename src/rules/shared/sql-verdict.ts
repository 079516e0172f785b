import type { ts } from 'ts-morph';
import type { FileSemantics } from '../../analysis/semantics.js';
import { getSqlSink, type SqlSink } from './sql-sinks.js';
import { judgeSink, type SinkVerdict } from './taint.js';

export interface SqlFinding {
  sink: SqlSink;
  verdict: SinkVerdict;
}

const cache = new WeakMap<ts.CallExpression, SqlFinding | null>();

/**
 * Recognises an SQL sink and judges its query text, once per call: both SQL
 * rules ask, and only one of them reports, by whether client data is proven
 * to reach the text.
 */
export function getSqlFinding(sem: FileSemantics, call: ts.CallExpression): SqlFinding | undefined {
  const cached = cache.get(call);
  if (cached !== undefined) return cached ?? undefined;
  const sink = getSqlSink(sem, call);
  const finding = sink ? { sink, verdict: judgeSink(sem, sink.text, { safe: ['sql'] }) } : undefined;
  cache.set(call, finding ?? null);
  return finding;
}
