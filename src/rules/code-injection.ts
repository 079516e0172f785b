import { defineRule } from './rule.js';
import { getCodeSinks } from './shared/code-sinks.js';
import { judgeAll, reportTaint } from './shared/injection.js';
import { getCallTarget } from './shared/report-target.js';
import { gatherWalkLists } from './shared/walk-lists.js';

export default defineRule({
  meta: {
    id: 'code-injection',
    title: 'Request data run as code',
    summary:
      'Flags `eval`, `new Function`, the `vm` module, string timers, `require()` of a computed name and server-side template compilers that run data from the client’s request or the page address. The client then runs any JavaScript in the server process, with its credentials and every record it can reach; `vm` contexts are not a security boundary.',
    severity: 'critical',
    precision: 'high',
    cwe: [94, 95],
    owasp: 'A03:2021-Injection',
    messages: {
      code: '{{source}} from the {{origin}} is run as JavaScript by {{method}}(); parse the data instead, for example with JSON.parse() or an expression parser.',
      module:
        '{{source}} from the {{origin}} names the module that {{method}}() loads and runs; map it to a module from a fixed list.',
      template:
        '{{source}} from the {{origin}} is compiled as a template by {{method}}(), and template code runs on the server; pass it as template data instead.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const { lists, visitors } = gatherWalkLists(context, ['invocations', 'variables']);
    return {
      ...visitors,
      onEnd() {
        for (const sink of getCodeSinks(sem, lists)) {
          const taint = judgeAll(sem, sink.code, { safe: [], sources: ['dom'] });
          reportTaint(context, taint, {
            node: getCallTarget(sink.node),
            sink: sink.code[0]!,
            messageId: sink.kind,
            data: { method: sink.method },
            replaces: ['dynamic-code-evaluation'],
          });
        }
      },
    };
  },
});
