import { defineRule } from './rule.js';
import { getOutgoingRequest, mayCallHttpClients } from './shared/http-clients.js';
import { judgeAll, merge, reportTaint, type TaintOptions } from './shared/injection.js';
import { getCallTarget } from './shared/report-target.js';
import { isOwnAddress, judgeUrlHost } from './shared/url-host.js';
import { gatherWalkLists } from './shared/walk-lists.js';

/** The request's own address stays on this site, and a host checked against an allowlist is trusted. */
const OPTIONS: TaintOptions = { safe: ['origin'], isTolerated: isOwnAddress };

export default defineRule({
  meta: {
    id: 'server-side-request-forgery',
    title: 'Request data chooses where the server connects',
    summary:
      'Flags outgoing HTTP requests whose URL or host comes from the client’s request. The client can make the server call internal services, cloud metadata endpoints such as 169.254.169.254, or other hosts that trust it, and read the answers.',
    severity: 'high',
    precision: 'high',
    cwe: [918],
    owasp: 'A10:2021-Server-Side Request Forgery',
    messages: {
      tainted:
        '{{source}} from the {{origin}} chooses the host that {{method}}() connects to; keep the host fixed and encode the data into the path, or check the host against an allowlist.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const { lists, visitors } = gatherWalkLists(context, ['invocations']);
    return {
      ...visitors,
      onEnd() {
        if (!mayCallHttpClients(sem.sourceFile)) return;
        for (const node of lists.invocations.nodes) {
          const request = getOutgoingRequest(sem, node);
          if (!request) continue;
          const taint = judgeAll(sem, request.hosts, OPTIONS);
          for (const url of request.urls) merge(taint, judgeUrlHost(sem, url, OPTIONS));
          reportTaint(context, taint, {
            node: getCallTarget(node),
            sink: request.urls[0] ?? request.hosts[0]!,
            messageId: 'tainted',
            data: { method: request.method },
          });
        }
      },
    };
  },
});
