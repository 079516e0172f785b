import type { DeferredCheck } from '../engine/facts.js';
import { defineRule } from './rule.js';
import { getCallTarget } from './shared/report-target.js';
import { getReceiverTypeCheck, type SqlSink } from './shared/sql-sinks.js';
import { getSqlFindings } from './shared/sql-verdict.js';
import { shorten } from './shared/taint.js';
import { gatherWalkLists } from './shared/walk-lists.js';

export default defineRule({
  meta: {
    id: 'unparameterized-sql',
    title: 'SQL text built from values that are not constant',
    summary:
      'Flags SQL queries whose text is built by concatenation or template interpolation of values that are not constants. Whether or not the value comes from a request today, the next caller can pass one; bound parameters keep data out of the SQL text.',
    severity: 'high',
    precision: 'medium',
    cwe: [89],
    owasp: 'A03:2021-Injection',
    messages: {
      built: 'SQL text passed to {{method}}() includes {{part}}, which is not a constant; pass it as a bound parameter.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const { lists, visitors } = gatherWalkLists(context, ['invocations']);
    return {
      ...visitors,
      onEnd() {
        for (const found of getSqlFindings(sem, lists)) {
          if (found.verdict.sources.length > 0) continue;
          const { unsafe, deferred } = found.verdict;
          if (unsafe.length === 0 && deferred.length === 0) continue;
          const part = unsafe[0]?.node ?? found.sink.text;
          context.report({
            node: getCallTarget(found.sink.call),
            messageId: 'built',
            data: { method: found.sink.method, part: shorten(part.getText(), 30) },
            ...unlessChecks(found.sink, unsafe.length === 0 ? deferred : []),
          });
        }
      },
    };
  },
});

/**
 * Builds the checks that clear the finding once the project is known; all of
 * them must pass. The receiver's type check is added only when no other check
 * exists, because it clears the finding on its own and the list has no "or".
 */
function unlessChecks(sink: SqlSink, deferred: DeferredCheck[]): { unless?: DeferredCheck[] } {
  if (deferred.length > 0) return { unless: deferred };
  // A library or a data layer builds SQL in hundreds of places, so only --types on checks their receivers.
  const typeCheck = getReceiverTypeCheck(sink, false);
  return typeCheck ? { unless: [typeCheck] } : {};
}
