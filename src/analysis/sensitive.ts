/**
 * The classifier of sensitive data names, shared by every rule that cares
 * whether a field, variable or key holds secrets or personal data. Names are
 * split into words whatever their case style (`newPassword`, `date_of_birth`,
 * `x-api-key`), then matched as word sequences.
 */

/**
 * - `credential`: passwords, secrets, private and API keys;
 * - `token`: bearer and session tokens, authorization headers, cookies, one-time codes;
 * - `health`: medical and health data (PHI under HIPAA, special category data under GDPR);
 * - `identity`: government identifiers and birth dates;
 * - `financial`: card and bank account numbers.
 */
export type SensitiveKind = 'credential' | 'token' | 'health' | 'identity' | 'financial';

const PHRASES: Array<[SensitiveKind, string[]]> = [
  [
    'credential',
    [
      'password',
      'passwd',
      'pwd',
      'passphrase',
      'secret',
      'private key',
      'privatekey',
      'api key',
      'apikey',
      'access key',
      'secret key',
      'client secret',
      'credentials',
      'credential',
      'pin',
      'pin code',
      'security answer',
      'master key',
      'encryption key',
      'signing key',
    ],
  ],
  [
    'token',
    [
      'token',
      'access token',
      'refresh token',
      'id token',
      'bearer',
      'jwt',
      'authorization',
      'auth header',
      'cookie',
      'cookies',
      'session id',
      'sessionid',
      'sid',
      'otp',
      'totp',
      'mfa code',
      'verification code',
      'reset code',
      'one time code',
      'auth code',
      'x api key',
    ],
  ],
  [
    'health',
    [
      'diagnosis',
      'diagnoses',
      'diagnostic',
      'mrn',
      'medical record',
      'medical record number',
      'medical history',
      'health record',
      'health data',
      'insurance id',
      'insurance number',
      'insurance member id',
      'member id',
      'policy number',
      'prescription',
      'prescriptions',
      'medication',
      'medications',
      'lab result',
      'lab results',
      'test result',
      'treatment',
      'icd',
      'icd10',
      'icd code',
      'allergy',
      'allergies',
      'blood type',
      'medical condition',
      'health condition',
      'chronic condition',
      'symptom',
      'symptoms',
      'clinical notes',
      'clinical note',
      'doctor notes',
      'hiv status',
      'genetic',
      'disability',
      'mental health',
      'pregnancy',
    ],
  ],
  [
    'identity',
    [
      'ssn',
      'social security',
      'social security number',
      'national id',
      'national insurance number',
      'nin',
      'passport',
      'passport number',
      'driver license',
      'drivers license',
      'driving licence',
      'tax id',
      'dob',
      'date of birth',
      'birth date',
      'birthdate',
      'birthday',
    ],
  ],
  [
    'financial',
    ['card number', 'credit card', 'cc number', 'card pan', 'cvv', 'cvc', 'cvv2', 'iban', 'account number', 'routing number', 'bank account', 'card details'],
  ],
  // Plurals and further health terms, for lists and records that log rules meet: `tokens`, `vitals`.
  ['credential', ['passwords', 'secrets', 'passcode']],
  ['token', ['tokens']],
  ['health', ['phi', 'vitals', 'vital signs', 'blood pressure', 'heart rate', 'immunization', 'immunizations', 'vaccination']],
];

/**
 * Last words that make a name describe the data rather than hold it:
 * `passwordLength`, `TOKEN_HEADER`, `passwordField`, `tokenExpiresAt`, `cardType`.
 */
const DESCRIPTIVE_ENDINGS = new Set([
  'length',
  'len',
  'count',
  // Counters: `ssnMismatches`, `diagnosisCodesLoaded`, `tokensIssuedTotal`.
  'counts',
  'total',
  'totals',
  'mismatches',
  'matches',
  'loaded',
  'processed',
  'skipped',
  'language',
  'locale',
  'header',
  'headers',
  'field',
  'fields',
  'name',
  'names',
  'type',
  'types',
  'path',
  'url',
  'uri',
  'route',
  'prefix',
  'suffix',
  'policy',
  'rule',
  'rules',
  'regex',
  'pattern',
  'min',
  'max',
  'required',
  'expiry',
  'expires',
  'expiration',
  'expired',
  'ttl',
  'at',
  'label',
  'placeholder',
  'hint',
  'strength',
  'changed',
  'updated',
  'valid',
  'validator',
  'validation',
  'hash',
  'hashed',
  'digest',
  'rotation',
  'days',
  'version',
  'provider',
  'store',
  'service',
  'manager',
  'strategy',
  'schema',
  'dto',
  'key',
  'id',
  'ids',
  'enabled',
  'mode',
  'status',
  'error',
  'message',
  'format',
  'config',
  'options',
  'env',
  'file',
  'endpoint',
  // Names about a token or password rather than holding one: `jwtIssuer`, `passwordAttempts`, `tokenSource`, `secretsClient`.
  'issuer',
  'audience',
  'algorithm',
  'algorithms',
  'alg',
  'attempts',
  'attempt',
  'tries',
  'retries',
  'score',
  'source',
  'scheme',
  'present',
  'provided',
  'missing',
  'exists',
  'consent',
  'preference',
  'preferences',
  // States of the data rather than the data: `labResultsReady`, `prescriptionPending`, `diagnosisAvailable`.
  'ready',
  'pending',
  'available',
  'complete',
  'completed',
  'verified',
  'requested',
  'sent',
  'issued',
  'revoked',
  'mismatch',
  'generator',
  'parser',
  'decoder',
  'encoder',
  'template',
  'cache',
  'client',
  'repository',
  'repo',
  'module',
  'controller',
  'guard',
  'middleware',
  'handler',
  'helper',
  'factory',
  'builder',
  'loader',
  'verifier',
  'signer',
  'settings',
  'location',
  'email',
  'emails',
  'phone',
  'user',
  'owner',
]);

