/**
 * Shared judgement of the secret rules: which names hold credentials, which
 * string values look like real secrets rather than identifiers or
 * placeholders, how a found secret is shown, and which files are test code.
 */
import type { ResolvedConfig } from '../../config/schema.js';
import { classifyName, splitWords } from '../../analysis/sensitive.js';
import type { Severity } from '../../types.js';
import { shannonEntropy } from './secret-formats.js';

/** Severity of secret findings in test code, where fixtures hold fake credentials by design. */
export const TEST_CODE_SEVERITY: Severity = 'low';

/**
 * Shows a secret as its first characters and its length: "DtYz…, 40
 * characters". At most four characters are shown, and never more than a
 * quarter of the value, so a short password is not half given away.
 */
export function maskSecret(value: string): string {
  const visibleCount = Math.min(4, Math.floor(value.length / 4));
  const unit = value.length === 1 ? 'character' : 'characters';
  return `${[...value].slice(0, visibleCount).join('')}…, ${value.length} ${unit}`;
}

/** Words that make a credential-named value a placeholder or a sample: `your-api-key`, `test-secret`. */
const PLACEHOLDER_WORDS = new Set([
  'changeme',
  'change',
  'replace',
  'your',
  'yours',
  'example',
  'examples',
  'sample',
  'placeholder',
  'dummy',
  'fake',
  'mock',
  'test',
  'testing',
  'redacted',
  'todo',
  'fixme',
  'insert',
  'xxx',
  'here',
]);

/** Values that name the credential they stand in for: `password: 'password'`. */
const CREDENTIAL_WORD_VALUES = new Set([
  'secret',
  'password',
  'passwd',
  'pass',
  'pwd',
  'token',
  'apikey',
  'api-key',
  'api_key',
  'key',
]);

/** Whole values that stand in for a credential rather than being one. */
const PLACEHOLDER_VALUES = new Set([
  'none',
  'null',
  'undefined',
  'nil',
  'empty',
  'foo',
  'bar',
  'baz',
  'foobar',
  'demo',
  'admin',
  'root',
  'user',
  'guest',
  'default',
  'abc',
  'abc123',
  '123456',
  '12345678',
  'qwerty',
  'letmein',
  'changeit',
  'local',
  'dev',
  'development',
  'sandbox',
]);

/**
 * True for values that stand in for a secret: empty or masked values,
 * `${...}` and `{{...}}` templates, `<your-key>`, `$DB_PASSWORD`, and values
 * such as `changeme`, `your-api-key`, `test` or `AKIA...EXAMPLE`.
 */
export function isPlaceholder(value: string): boolean {
  return isMarkedPlaceholder(value) || PLACEHOLDER_VALUES.has(value.trim().toLowerCase());
}

/**
 * True for values marked as placeholders by their form or their words:
 * empty or masked values, templates, `<your-key>`, `changeme`, `test`, or
 * the credential's own name, as in `password: 'password'`. Unlike
 * {@link isPlaceholder}, common weak passwords such as `root` and `admin` are
 * not placeholders here, because a database client that receives one uses it.
 */
