import { ts } from '../typescript.js';
import type { FileSemantics } from '../analysis/semantics.js';
import { defineRule, type RuleContext } from './rule.js';
import { getCallTarget } from './shared/report-target.js';
import { getCipherWeakness, getCryptoApi, getForgeDigest, getOneCallHash, HASH_PACKAGES, isWeakHash, mayUseCryptoApi, type CryptoApi } from './shared/crypto-apis.js';
import { getHashPurpose, getHashUse } from './shared/hash-purpose.js';
import { getNumber } from './shared/numeric-settings.js';
import { getStrings, lookupOption } from './shared/option-lookup.js';
import { gatherWalkLists } from './shared/walk-lists.js';

/** The packages whose APIs this rule checks, as the file imports them. */
const PACKAGES = new Set(['crypto', 'crypto-js', 'node-forge', 'node-rsa', ...HASH_PACKAGES]);

/** RSA, DSA and Diffie-Hellman moduli below 2048 bits give less than the 112 bits of security that NIST SP 800-57 Part 1 requires. */
const MIN_MODULUS_BITS = 2048;

/** Predefined Diffie-Hellman groups of 768 and 1024 bits (RFC 2409). */
const WEAK_DH_GROUPS = new Set(['modp1', 'modp2']);

/** crypto-js ciphers that are broken: DES, Triple DES and RC4. */
const CRYPTO_JS_WEAK_CIPHERS = new Set(['DES', 'TripleDES', 'RC4', 'RC4Drop']);

type MessageId = 'weakCipher' | 'ecbMode' | 'createCipher' | 'passphrase' | 'weakHash' | 'weakSignature' | 'shortKey' | 'weakDhGroup';