/** First words that make a name describe the data: `hashedPassword`, `isToken`, `hasSecret`, `maskedCard`. */
const DESCRIPTIVE_STARTS = new Set(['hashed', 'has', 'is', 'should', 'masked', 'redacted', 'encrypted', 'num', 'max', 'min', 'show', 'needs', 'require', 'requires', 'validate', 'check', 'reset', 'forgot', 'without', 'no', 'safe', 'public', 'sanitized', 'can', 'did', 'was', 'allow', 'allowed', 'total', 'on', 'handle', 'contains', 'includes']);

/** Keys that hold the value even though their last word is descriptive, such as `apiKey` and `insuranceId`. */
const VALUE_ENDINGS: Array<[SensitiveKind, RegExp]> = [
  ['credential', /(^| )(api|access|secret|private|client|master|encryption|signing|app) key$/],
  // Keys that sign or verify tokens and cookies: `JWT_KEY`, `hmacKey`, passport-jwt's `secretOrKey`.
  ['credential', /(^| )(jwt|hmac|session|cookie|auth|webhook|license|secret or) key$/],
  // Short forms of password: nodemailer's `auth.pass`, `DB_PASS`, `SMTP_PASS`.
  ['credential', /^((db|database|smtp|mail|email|redis|mongo|mysql|postgres|pg|admin|root|user|ftp|proxy|ldap|auth|basic|amqp|rabbit|mq) )?pass$/],
  ['token', /(^| )x api key$/],
  ['token', /(^| )session id$/],
  ['health', /(^| )(insurance|member|patient mrn|medical record) id$/],
  ['identity', /(^| )(national|tax) id$/],
  // One-time tokens and codes, whose first word would otherwise read as descriptive: `resetToken`, `forgotPasswordCode`.
  ['token', /(^| )(reset|reset password|forgot password|password reset|verification|magic link|invite|invitation|confirmation|activation) (token|code)$/],
  ['token', /(^| )(reset|magic) link$/],
];

/** Splits a name into lower-case words: `newPassword`, `date_of_birth` and `X-API-Key` all work. */
export function splitWords(name: string): string[] {
  let words = wordCache.get(name);
  if (!words) {
    words = name
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((word) => word.toLowerCase());
    if (wordCache.size > 20_000) wordCache.clear();
    wordCache.set(name, words);
  }
  return words;
}

const wordCache = new Map<string, string[]>();

const cache = new Map<string, SensitiveKind | null>();

/**
 * Classifies a field, variable or key name, or returns undefined when it does
 * not name sensitive data. `extra` adds names from the configuration, which
 * count as health data.
 */
export function classifyName(name: string, extra: readonly string[] = []): SensitiveKind | undefined {
  const key = extra.length > 0 ? `${name}\0${extra.join('\0')}` : name;
  const cached = cache.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const result = classifyUncached(name, extra);
  if (cache.size > 10_000) cache.clear();
  cache.set(key, result ?? null);
  return result;
}

function classifyUncached(name: string, extra: readonly string[]): SensitiveKind | undefined {
  const words = splitWords(name);
  if (words.length === 0) return undefined;
  const phrase = words.join(' ');

  for (const [kind, pattern] of VALUE_ENDINGS) if (pattern.test(phrase)) return kind;

  for (const entry of extra) {
    const extraPhrase = splitWords(entry).join(' ');
    if (extraPhrase && containsPhrase(phrase, extraPhrase)) return 'health';
  }

  const last = words[words.length - 1]!;
  if (words.length > 1 && DESCRIPTIVE_ENDINGS.has(last)) return undefined;
  if (words.length > 1 && DESCRIPTIVE_STARTS.has(words[0]!)) return undefined;

  for (const [kind, phrases] of PHRASES) {
    for (const candidate of phrases) {
      if (containsPhrase(phrase, candidate)) return kind;
    }
  }
  return undefined;
}

/** True when the word sequence contains the candidate's words, whole and in order. */
function containsPhrase(phrase: string, candidate: string): boolean {
  if (phrase === candidate) return true;
  return ` ${phrase} `.includes(` ${candidate} `);
}

/** Describes a kind for messages: "a password or secret", "health data". */
export function describeKind(kind: SensitiveKind): string {
  switch (kind) {
    case 'credential':
      return 'a password or secret';
    case 'token':
      return 'a token or credential';
    case 'health':
      return 'health data';
    case 'identity':
      return 'a personal identifier';
    case 'financial':
      return 'payment data';
  }
}
