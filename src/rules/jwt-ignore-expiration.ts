import { defineRule } from './rule.js';
import { describeCallee, getJwtOperations, getModuleOptionPath, getOperationOptions, type JwtOperation } from './shared/jwt.js';
import { isTrue, lookupOption } from './shared/jwt-options.js';
import { gatherWalkLists } from './shared/walk-lists.js';

export default defineRule({
  meta: {
    id: 'jwt-ignore-expiration',
    title: 'JWT verified with ignoreExpiration',
    summary:
      'Flags JSON Web Token verification with `ignoreExpiration: true` (jsonwebtoken, NestJS `JwtService` and `JwtModule`, express-jwt, koa-jwt, passport-jwt, fast-jwt and @fastify/jwt). Expired tokens then pass, so a token that leaked or belongs to a signed-out session keeps working until the signing key changes.',
    severity: 'high',
    precision: 'very-high',
    cwe: [613],
    owasp: 'A07:2021-Identification and Authentication Failures',
    messages: {
      ignored: '{{callee}} accepts expired tokens because ignoreExpiration is true.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const { lists, visitors } = gatherWalkLists(context, ['invocations']);
    return {
      ...visitors,
      onEnd() {
        for (const operation of getJwtOperations(sem, lists)) {
          for (const path of getIgnoreExpirationPaths(operation)) {
            const found = lookupOption(sem, getOperationOptions(operation), path);
            if (found.kind !== 'set' || !isTrue(found.value)) continue;
            context.report({ node: found.node, messageId: 'ignored', data: { callee: describeCallee(operation) } });
          }
        }
      },
    };
  },
});

/** Lists the option paths where each kind of verification reads `ignoreExpiration`. jose has no such option. */
function getIgnoreExpirationPaths(operation: JwtOperation): string[][] {
  if (operation.library === 'jose') return [];
  switch (operation.kind) {
    case 'verify':
      return [['ignoreExpiration']];
    case 'verifier':
      return [['ignoreExpiration'], ['jsonWebTokenOptions', 'ignoreExpiration']];
    case 'module':
      return [[...getModuleOptionPath(operation, 'verify'), 'ignoreExpiration']];
    default:
      return [];
  }
}
