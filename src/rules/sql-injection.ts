import { defineRule } from './rule.js';
import { getCallTarget } from './shared/report-target.js';
import { getReceiverTypeCheck } from './shared/sql-sinks.js';
import { getSqlFindings } from './shared/sql-verdict.js';
import { describeSources, firstSourceLabel, reportableSources } from './shared/taint.js';
import { gatherWalkLists } from './shared/walk-lists.js';

export default defineRule({
  meta: {
    id: 'sql-injection',
    title: 'Request data in SQL text',
    summary:
      'Flags SQL queries whose text includes data from the client’s request. An attacker can change what the query does: read other patients’ records, bypass a login or drop tables.',
    severity: 'critical',
    precision: 'high',
    cwe: [89],
    owasp: 'A03:2021-Injection',
    messages: {
      tainted: '{{source}} from the request is built into the SQL text passed to {{method}}(); pass it as a bound parameter.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const { lists, visitors } = gatherWalkLists(context, ['invocations']);
    return {
      ...visitors,
      onEnd() {
        for (const found of getSqlFindings(sem, lists)) {
          const call = found.sink.call;
          const { sources, unless } = reportableSources(found.verdict.sources, found.verdict.carried);
          if (sources.length === 0) {
            // Callers in other modules may pass request data to these parameters.
            const parameters = found.verdict.unsafe.flatMap((leaf) => (leaf.kind === 'parameter' ? [{ fn: leaf.fn, index: leaf.index }] : []));
            if (parameters.length > 0) {
              context.reportViaParameters({
                node: getCallTarget(call),
                messageId: 'tainted',
                data: { method: found.sink.method },
                parameters,
                replaces: ['unparameterized-sql'],
              });
            }
            continue;
          }
          // Request data in SQL text is rare and critical, so the type checker is asked even under --types auto.
          const typeCheck = getReceiverTypeCheck(found.sink, true);
          context.report({
            node: getCallTarget(call),
            messageId: 'tainted',
            data: { source: firstSourceLabel(sources), method: found.sink.method },
            ...describeSources(sources, found.sink.text),
            // Both checks clear the finding, and a list of checks clears it only when all pass, so one is kept.
            ...(unless ? { unless, replaces: ['unparameterized-sql'] } : typeCheck ? { unless: [typeCheck] } : {}),
          });
        }
      },
    };
  },
});