export default defineRule<MessageId>({
  meta: {
    id: 'weak-cryptography',
    title: 'Broken or weak cryptographic algorithm',
    summary:
      'Flags encryption with broken ciphers (DES, Triple DES, RC4, RC2, Blowfish) or ECB mode, `createCipher` without an IV, MD5 and SHA-1 digests of tokens, keys and signatures, and RSA, DSA or Diffie-Hellman keys shorter than 2048 bits. Data protected this way can be read or forged.',
    severity: 'high',
    precision: 'high',
    cwe: [327, 328, 326],
    owasp: 'A02:2021-Cryptographic Failures',
    messages: {
      weakCipher: 'Cipher {{algorithm}} is broken; use aes-256-gcm or chacha20-poly1305.',
      ecbMode: '{{algorithm}} uses ECB mode, which encrypts equal blocks to equal ciphertext; use aes-256-gcm with a random IV.',
      createCipher: 'createCipher() derives the key from a password with one round of MD5 and uses no IV; use createCipheriv() with a random IV.',
      passphrase: 'CryptoJS.{{algorithm}}.encrypt() takes a string key as a passphrase and derives the key and IV from it with one round of MD5; pass a key parsed with CryptoJS.enc.Hex.parse() and a random IV.',
      weakHash: '{{algorithm}} protects {{purpose}} here, and {{algorithm}} collisions are practical; use SHA-256 or HMAC-SHA-256.',
      weakSignature: 'Signature with {{algorithm}}, whose collisions are practical; sign with SHA-256 or stronger.',
      shortKey: '{{kind}} key of {{bits}} bits is too short; use at least 2048 bits.',
      weakDhGroup: 'Diffie-Hellman group {{group}} is shorter than 2048 bits; use modp14 or larger, or ECDH.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const { lists, visitors } = gatherWalkLists(context, ['invocations']);
    return {
      ...visitors,
      onEnd() {
        if (!mayUseCryptoApi(sem.sourceFile, PACKAGES)) return;
        for (const node of lists.invocations.nodes) {
          if (ts.isCallExpression(node)) checkCall(context, node);
          else checkNew(context, node);
        }
      },
    };
  },
});

function checkCall(context: RuleContext<MessageId>, call: ts.CallExpression): void {
  const api = getCryptoApi(context.semantics, call.expression);
  if (!api?.direct) return;
  if (api.library === 'node') checkNodeCrypto(context, call, api);
  else if (api.library === 'crypto-js') checkCryptoJs(context, call, api);
  else if (api.library === 'node-forge') checkForge(context, call, api);
  else checkOneCallHash(context, call, api);
}

function checkNew(context: RuleContext<MessageId>, expression: ts.NewExpression): void {
  const api = getCryptoApi(context.semantics, expression.expression);
  if (api?.library !== 'node-rsa' || !api.direct || !expression.arguments?.[0]) return;
  checkModulus(context, expression.arguments[0], ['b'], 'RSA', expression);
}

function checkNodeCrypto(context: RuleContext<MessageId>, call: ts.CallExpression, api: CryptoApi): void {
  const sem = context.semantics;
  const name = api.path.length === 1 ? api.path[0] : undefined;
  const [first, second] = call.arguments;
  switch (name) {
    case 'createCipheriv':
      if (first) checkCipherName(context, call, getStrings(sem.evaluate(first)));
      return;
    case 'createCipher':
      context.report({ node: getCallTarget(call), messageId: 'createCipher' });
      return;
    case 'createHash':
      if (first) checkHashName(context, call, getStrings(sem.evaluate(first)), false);
      return;
    case 'createHmac':
      // HMAC-SHA-1 is still a sound MAC, and TOTP is built on it. HMAC-MD5 is not to be used in new designs (RFC 6151).
      if (first) checkHashName(context, call, getStrings(sem.evaluate(first)).filter((name) => /^(md4|md5)$/i.test(name)), false);
      return;
    case 'createSign':
    case 'sign': {
      const algorithm = first ? getStrings(sem.evaluate(first)).find(isWeakHash) : undefined;
      if (algorithm) context.report({ node: getCallTarget(call), messageId: 'weakSignature', data: { algorithm } });
      return;
    }
    case 'generateKeyPair':
    case 'generateKeyPairSync': {
      const type = first ? getStrings(sem.evaluate(first))[0] : undefined;
      if (!second || !type || !/^(rsa|rsa-pss|dsa|dh)$/i.test(type)) return;
      checkModulus(context, second, ['modulusLength'], type.toUpperCase().replace('-PSS', ''), call);
      return;
    }
    case 'createDiffieHellman': {
      const bits = first ? getNumber(sem, first) : undefined;
      if (bits !== undefined && bits < MIN_MODULUS_BITS) {
        context.report({ node: getCallTarget(call), messageId: 'shortKey', data: { kind: 'Diffie-Hellman', bits } });
      }
      return;
    }
    case 'getDiffieHellman':
    case 'createDiffieHellmanGroup': {
      const group = first ? getStrings(sem.evaluate(first))[0] : undefined;
      if (group && WEAK_DH_GROUPS.has(group)) context.report({ node: getCallTarget(call), messageId: 'weakDhGroup', data: { group } });
      return;
    }
    default:
      return;
  }
}

/** `CryptoJS.DES.encrypt(...)`, `CryptoJS.AES.encrypt(text, key, { mode: CryptoJS.mode.ECB })`, `CryptoJS.MD5(text)`. */
function checkCryptoJs(context: RuleContext<MessageId>, call: ts.CallExpression, api: CryptoApi): void {
  const [cipher, method] = api.path;
  if (cipher && method === 'encrypt' && CRYPTO_JS_WEAK_CIPHERS.has(cipher)) {
    context.report({ node: getCallTarget(call), messageId: 'weakCipher', data: { algorithm: cipher } });
    return;
  }
  if (cipher && method === 'encrypt' && call.arguments[1] && isPassphrase(context.semantics, call.arguments[1])) {
    context.report({ node: call.arguments[1], messageId: 'passphrase', data: { algorithm: cipher } });
    return;
  }
  if (cipher && method === 'encrypt' && call.arguments[2]) {
    const mode = lookupOption(context.semantics, call.arguments[2], ['mode']);
    if (mode.kind === 'set' && mode.expression && isCryptoJsEcb(context.semantics, mode.expression)) {
      context.report({ node: mode.node, messageId: 'ecbMode', data: { algorithm: `CryptoJS.${cipher}` } });
    }
    return;
  }
  checkOneCallHash(context, call, api);
}

/**
 * True when a crypto-js key is a string, which crypto-js reads as a
 * passphrase: a literal, an environment variable or text built from them.
 * A key from `CryptoJS.enc.Hex.parse()` or `PBKDF2()` is a WordArray, and a
 * key of unknown origin is not judged.
 */
function isPassphrase(sem: FileSemantics, key: ts.Expression): boolean {
  if (getCryptoApi(sem, key)?.library === 'crypto-js') return false;
  const value = sem.evaluate(key);
  return value.kind === 'string' || value.kind === 'env' || value.kind === 'concat';
}

function isCryptoJsEcb(sem: FileSemantics, expression: ts.Expression): boolean {
  const api = getCryptoApi(sem, expression);
  return api?.library === 'crypto-js' && api.path.join('.') === 'mode.ECB';
}

/** `forge.cipher.createCipher('DES-ECB', key)`, `forge.md.md5.create()`, `forge.pki.rsa.generateKeyPair({ bits: 1024 })`. */
function checkForge(context: RuleContext<MessageId>, call: ts.CallExpression, api: CryptoApi): void {
  const sem = context.semantics;
  const path = api.path.join('.');
  if (path === 'cipher.createCipher' && call.arguments[0]) {
    checkCipherName(context, call, getStrings(sem.evaluate(call.arguments[0])));
    return;
  }
  if (path === 'pki.rsa.generateKeyPair' && call.arguments[0]) {
    const bits = getNumber(sem, call.arguments[0]);
    if (bits !== undefined) {
      if (bits < MIN_MODULUS_BITS) context.report({ node: getCallTarget(call), messageId: 'shortKey', data: { kind: 'RSA', bits } });
      return;
    }
    checkModulus(context, call.arguments[0], ['bits'], 'RSA', call);
    return;
  }
  const digest = getForgeDigest(api);
  if (digest) checkHashName(context, call, [digest], false);
}

function checkOneCallHash(context: RuleContext<MessageId>, call: ts.CallExpression, api: CryptoApi): void {
  const algorithm = getOneCallHash(api);
  if (algorithm) checkHashName(context, call, [algorithm], true);
}

function checkCipherName(context: RuleContext<MessageId>, call: ts.CallExpression, names: readonly string[]): void {
  for (const algorithm of names) {
    const weakness = getCipherWeakness(algorithm);
    if (!weakness) continue;
    context.report({ node: getCallTarget(call), messageId: weakness === 'ecb' ? 'ecbMode' : 'weakCipher', data: { algorithm } });
    return;
  }
}

/**
 * Reports an MD5 or SHA-1 digest when the names around it mark it as
 * protecting a token, key or signature. Digests of passwords belong to weak-password-hash,
 * and digests for ETags, cache keys and checksums are fine.
 */
function checkHashName(context: RuleContext<MessageId>, call: ts.CallExpression, names: readonly string[], oneCall: boolean): void {
  const algorithm = names.find(isWeakHash);
  if (!algorithm) return;
  const purpose = getHashPurpose(context.semantics, getHashUse(context.semantics, call, oneCall));
  if (purpose !== 'secret') return;
  context.report({
    node: getCallTarget(call),
    messageId: 'weakHash',
    data: { algorithm: algorithm.toUpperCase(), purpose: 'a token, key or signature' },
  });
}

/** Reports a key size option below 2048 bits at the option, or at the call when the size is passed whole. */
function checkModulus(context: RuleContext<MessageId>, options: ts.Expression, path: string[], kind: string, call: ts.CallExpression | ts.NewExpression): void {
  const sem = context.semantics;
  const lookup = lookupOption(sem, options, path);
  if (lookup.kind !== 'set') return;
  const bits = lookup.expression ? getNumber(sem, lookup.expression) : lookup.value.kind === 'number' ? lookup.value.value : undefined;
  if (bits === undefined || bits >= MIN_MODULUS_BITS) return;
  const node = lookup.node === options ? getCallTarget(call) : lookup.node;
  context.report({ node, messageId: 'shortKey', data: { kind, bits } });
}
