import { defineRule } from './rule.js';
import { getCallTarget } from './shared/report-target.js';
import { describeCallee, getJwtOperation } from './shared/jwt.js';
import { findClaimUse, isTokenVerified } from './shared/jwt-claims.js';

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
    return {
      CallExpression(call) {
        const operation = getJwtOperation(sem, call);
        if (operation?.kind !== 'decode' || isTokenVerified(sem, operation)) return;
        const use = findClaimUse(sem, call);
        if (!use) return;
        context.report({
          node: getCallTarget(call),
          messageId: 'unverified',
          data: { callee: operation.library === 'base64' ? 'Decoding the payload by hand' : describeCallee(operation), use: use.description },
          related: [{ node: use.node, message: 'The unverified claims are used here.' }],
        });
      },
    };
  },
});
