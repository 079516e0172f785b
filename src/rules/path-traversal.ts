import { ts } from '../typescript.js';
import type { FileSemantics } from '../analysis/semantics.js';
import { getEnclosingFunction, skipOuterExpressions } from '../analysis/syntax.js';
import { defineRule } from './rule.js';
import { getFileSink, isResponseFileMethod, mayUseFilePackages, type FileSink } from './shared/file-sinks.js';
import { judgeAll, reportTaint } from './shared/injection.js';
import { getCallTarget } from './shared/report-target.js';
import { gatherWalkLists } from './shared/walk-lists.js';

/** Calls that only look at a path, which code often makes just before it opens the same path. */
const PROBE_METHODS = new Set(['exists', 'access', 'stat', 'lstat', 'pathExists']);

export default defineRule({
  meta: {
    id: 'path-traversal',
    title: 'Request data in a file path',
    summary:
      'Flags file system paths built from data the client sends, with no check that the result stays inside the intended folder. A name such as `../../etc/passwd` or `../other-patient/report.pdf` reads, overwrites or deletes files the client must not reach.',
    severity: 'high',
    precision: 'high',
    cwe: [22],
    owasp: 'A01:2021-Broken Access Control',
    messages: {
      tainted:
        '{{source}} from the {{origin}} is part of the file path passed to {{method}}(); reduce it to a file name with path.basename() or check that the resolved path stays inside its folder.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const { lists, visitors } = gatherWalkLists(context, ['invocations']);
    return {
      ...visitors,
      onEnd() {
        const anyCall = mayUseFilePackages(sem.sourceFile);
        lists.calls.nodes.forEach((call, index) => {
          if (!anyCall && !isResponseFileMethod(lists.callNames[index])) return;
          const sink = getFileSink(sem, call);
          if (!sink) return;
          // One finding where the path is opened, not a second at the existence check before it.
          if (PROBE_METHODS.has(sink.method.replace(/Sync$/, '')) && isOpenedLater(sem, sink)) return;
          const taint = judgeAll(sem, sink.paths, { safe: ['path'] });
          reportTaint(context, taint, {
            node: getCallTarget(call),
            sink: sink.paths[0]!,
            messageId: 'tainted',
            data: { method: sink.method },
          });
        });
      },
    };
  },
});

/** True when a later file call of the same function uses the same path variable. */
function isOpenedLater(sem: FileSemantics, probe: FileSink): boolean {
  const path = skipOuterExpressions(probe.paths[0]!);
  const fn = getEnclosingFunction(probe.call);
  if (!ts.isIdentifier(path) || !fn?.body) return false;
  const declaration = sem.resolve(path);
  if (!declaration) return false;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node) && node.pos > probe.call.end) {
      const other = getFileSink(sem, node);
      found =
        other !== undefined &&
        other.paths.some((expression) => {
          const inner = skipOuterExpressions(expression);
          return ts.isIdentifier(inner) && sem.resolve(inner) === declaration;
        });
    }
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
  return found;
}
