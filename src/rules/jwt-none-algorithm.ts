import type { Value } from '../analysis/values.js';
import { defineRule } from './rule.js';
import { describeCallee, getJwtOperations, getModuleOptionPath, getOperationOptions, type JwtOperation } from './shared/jwt.js';
import { getStrings, lookupOption } from './shared/jwt-options.js';
import { gatherWalkLists } from './shared/walk-lists.js';

/** An options path that names algorithms, and whether it is for signing or for verifying. */
interface AlgorithmOption {
  path: string[];
  use: 'sign' | 'verify';
}

export default defineRule({
  meta: {
    id: 'jwt-none-algorithm',
    title: "JWT 'none' algorithm allowed",
    summary:
      "Flags JSON Web Tokens signed with the `none` algorithm and verifiers whose `algorithms` list includes `'none'`. Such a token carries no signature, so anyone can write one with any user id or role and the server accepts it.",
    severity: 'critical',
    precision: 'very-high',
    cwe: [347],
    owasp: 'A02:2021-Cryptographic Failures',
    messages: {
      verify: "The algorithms list of {{callee}} accepts 'none', so tokens without a signature pass verification.",
      sign: "{{callee}} signs tokens with the 'none' algorithm, so they carry no signature.",
      unsecured: 'new UnsecuredJWT() builds tokens with no signature.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const { lists, visitors } = gatherWalkLists(context, ['invocations']);
    return {
      ...visitors,
      onEnd() {
        for (const operation of getJwtOperations(sem, lists)) {
          if (operation.kind === 'builder') {
            if (operation.className === 'UnsecuredJWT') context.report({ node: operation.node, messageId: 'unsecured' });
            continue;
          }
          for (const { path, use } of getAlgorithmOptions(operation)) {
            const found = lookupOption(sem, getOperationOptions(operation), path);
            if (found.kind !== 'set' || !allowsNone(found.value)) continue;
            context.report({ node: found.node, messageId: use, data: { callee: describeCallee(operation) } });
          }
        }
      },
    };
  },
});

/**
 * Lists the options where each library reads algorithms. jose is left out: it
 * never verifies an unsecured token, whatever the list contains, and `UnsecuredJWT` is its only
 * way to build one.
 */
function getAlgorithmOptions(operation: JwtOperation): AlgorithmOption[] {
  if (operation.library === 'jose') return [];
  switch (operation.kind) {
    case 'sign':
    case 'signer':
      return [{ path: ['algorithm'], use: 'sign' }];
    case 'verify':
      return [{ path: ['algorithms'], use: 'verify' }];
    case 'verifier':
      return [
        { path: ['algorithms'], use: 'verify' },
        { path: ['jsonWebTokenOptions', 'algorithms'], use: 'verify' },
      ];
    case 'module':
      return [
        { path: [...getModuleOptionPath(operation, 'sign'), 'algorithm'], use: 'sign' },
        { path: [...getModuleOptionPath(operation, 'verify'), 'algorithms'], use: 'verify' },
      ];
    default:
      return [];
  }
}

function allowsNone(value: Value): boolean {
  return getStrings(value).some((algorithm) => algorithm.toLowerCase() === 'none');
}