export function isMarkedPlaceholder(value: string): boolean {
  const trimmed = value.trim();
  if (trimmed === '' || CREDENTIAL_WORD_VALUES.has(trimmed.toLowerCase())) return true;
  if (/^(.)\1*$/.test(trimmed)) return true;
  if (/^[x*.#?_-]+$/i.test(trimmed)) return true;
  if (/\$\{|\{\{|%s|<[^>]*>|^\$[A-Za-z_]/.test(trimmed)) return true;
  if (/example|placeholder|changeme|change[-_]?me|x{4,}|\*{3,}/i.test(trimmed)) return true;
  return splitWords(trimmed).some((word) => PLACEHOLDER_WORDS.has(word));
}

/** `JWT_SECRET`, `DB_PASSWORD`: the name of an environment variable rather than its value. */
export function isEnvironmentVariableName(value: string): boolean {
  return /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value);
}

/**
 * True for identifiers, header and cookie names and words: `x-api-token`,
 * `session_id`, `accessToken`, `ak_`, `JWT_SECRET`. A chunk that mixes
 * letters and digits in the middle (`x9Lq`) is not a word, so random values
 * are never identifiers.
 */
export function isIdentifierLike(value: string): boolean {
  if (isEnvironmentVariableName(value)) return true;
  // Labels of an interface: `API-Key`, `Access-Token`, `API-Schlüssel`, words in any alphabet joined by hyphens or spaces.
  if (/^(?:\p{Lu}+|\p{Lu}?\p{Ll}+)(?:[- ](?:\p{Lu}+|\p{Lu}?\p{Ll}+))+$/u.test(value)) return true;
  if (/^[a-z]+(?:[A-Z][a-z]+)*\d{0,3}$/.test(value)) return true;
  if (/^(?:[A-Z][a-z]+)+\d{0,3}$/.test(value)) return true;
  if (!/^[a-z0-9]+(?:[-_.:][a-z0-9]*)*$/.test(value)) return false;
  return value.split(/[-_.:]/).every((chunk) => /^[a-z]*\d{0,4}$/.test(chunk) || /^\d+[a-z]?$/.test(chunk));
}

/** Route paths, file paths, URLs without credentials, MIME types, e-mail addresses and CSS selectors. */
export function isPathOrAddress(value: string): boolean {
  if (
    /^(?:[#.][A-Za-z_][\w-]*|\[[\w-]+(?:[~|^$*]?=[^\]]*)?\]|[a-z]+\[[\w-]+(?:[~|^$*]?=[^\]]*)?\])(?:[\s>+~]*[#.[\w][^\s]*)*$/.test(
      value,
    )
  )
    return true;
  if (/^(?:\.{0,2}\/|~\/|[A-Za-z]:\\)/.test(value)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return true;
  // An AWS ARN names a resource, a secret of Secrets Manager included, and grants nothing by itself.
  if (/^arn:aws[\w-]*:[\w-]+:/.test(value)) return true;
  // Blockchain account and contract addresses are public, unlike private keys of 64 hex digits.
  if (/^0x[0-9a-fA-F]{40}$/.test(value)) return true;
  if (/^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$/.test(value)) return true;
  return /^[\w-]+(?:\/[\w.-]+)+$/.test(value) && !/\d[a-zA-Z]|[a-zA-Z]\d/.test(value);
}

/**
 * True when a string value held under a credential name looks like a real
 * secret: at least 8 characters, no whitespace, not a placeholder, identifier,
 * path or number, and either two classes of characters (lower case, upper
 * case, digits, symbols) or a long random-looking string.
 */
export function isSecretShaped(value: string): boolean {
  if (value.length < 8 || value.length > 4096) return false;
  if (/\s/.test(value)) return false;
  if (isPlaceholder(value) || isIdentifierLike(value) || isPathOrAddress(value) || isPasswordHash(value)) return false;
  if (/^\d+$/.test(value) && value.length < 16) return false;
  const classes = countCharacterClasses(value);
  const entropy = shannonEntropy(value);
  if (classes < 2) return value.length >= 16 && entropy >= 3.2;
  return entropy >= Math.min(3, Math.log2(value.length) - 0.8);
}

function countCharacterClasses(value: string): number {
  let classes = 0;
  if (/[a-z]/.test(value)) classes++;
  if (/[A-Z]/.test(value)) classes++;
  if (/\d/.test(value)) classes++;
  if (/[^A-Za-z0-9_.-]/.test(value)) classes++;
  return classes;
}

/** Hashes of passwords as stored by bcrypt, argon2, scrypt and PBKDF2: not the password itself. */
export function isPasswordHash(value: string): boolean {
  return (
    /^\$(?:2[abxy]?|argon2(?:id|i|d)|scrypt|pbkdf2(?:-sha\d+)?|6|5)\$/.test(value) || /^pbkdf2_sha\d+\$/.test(value)
  );
}

/**
 * True when a value held under a password name looks like a real password.
 * Passwords are often words with digits (`admin123`, `Summer2024!`), so the
 * test is looser than {@link isSecretShaped}: at least 6 characters mixing
 * letters with digits, symbols or capitals, and not a placeholder, variable
 * name, path or password hash.
 */
export function isPasswordShaped(value: string): boolean {
  if (value.length < 6 || value.length > 128 || /\s/.test(value)) return false;
  if (isPlaceholder(value) || isEnvironmentVariableName(value) || isPathOrAddress(value) || isPasswordHash(value)) {
    return false;
  }
  if (!/[A-Za-z]/.test(value)) return false;
  // `user_password` and `db-pass` name a column or a key; `admin123` is a password.
  if (isIdentifierLike(value) && /[-_.:]/.test(value)) return false;
  return /[^A-Za-z]/.test(value) || (/[a-z]/.test(value) && /[A-Z]/.test(value) && !isIdentifierLike(value));
}

/** Last words of names of form controls and their selectors: `passwordInputCss`, `apiKeySelector`. */
const UI_ENDINGS = new Set([
  'css',
  'selector',
  'selectors',
  'xpath',
  'locator',
  'testid',
  'button',
  'btn',
  'element',
  'elem',
  'el',
  'input',
  'textbox',
  'box',
  'panel',
  'dialog',
  'modal',
  'shortcut',
  'hotkey',
]);

/** Token words that name things other than credentials: cookies, session ids and one-time codes. */
const NON_SECRET_TOKEN_WORDS = new Set([
  'cookie',
  'cookies',
  'sid',
  'sessionid',
  'otp',
  'totp',
  'code',
  'expiry',
  'address',
  'contract',
  'symbol',
  'decimals',
]);

/**
 * True when a variable, property, parameter or environment variable name
 * names a credential: `password`, `apiKey`, `clientSecret`, `GITHUB_TOKEN`,
 * `x-api-key`. Names that describe a credential (`TOKEN_HEADER`,
 * `PASSWORD_MIN_LENGTH`) and names of cookies, session ids and one-time codes
 * are not credentials.
 */
export function isCredentialName(name: string): boolean {
  let result = credentialNames.get(name);
  if (result === undefined) {
    result = judgeCredentialName(name);
    if (credentialNames.size > NAME_CACHE_LIMIT) credentialNames.clear();
    credentialNames.set(name, result);
  }
  return result;
}

/** The secret rules ask about the same few names for every literal of a file, so verdicts are kept by name. */
const NAME_CACHE_LIMIT = 50_000;
const credentialNames = new Map<string, boolean>();
const signingSecretNames = new Map<string, boolean>();

function judgeCredentialName(name: string): boolean {
  const words = splitWords(name);
  if (words.length > 1 && UI_ENDINGS.has(words[words.length - 1]!)) return false;
  // Keys and tokens made to be shipped to browsers: `MAPBOX_PUBLIC_TOKEN`, `publishableKey`.
  if (words.length > 1 && words.some((word) => word === 'public' || word === 'publishable')) return false;
  const kind = classifyName(name);
  if (kind === 'credential') return !isPinName(name);
  if (kind !== 'token') return false;
  if (words.some((word) => NON_SECRET_TOKEN_WORDS.has(word))) return false;
  return !words.join(' ').includes('session id');
}

function isPinName(name: string): boolean {
  const words = splitWords(name);
  return words.includes('pin') && !words.some((word) => word === 'password' || word === 'secret');
}

const SIGNING_CONTEXT_WORDS = new Set([
  'jwt',
  'session',
  'cookie',
  'signing',
  'hmac',
  'nextauth',
  'token',
  'auth',
  'app',
]);

/**
 * True when a name names a key that signs tokens or cookies: `JWT_SECRET`,
 * `sessionSecret`, `cookieKeys`, `secretOrKey`, `SIGNING_KEY`, a bare
 * `secret` and Django-style `SECRET_KEY`.
 */
export function isSigningSecretName(name: string): boolean {
  let result = signingSecretNames.get(name);
  if (result === undefined) {
    result = judgeSigningSecretName(name);
    if (signingSecretNames.size > NAME_CACHE_LIMIT) signingSecretNames.clear();
    signingSecretNames.set(name, result);
  }
  return result;
}

function judgeSigningSecretName(name: string): boolean {
  const words = splitWords(name);
  if (words.length === 0) return false;
  const phrase = words.join(' ');
  if (phrase === 'secret' || phrase === 'secret key' || phrase.includes('secret or')) return true;
  const last = words[words.length - 1]!;
  if (!['secret', 'secrets', 'key', 'keys'].includes(last)) return false;
  if (words.includes('client') || words.includes('consumer') || words.includes('api') || words.includes('access')) {
    return false;
  }
  return words.slice(0, -1).some((word) => SIGNING_CONTEXT_WORDS.has(word));
}

/** Describes the credential a name refers to, for messages: "password", "API key", "client secret". */
export function describeCredentialName(name: string): string {
  const phrase = ` ${splitWords(name).join(' ')} `;
  if (/ secret access key /.test(phrase)) return 'secret access key';
  if (/ private key /.test(phrase) || / privatekey /.test(phrase)) return 'private key';
  if (/ client secret /.test(phrase)) return 'client secret';
  const key = / (encryption|master|signing|hmac|license) key /.exec(phrase);
  if (key) return `${key[1]} key`;
  if (/ (api key|apikey|x api key) /.test(phrase)) return 'API key';
  if (/ access key /.test(phrase)) return 'access key';
  if (/ (password|passwd|pwd|pass) /.test(phrase)) return 'password';
  if (/ passphrase /.test(phrase)) return 'passphrase';
  if (/ (authorization|bearer) /.test(phrase)) return 'authorization token';
  if (/ token /.test(phrase)) return 'token';
  if (/ secret /.test(phrase)) return 'secret';
  return 'credential';
}

/**
 * True for files of tests and their data: `test/`, `__tests__/`, `fixtures/`,
 * `cypress/`, folders such as `api-e2e/`, `*.test.*`, `*.spec.*` and `.env.test`.
 */
export function isTestFile(file: string): boolean {
  const segments = file.split('/');
  const base = segments[segments.length - 1] ?? '';
  const folders = segments.slice(0, -1);
  if (folders.some((folder) => TEST_FOLDERS.has(folder) || /[-_.](?:e2e|tests?|specs?)$/.test(folder))) return true;
  if (/\.(?:test|spec|e2e-spec)\.[^.]+$/.test(base)) return true;
  return /^\.env\.test(?:ing)?(?:\.|$)/.test(base);
}

const TEST_FOLDERS = new Set([
  'test',
  'tests',
  '__tests__',
  '__mocks__',
  'fixtures',
  '__fixtures__',
  'spec',
  'specs',
  'e2e',
  'cypress',
  'playwright',
]);

/**
 * True when the configuration declares a value a known test secret: the
 * file matches a `testSecrets.paths` glob, or the value matches a
 * `testSecrets.patterns` regular expression.
 */
export function isDeclaredTestSecret(config: ResolvedConfig, file: string, value: string): boolean {
  const { paths, patterns } = config.testSecrets;
  if (paths.some((glob) => matchesGlob(file, glob))) return true;
  return patterns.some((pattern) => new RegExp(pattern).test(value));
}

/** Returns the severity of a secret finding in a file, lowered in test code. */
export function getSecretSeverity(file: string, severity: Severity): Severity {
  return isTestFile(file) ? TEST_CODE_SEVERITY : severity;
}

const globCache = new Map<string, RegExp>();

/**
 * Matches a path relative to the scan root against a glob with `*`, `**`,
 * `?` and `{a,b}`. As in .gitignore, a glob without a slash matches a file or
 * folder name at any depth, and a glob that names a folder matches what is
 * inside it.
 */
export function matchesGlob(file: string, glob: string): boolean {
  let pattern = globCache.get(glob);
  if (!pattern) {
    pattern = globToRegExp(glob);
    globCache.set(glob, pattern);
  }
  return pattern.test(file);
}

function globToRegExp(glob: string): RegExp {
  let source = glob.replace(/^\.\//, '').replace(/\/$/, '');
  const anchored = source.includes('/');
  let regex = '';
  for (let index = 0; index < source.length; index++) {
    const character = source[index]!;
    if (character === '*' && source[index + 1] === '*') {
      const slash = source[index + 2] === '/';
      regex += slash ? '(?:.*/)?' : '.*';
      index += slash ? 2 : 1;
    } else if (character === '*') {
      regex += '[^/]*';
    } else if (character === '?') {
      regex += '[^/]';
    } else if (character === '{') {
      const end = source.indexOf('}', index);
      if (end === -1) {
        regex += '\\{';
        continue;
      }
      const options = source
        .slice(index + 1, end)
        .split(',')
        .map(escapeRegExp);
      regex += `(?:${options.join('|')})`;
      index = end;
    } else {
      regex += escapeRegExp(character);
    }
  }
  source = anchored ? `^${regex}` : `(?:^|/)${regex}`;
  return new RegExp(`${source}(?:/.*)?$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
