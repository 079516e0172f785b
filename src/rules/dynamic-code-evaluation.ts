import { defineRule } from './rule.js';
import { getCodeSinks } from './shared/code-sinks.js';
import { describePart, judgeAll } from './shared/injection.js';
import { getCallTarget } from './shared/report-target.js';
import { gatherWalkLists } from './shared/walk-lists.js';

export default defineRule({
  meta: {
    id: 'dynamic-code-evaluation',
    title: 'Code built from values that are not constant',
    summary:
      'Flags `eval`, `new Function`, the `vm` module and string timers whose code is built from values that are not constants. Whether or not the value comes from a request today, whoever controls it, through a database row, a file or a later caller, runs code in the server process.',
    severity: 'medium',
    precision: 'medium',
    cwe: [95],
    owasp: 'A03:2021-Injection',
    messages: {
      built: 'Code run by {{method}}() includes {{part}}, which is not a constant; parse the data instead of running it.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const { lists, visitors } = gatherWalkLists(context, ['invocations', 'variables']);
    return {
      ...visitors,
      onEnd() {
        for (const sink of getCodeSinks(sem, lists)) {
          // Template files are meant to be compiled, so only code-injection checks templates, for request data.
          if (sink.kind !== 'code') continue;
          const taint = judgeAll(sem, sink.code, { safe: [], sources: ['dom'] });
          if (taint.sources.length > 0) continue;
          if (taint.unsafe.length === 0 && taint.deferred.length === 0) continue;
          const part = taint.unsafe[0]?.node ?? sink.code.find((code) => sem.flowOf(code).length > 0) ?? sink.code[0]!;
          context.report({
            node: getCallTarget(sink.node),
            messageId: 'built',
            data: { method: sink.method, part: describePart(part) },
            ...(taint.unsafe.length === 0 ? { unless: taint.deferred } : {}),
          });
        }
      },
    };
  },
});

