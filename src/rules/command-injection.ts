import { defineRule } from './rule.js';
import { getCommandSinks } from './shared/command-sinks.js';
import { judgeAll, reportTaint } from './shared/injection.js';
import { getCallTarget } from './shared/report-target.js';
import { gatherWalkLists } from './shared/walk-lists.js';

export default defineRule({
  meta: {
    id: 'command-injection',
    title: 'Request data in a shell command',
    summary:
      'Flags shell commands built from data the client sends, and programs chosen by it. A client who can put `;`, `|` or `$(...)` into the command runs any program on the server, with access to every record it stores.',
    severity: 'critical',
    precision: 'high',
    cwe: [78],
    owasp: 'A03:2021-Injection',
    messages: {
      shell:
        '{{source}} from the {{origin}} is built into the shell command run by {{method}}(); pass it in an argument array to execFile() or spawn() without a shell.',
      split:
        '{{source}} from the {{origin}} is built into the command line that {{method}}() splits into a program and arguments; pass the arguments in an array to execa() instead.',
      program: '{{source}} from the {{origin}} chooses the program that {{method}}() runs; pick the program from a fixed list.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const { lists, visitors } = gatherWalkLists(context, ['invocations']);
    return {
      ...visitors,
      onEnd() {
        for (const sink of getCommandSinks(sem, lists)) {
          // A script may well take the program to run from its own arguments, but
          // a file name with `;` or `$(...)` in a shell command line runs code,
          // so process.argv counts where a shell parses the command. The person
          // who runs the script chooses those arguments, so such findings rank
          // below a request's.
          const taint = judgeAll(sem, sink.parts, { safe: ['shell'], sources: sink.kind === 'shell' ? ['argv'] : [] });
          const fromCommandLine = taint.sources.length > 0 && taint.sources.every((source) => source.source === 'argv');
          reportTaint(context, taint, {
            node: getCallTarget(sink.call),
            sink: sink.parts[0]!,
            messageId: sink.kind,
            data: { method: sink.method },
            ...(fromCommandLine ? { severity: 'high' as const } : {}),
            replaces: ['dynamic-shell-command'],
          });
        }
      },
    };
  },
});
