import { ts } from '../typescript.js';
import { defineRule, type ReportTarget, type RuleContext } from './rule.js';
import { reportTaint, type TaintOptions } from './shared/injection.js';
import { getLocationAssignment, getNestRedirectReturns, getRedirectCall, mayAssignLocation, mayRedirect, type RedirectSink } from './shared/redirect-sinks.js';
import { getCallTarget } from './shared/report-target.js';
import { isOwnAddress, judgeUrlHost } from './shared/url-host.js';
import { calleeName, gatherWalkLists, WalkPicks } from './shared/walk-lists.js';

/**
 * The request's own address stays on this site, and so does a URL whose host
 * was checked or a path checked to start with one slash.
 */
const OPTIONS: TaintOptions = { safe: ['origin'], sources: ['dom'], isTolerated: isOwnAddress };

type MessageId = 'tainted';

export default defineRule({
  meta: {
    id: 'open-redirect',
    title: 'Redirect to a URL taken from the request',
    summary:
      'Flags redirects whose target comes from the client’s request or the page address. A link to a trusted login page can then send the patient on to a look-alike site that collects credentials, or to a `javascript:` URL.',
    severity: 'medium',
    precision: 'high',
    cwe: [601],
    owasp: 'A01:2021-Broken Access Control',
    messages: {
      tainted:
        '{{source}} from the {{origin}} sets the target of the redirect made by {{method}}; check it against an allowlist, or accept only paths that start with a single /.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const { lists, visitors } = gatherWalkLists(context, ['invocations', 'assignments', 'methods']);
    return {
      ...visitors,
      onEnd() {
        const picks = new WalkPicks();
        picks.addWhere(lists.invocations, (node) => mayRedirect(calleeName(node.expression), ts.isNewExpression(node)));
        picks.addWhere(lists.assignments, mayAssignLocation);
        picks.addWhere(lists.methods, hasDecorators);
        // In walk order, so that findings come in the order of the code.
        for (const node of picks.inWalkOrder()) {
          if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
            const sink = getRedirectCall(sem, node);
            if (sink) reportRedirect(context, sink, getCallTarget(node));
          } else if (ts.isBinaryExpression(node)) {
            const sink = getLocationAssignment(sem, node);
            if (sink) reportRedirect(context, sink, node);
          } else if (ts.isMethodDeclaration(node)) {
            for (const sink of getNestRedirectReturns(sem, node)) reportRedirect(context, sink, sink.url);
          }
        }
      },
    };
  },
});

/** `@Redirect()` sits on a method with decorators. */
function hasDecorators(method: ts.MethodDeclaration): boolean {
  return method.modifiers?.some(ts.isDecorator) ?? false;
}

function reportRedirect(context: RuleContext<MessageId>, sink: RedirectSink, node: ReportTarget): void {
  const taint = judgeUrlHost(context.semantics, sink.url, OPTIONS);
  reportTaint(context, taint, { node, sink: sink.url, messageId: 'tainted', data: { method: sink.method } });
}
