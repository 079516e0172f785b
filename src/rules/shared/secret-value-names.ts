import { classifyName, splitWords } from '../../analysis/sensitive.js';

/**
 * Names of values that must be unpredictable or that hold credentials, for
 * rules that judge a value by what it is called: a random value stored as
 * `resetToken`, a hash computed for `signature`, a password hashed with MD5.
 *
 * - `password`: a password, passphrase or PIN chosen by a person;
 * - `secret`: a token, key, nonce, salt, signature, session id or one-time code.
 */
export type SecretNameKind = 'password' | 'secret';

const PASSWORD_WORDS = new Set(['password', 'passwd', 'pwd', 'passphrase', 'passcode', 'pin']);

/** Words that name a secret on their own, or as the end of a joined word such as `resettoken`. */
const SECRET_WORDS = new Set([
  'token',
  'secret',
  'nonce',
  'salt',
  'otp',
  'totp',
  'hotp',
  'csrf',
  'xsrf',
  'sid',
  'jwt',
  'bearer',
  'credential',
  'credentials',
  'signature',
  'hmac',
  'verifier',
  'challenge',
  'apikey',
  'sessionid',
  'session',
]);
const JOINED_SECRET_ENDINGS = ['token', 'secret', 'password', 'passwd', 'apikey', 'sessionid', 'nonce'];

/** Words before `key` that make it a credential, such as `apiKey` and `signingKey`, while a bare `key` is a map or cache key. */
const KEY_QUALIFIERS = new Set(['api', 'secret', 'access', 'private', 'signing', 'encryption', 'license', 'session', 'auth', 'master', 'client', 'hmac', 'aes', 'crypto', 'cipher', 'invite', 'recovery', 'activation']);

/** Words that make a `code`, `link`, `url` or `id` a secret: `resetCode`, `magicLink`, `inviteId`. */
const CODE_QUALIFIERS = new Set([
  'reset',
  'verification',
  'verify',
  'confirmation',
  'confirm',
  'activation',
  'activate',
  'otp',
  'auth',
  'authorization',
  'login',
  'signin',
  'invite',
  'invitation',
  'magic',
  'mfa',
  '2fa',
  'twofa',
  'sms',
  'recovery',
  'backup',
  'access',
  'security',
  'pairing',
  'unlock',
  'onetime',
]);
const QUALIFIED_WORDS = new Set(['code', 'codes', 'link', 'url', 'id', 'key', 'hash']);

/** Last words that describe a secret rather than hold it: `tokenLength`, `sessionTimeout`, `passwordField`. */
const DESCRIPTIVE_ENDINGS = new Set([
  'length',
  'len',
  'size',
  'count',
  'counter',
  'expiry',
  'expires',
  'expiration',
  'expired',
  'ttl',
  'at',
  'date',
  'time',
  'timestamp',
  'timeout',
  'type',
  'types',
  'name',
  'names',
  'header',
  'headers',
  'field',
  'fields',
  'path',
  'prefix',
  'suffix',
  'label',
  'hint',
  'index',
  'idx',
  'attempts',
  'attempt',
  'retries',
  'retry',
  'delay',
  'interval',
  'ms',
  'seconds',
  'minutes',
  'version',
  'format',
  'policy',
  'rule',
  'rules',
  'regex',
  'pattern',
  'strength',
  'store',
  'storage',
  'service',
  'manager',
  'repository',
  'repo',
  'schema',
  'dto',
  'model',
  'table',
  'collection',
  'cache',
  'map',
  'list',
  'set',
  'config',
  'options',
  'enabled',
  'required',
  'valid',
  'invalid',
  'error',
  'errors',
  'message',
  'status',
  'state',
  'mode',
  'ids',
  'jitter',
  'backoff',
  'sample',
  'rate',
  'ratio',
  'probability',
  'chance',
  'weight',
  'offset',
  'score',
  'noise',
  'seed',
  'color',
  'colour',
  'percent',
  'percentage',
  'factor',
  // Where a value goes or what shows it, not the value: `sessionServer`, `secretNotesPanel`.
  'server',
  'servers',
  'host',
  'hosts',
  'shard',
  'replica',
  'region',
  'panel',
  'dialog',
  'modal',
  'button',
  'shortcut',
  'consent',
]);

/** True for a name of several words whose last word describes the value rather than naming it: `passwordChangedAt`, `tokenCount`. */
export function isDescriptiveName(name: string): boolean {
  const words = splitWords(name);
  return words.length > 1 && DESCRIPTIVE_ENDINGS.has(words[words.length - 1]!);
}

export interface SecretNameOptions {
  /** Last words that still name the secret for this rule, such as `hash` for a hashed token. */
  keepEndings?: readonly string[];
}

/** Classifies a variable, property, parameter or function name, or returns undefined when it names no secret. */
export function classifySecretName(name: string, options: SecretNameOptions = {}): SecretNameKind | undefined {
  const words = splitWords(name);
  if (words.length === 0) return undefined;
  const last = words[words.length - 1]!;
  if (words.length > 1 && DESCRIPTIVE_ENDINGS.has(last) && !options.keepEndings?.includes(last)) return undefined;

  // `passwordResetToken` is a token: the word that ends the name decides between the two kinds.
  const isPassword = words.some((word) => PASSWORD_WORDS.has(word) || word.endsWith('password') || word.endsWith('passwd'));
  const isSecret = namesSecret(words);
  if (isPassword && isSecret) return SECRET_WORDS.has(last) || QUALIFIED_WORDS.has(last) ? 'secret' : 'password';
  if (isPassword) return 'password';
  if (isSecret) return 'secret';

  const kind = words.length > 1 && DESCRIPTIVE_ENDINGS.has(last) ? undefined : classifyName(name);
  if (kind === 'credential') return 'secret';
  if (kind === 'token' && !words.includes('cookie') && !words.includes('cookies') && !words.includes('authorization')) return 'secret';
  return undefined;
}

function namesSecret(words: readonly string[]): boolean {
  if (words.some((word) => SECRET_WORDS.has(word) || JOINED_SECRET_ENDINGS.some((ending) => word.length > ending.length && word.endsWith(ending)))) {
    return true;
  }
  for (let index = 0; index < words.length; index++) {
    const word = words[index]!;
    if (word === 'key' && index > 0 && KEY_QUALIFIERS.has(words[index - 1]!)) return true;
    if (QUALIFIED_WORDS.has(word) && words.slice(0, index).some((before) => CODE_QUALIFIERS.has(before))) return true;
  }
  return words.join('').includes('onetime') && words.includes('code');
}

/** True when a name is a password chosen by a person, not a hash of one: `password`, `newPassword`, `pin`. */
export function isPasswordName(name: string): boolean {
  return classifySecretName(name) === 'password';
}

/** Names of values that a person typed to prove who they are, for password-policy and hashing rules. */
export function mentionsPassword(name: string): boolean {
  return splitWords(name).some((word) => PASSWORD_WORDS.has(word) || word.endsWith('password'));
}
