import { defineRule } from './rule.js';
import { getCallTarget } from './shared/report-target.js';
import { describeCallee, getJwtOperations } from './shared/jwt.js';
import { findClaimUse, isTokenVerified } from './shared/jwt-claims.js';
import { gatherWalkLists } from './shared/walk-lists.js';

export default defineRule({
  meta: {
    id: 'jwt-decode-without-verify',
    title: 'JWT claims trusted without signature verification',
    summary:
      'Flags JSON Web Tokens decoded without a signature check (jsonwebtoken `decode()`, jose `decodeJwt()`, NestJS `JwtService.decode()`, @fastify/jwt, Hono, jwt-decode, or a hand-made base64 decode) whose claims then decide who the caller is. Anyone can write a token that names another patient or an admin role.',
    severity: 'critical',
    precision: 'high',
    cwe: [345],
    owasp: 'A08:2021-Software and Data Integrity Failures',
    messages: {
      unverified: '{{callee}} reads the token without checking its signature, yet its claims {{use}}.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const { lists, visitors } = gatherWalkLists(context, ['invocations']);
    return {
      ...visitors,
      onEnd() {
        for (const operation of getJwtOperations(sem, lists)) {
          if (operation.kind !== 'decode' || isTokenVerified(sem, operation)) continue;
          const call = operation.node;
          const use = findClaimUse(sem, call);
          if (!use) continue;
          context.report({
            node: getCallTarget(call),
            messageId: 'unverified',
            data: { callee: operation.library === 'base64' ? 'Decoding the payload by hand' : describeCallee(operation), use: use.description },
            related: [{ node: use.node, message: 'The unverified claims are used here.' }],
          });
        }
      },
    };
  },
});
