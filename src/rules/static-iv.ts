import { ts } from '../typescript.js';
import type { FileSemantics } from '../analysis/semantics.js';
import { skipOuterExpressions } from '../analysis/syntax.js';
import { defineRule, type ReportDescriptor } from './rule.js';
import { getCallTarget } from './shared/report-target.js';
import { getCipherWeakness, getCryptoApi, getStaticBytesReason, mayUseCryptoApi, type StaticBytesReason } from './shared/crypto-apis.js';
import { getStrings, lookupOption } from './shared/option-lookup.js';
import { gatherWalkLists } from './shared/walk-lists.js';

type MessageId = StaticBytesReason;

/** The packages whose ciphers this rule checks, as the file imports them. */
const PACKAGES = new Set(['crypto', 'crypto-js', 'node-forge']);

/** Options of Web Crypto algorithms that contain the IV, nonce or counter block. */
const WEB_CRYPTO_IV_OPTIONS = ['iv', 'counter'];

export default defineRule<MessageId>({
  meta: {
    id: 'static-iv',
    title: 'Constant or reused initialization vector',
    summary:
      'Flags encryption whose IV or nonce is the same for every message: a literal, a zero-filled buffer, a value from configuration, a slice of the key, or random bytes drawn once and reused. With CBC equal plaintexts give equal ciphertexts; with GCM and CTR a repeated nonce reveals the XOR of plaintexts and lets an attacker forge messages.',
    severity: 'medium',
    precision: 'high',
    cwe: [329],
    owasp: 'A02:2021-Cryptographic Failures',
    messages: {
      constant: 'The IV passed to {{method}}() is a constant, so every message is encrypted with the same IV; generate it with randomBytes() for each message and store it with the ciphertext.',
      configuration: 'The IV passed to {{method}}() comes from configuration, so every message is encrypted with the same IV; generate it with randomBytes() for each message.',
      key: 'The IV passed to {{method}}() is cut from the key, so every message is encrypted with the same IV; generate it with randomBytes() for each message.',
      reused: 'The IV passed to {{method}}() is drawn once and reused by every call; generate it with randomBytes() inside the function that encrypts.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const report = (descriptor: ReportDescriptor<MessageId>): void => context.report(descriptor);
    const check = (call: ts.CallExpression): void => {
      const api = getCryptoApi(sem, call.expression);
      if (!api) return;
      const path = api.path.join('.');

      if (api.library === 'node' && api.direct && path === 'createCipheriv') {
        const [algorithm, , iv] = call.arguments;
        if (!iv || (algorithm && getStrings(sem.evaluate(algorithm)).some((name) => getCipherWeakness(name) === 'ecb'))) return;
        const reason = getStaticBytesReason(sem, iv, call);
        if (reason) report({ node: getCallTarget(call), messageId: reason, data: { method: 'createCipheriv' }, related: getDefinition(sem, iv) });
        return;
      }
      if (api.library === 'node' && api.direct && /^(webcrypto\.)?subtle\.encrypt$/.test(path)) {
        checkIvOption(sem, call, call.arguments[0], WEB_CRYPTO_IV_OPTIONS, 'subtle.encrypt', report);
        return;
      }
      if (api.library === 'crypto-js' && api.direct && api.path.length === 2 && api.path[1] === 'encrypt') {
        checkIvOption(sem, call, call.arguments[2], ['iv'], `CryptoJS.${api.path[0]}.encrypt`, report);
        return;
      }
      // `forge.cipher.createCipher('AES-CBC', key)` returns a cipher whose `start({ iv })` sets the IV.
      if (api.library === 'node-forge' && !api.direct && path === 'cipher.createCipher.start') {
        checkIvOption(sem, call, call.arguments[0], ['iv'], 'cipher.start', report);
      }
    };
    const { lists, visitors } = gatherWalkLists(context, ['invocations']);
    return {
      ...visitors,
      onEnd() {
        if (!mayUseCryptoApi(sem.sourceFile, PACKAGES)) return;
        for (const call of lists.calls.nodes) check(call);
      },
    };
  },
});

function checkIvOption(
  sem: FileSemantics,
  call: ts.CallExpression,
  options: ts.Expression | undefined,
  names: readonly string[],
  method: string,
  report: (descriptor: ReportDescriptor<MessageId>) => void,
): void {
  if (!options) return;
  for (const name of names) {
    const lookup = lookupOption(sem, options, [name]);
    if (lookup.kind !== 'set' || !lookup.expression) continue;
    const reason = getStaticBytesReason(sem, unwrapEncoder(sem, lookup.expression), call);
    if (!reason) continue;
    report({ node: lookup.node, messageId: reason, data: { method }, related: getDefinition(sem, lookup.expression) });
    return;
  }
}

/** `CryptoJS.enc.Hex.parse('00…')` and `forge.util.hexToBytes('00…')` turn text into the IV bytes, so the text decides. */
function unwrapEncoder(sem: FileSemantics, expression: ts.Expression): ts.Expression {
  const node = skipOuterExpressions(expression);
  if (!ts.isCallExpression(node) || !node.arguments[0]) return expression;
  const api = getCryptoApi(sem, node.expression);
  if (api?.library === 'crypto-js' && api.direct && api.path[0] === 'enc' && api.path[2] === 'parse') return node.arguments[0];
  if (api?.library === 'node-forge' && api.path[0] === 'util') return node.arguments[0];
  return expression;
}

/** Points at the variable that contains the IV, when the call reads one. */
function getDefinition(sem: FileSemantics, expression: ts.Expression): ReportDescriptor['related'] {
  const node = skipOuterExpressions(expression);
  if (!ts.isIdentifier(node)) return [];
  const declaration = sem.resolve(node);
  if (declaration?.kind !== 'variable') return [];
  return [{ node: declaration.node, message: `${node.text} is defined here.` }];
}
