import type { ImportRef } from '../engine/facts.js';
import { defineRule } from './rule.js';
import { getFactPlace, type FactPlace } from './shared/fact-place.js';
import { describeCallee, getJwtOperations, getModuleOptionPath, getOperationOptions, type JwtOperation } from './shared/jwt.js';
import { toImportValue } from './shared/jwt-facts.js';
import { isTrue, lookupOption } from './shared/jwt-options.js';
import { gatherWalkLists } from './shared/walk-lists.js';

/** A verification whose `ignoreExpiration` comes from another module: `jwt.verify(token, key, verifyOptions)`. */
interface ImportedOptionFact extends FactPlace {
  ref: ImportRef;
  callee: string;
}

export default defineRule<'ignored', ImportedOptionFact>({
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
            if (found.kind === 'imported') {
              context.addFact({ ...getFactPlace(sem.sourceFile, operation.node), ref: found.ref, callee: describeCallee(operation) });
              continue;
            }
            if (found.kind !== 'set' || !isTrue(found.value)) continue;
            context.report({ node: found.node, messageId: 'ignored', data: { callee: describeCallee(operation) } });
          }
        }
      },
    };
  },
  project(context) {
    for (const { file, facts } of context.facts<ImportedOptionFact>()) {
      for (const fact of facts) {
        const value = context.resolveValue(file, toImportValue(fact.ref));
        if (!isTrue(value)) continue;
        context.report({ file, location: fact.location, messageId: 'ignored', data: { callee: fact.callee }, fingerprintKey: fact.key });
      }
    }
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
