import { ts } from '../typescript.js';
import type { FileSemantics } from '../analysis/semantics.js';
import { isFunctionNode } from '../analysis/syntax.js';
import { defineRule, type ReportTarget, type RuleContext } from './rule.js';
import {
  getDangerousHtml,
  getHtmlAssignment,
  getHtmlCall,
  getJQueryConstructor,
  getNestHtmlReturns,
  isMarkdownRenderer,
  mayAssignHtml,
  mayWriteHtml,
  type HtmlSink,
} from './shared/html-sinks.js';
import { describePart, judgeTaint, reportTaint } from './shared/injection.js';
import { getCallTarget } from './shared/report-target.js';
import { calleeName, gatherWalkLists, WalkPicks } from './shared/walk-lists.js';

type MessageId = 'tainted' | 'unsanitized';

export default defineRule({
  meta: {
    id: 'cross-site-scripting',
    title: 'Request data written into HTML without escaping',
    summary:
      'Flags HTML built from the client’s request or the page address without escaping (HTML responses, `innerHTML`, `document.write`, jQuery markup), and markup that was not sanitized in `innerHTML` or React’s `dangerouslySetInnerHTML`. A script injected this way runs in the user’s session and can read the patient data on the page.',
    severity: 'high',
    precision: 'high',
    cwe: [79],
    owasp: 'A03:2021-Injection',
    messages: {
      tainted:
        '{{source}} from the {{origin}} is written into HTML by {{method}} without escaping; escape it with escape-html, or sanitize markup with DOMPurify.',
      unsanitized: '{{part}} is parsed as HTML by {{method}} without sanitizing; sanitize it with DOMPurify or sanitize-html first.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const { lists, visitors } = gatherWalkLists(context, ['invocations', 'assignments', 'jsxAttributes', 'methods']);
    return {
      ...visitors,
      onEnd() {
        const picks = new WalkPicks();
        picks.addWhere(lists.calls, (_, index) => mayWriteHtml(lists.callNames[index]));
        picks.addWhere(lists.invocations, (node) => ts.isNewExpression(node) && isResponseClass(node));
        picks.addWhere(lists.assignments, mayAssignHtml);
        picks.addWhere(lists.jsxAttributes, (attribute) => ts.isIdentifier(attribute.name) && attribute.name.text === 'dangerouslySetInnerHTML');
        picks.addWhere(lists.methods, (method) => method.modifiers?.some(ts.isDecorator) ?? false);
        // In walk order, so that findings come in the order of the code.
        for (const node of picks.inWalkOrder()) {
          if (ts.isCallExpression(node)) {
            const sink = getHtmlCall(sem, node) ?? getJQueryConstructor(sem, node);
            if (sink) reportHtml(context, sink, getCallTarget(node));
          } else if (ts.isNewExpression(node)) {
            const sink = getHtmlCall(sem, node);
            if (sink) reportHtml(context, sink, getCallTarget(node));
          } else if (ts.isBinaryExpression(node)) {
            const sink = getHtmlAssignment(sem, node);
            if (sink) reportHtml(context, sink, node);
          } else if (ts.isJsxAttribute(node)) {
            const sink = getDangerousHtml(node);
            if (sink) reportHtml(context, sink, node);
          } else if (ts.isMethodDeclaration(node)) {
            for (const sink of getNestHtmlReturns(sem, node)) reportHtml(context, sink, sink.html);
          }
        }
      },
    };
  },
});

/** `new Response(...)` and `new NextResponse(...)`, the only `new` expressions that write HTML. */
function isResponseClass(node: ts.NewExpression): boolean {
  const name = calleeName(node.expression);
  return name === 'Response' || name === 'NextResponse';
}

function reportHtml(context: RuleContext<MessageId>, sink: HtmlSink, node: ReportTarget): void {
  const sem = context.semantics;
  // Percent-encoding leaves no `<` or `"` for markup either.
  const taint = judgeTaint(sem, sink.html, {
    safe: ['html', 'url'],
    sources: sink.kind === 'response' ? [] : ['dom'],
    isPassThrough: (call) => isMarkdownRenderer(sem, call),
  });
  if (sink.kind === 'response' || sink.kind === 'jquery' || taint.sources.length > 0) {
    reportTaint(context, taint, { node, sink: sink.html, messageId: 'tainted', data: { method: sink.method } });
    return;
  }

  // Markup parsed in the browser or handed to React as trusted must be
  // sanitized whatever its source, because props and API data are often user-written.
  const unsafe = taint.unsafe.filter((leaf) => !(leaf.kind === 'parameter' && isConstantAtEveryCall(sem, leaf.fn, leaf.index)));
  if (unsafe.length === 0 && taint.deferred.length === 0) return;
  const part = unsafe[0]?.node ?? sink.html;
  context.report({
    node,
    messageId: 'unsanitized',
    data: { part: describePart(part), method: sink.method },
    severity: 'medium',
    ...(unsafe.length === 0 ? { unless: taint.deferred } : {}),
  });
}

/** True when a function of this file is called, and every call passes a constant at `index`. */
function isConstantAtEveryCall(sem: FileSemantics, fn: ts.SignatureDeclaration, index: number): boolean {
  if (!isFunctionNode(fn)) return false;
  const callers = sem.getLocalCallers(fn);
  return callers.length > 0 && callers.every((call) => {
    const argument = call.arguments[index];
    return argument !== undefined && sem.flowOf(argument).length === 0;
  });
}
