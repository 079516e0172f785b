import { defineRule } from './rule.js';
import { getCommandSinks } from './shared/command-sinks.js';
import { describePart, judgeAll } from './shared/injection.js';
import { getCallTarget } from './shared/report-target.js';
import { gatherWalkLists } from './shared/walk-lists.js';

export default defineRule({
  meta: {
    id: 'dynamic-shell-command',
    title: 'Shell command built from values that are not constant',
    summary:
      'Flags shell commands built by concatenation or template interpolation of values that are not constants. Whether or not the value comes from a request today, a file name or database value with a space, `;` or `$(...)` changes the command; an argument array without a shell keeps data out of it.',
    severity: 'medium',
    precision: 'medium',
    cwe: [78],
    owasp: 'A03:2021-Injection',
    messages: {
      built:
        'Shell command run by {{method}}() includes {{part}}, which is not a constant; pass it in an argument array to execFile() or spawn() without a shell, or quote it with shell-quote.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const { lists, visitors } = gatherWalkLists(context, ['invocations']);
    return {
      ...visitors,
      onEnd() {
        for (const sink of getCommandSinks(sem, lists)) {
          if (sink.kind !== 'shell') continue;
          const taint = judgeAll(sem, sink.parts, { safe: ['shell'], sources: ['argv'] });
          // command-injection reports commands that untrusted data reaches.
          if (taint.sources.length > 0) continue;
          if (taint.unsafe.length === 0 && taint.deferred.length === 0) continue;
          const part = taint.unsafe[0]?.node ?? sink.parts.find((expression) => sem.flowOf(expression).length > 0) ?? sink.parts[0]!;
          context.report({
            node: getCallTarget(sink.call),
            messageId: 'built',
            data: { method: sink.method, part: describePart(part) },
            ...(taint.unsafe.length === 0 ? { unless: taint.deferred } : {}),
          });
        }
      },
    };
  },
});
