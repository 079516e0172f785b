import { splitWords } from '../../../analysis/sensitive.js';
import type { Value } from '../../../analysis/values.js';
import type { PathPattern } from './facts.js';

/** Stands for a path segment the scan cannot know, such as a non-constant mount path. */
export const UNKNOWN_SEGMENT = ':unknown';

/** Converts an evaluated argument to a path pattern. Parts that are not constant become `:unknown` segments. */
export function toPathPattern(value: Value): PathPattern {
  if (value.kind === 'regexp') return { kind: 'regexp', source: value.source, flags: value.flags };
  if (hasImport(value)) return { kind: 'unknown', value };
  const strings = toStrings(value);
  return strings ? { kind: 'strings', values: strings } : { kind: 'unknown' };
}

function hasImport(value: Value): boolean {
  switch (value.kind) {
    case 'import':
      return true;
    case 'array':
      return value.items.some(hasImport);
    case 'choice':
      return value.options.some(hasImport);
    case 'concat':
      return value.parts.some(hasImport);
    default:
      return false;
  }
}

function toStrings(value: Value): string[] | undefined {
  switch (value.kind) {
    case 'string':
      return [value.value];
    case 'array': {
      const items = value.items.map(toStrings);
      return items.every((item) => item !== undefined) ? items.flat() : undefined;
    }
    case 'choice': {
      const options = value.options.map(toStrings);
      return options.every((option) => option !== undefined) ? options.flat() : undefined;
    }
    case 'concat': {
      const text = value.parts.map((part) => (part.kind === 'string' ? part.value : `/${UNKNOWN_SEGMENT}/`)).join('');
      return [text];
    }
    default:
      return undefined;
  }
}

/** Lists the strings a pattern stands for, or an `:unknown` segment for a pattern that has none. */
export function getPathStrings(pattern: PathPattern | undefined): string[] {
  if (!pattern) return [''];
  if (pattern.kind === 'strings' && pattern.values.length > 0) return pattern.values;
  return [`/${UNKNOWN_SEGMENT}`];
}

export function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment.length > 0);
}

/** Joins path parts with single slashes: `joinPaths('/api/', 'auth', '/login')` is `/api/auth/login`. */
export function joinPaths(...parts: Array<string | undefined>): string {
  return `/${parts.flatMap((part) => (part ? splitPath(part) : [])).join('/')}`;
}

function isWildcard(segment: string): boolean {
  return segment.startsWith('*') || segment.startsWith('{*') || segment.includes('(');
}

function matchesSegment(pattern: string, segment: string): boolean {
  if (pattern.startsWith(':') || segment.startsWith(':')) return true;
  if (pattern.includes('*')) {
    const source = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    return new RegExp(`^${source}$`, 'i').test(segment);
  }
  return pattern.toLowerCase() === segment.toLowerCase();
}

/**
 * Checks whether middleware mounted at `pattern` runs for a request to `path`.
 * Without `exact`, a mount path covers every path below it, as in Express and
 * Koa. A path the scan cannot evaluate covers everything, so that the rules
 * do not report a route that a limiter may well cover.
 */
export function coversPath(pattern: PathPattern | undefined, exact: boolean, path: string): boolean {
  if (!pattern || pattern.kind === 'unknown') return true;
  if (pattern.kind === 'regexp') {
    try {
      return new RegExp(pattern.source, pattern.flags.replace('g', '')).test(path);
    } catch {
      return true;
    }
  }
  return pattern.values.some((value) => coversOne(splitPath(value), exact, splitPath(path)));
}

function coversOne(mount: string[], exact: boolean, path: string[]): boolean {
  for (let index = 0; index < mount.length; index++) {
    const segment = mount[index]!;
    if (isWildcard(segment)) return true;
    const actual = path[index];
    if (actual === undefined) return false;
    if (!matchesSegment(segment, actual)) return false;
  }
  return !exact || path.length === mount.length;
}

/** Words that name an authentication step on their own, or when two adjacent words are joined (`sign in`). */
const AUTH_WORDS = new Set([
  'login',
  'logon',
  'signin',
  'register',
  'registration',
  'signup',
  'password',
  'passwords',
  'passwd',
  'pwd',
  'forgot',
  'recover',
  'recovery',
  'token',
  'tokens',
  'refreshtoken',
  'otp',
  'mfa',
  '2fa',
  'tfa',
  'totp',
  'twofactor',
  'passcode',
  'magiclink',
  'passwordless',
  'authenticate',
]);

/** Words that name an authentication step only beside another word of that kind: `/auth/refresh`, `/account/reset`. */
const CONTEXT_WORDS = new Set(['refresh', 'reset']);
const CONTEXT = new Set(['auth', 'account', 'accounts', 'user', 'users', 'session', 'sessions', 'jwt', 'credential', 'credentials', 'token']);

/**
 * `verify` and `activate` name an authentication step when the rest of the
 * path is about accounts or codes (`/auth/verify`, `/verify-email`,
 * `/portal/activate`), not when they act on something else
 * (`/patients/:id/verify-insurance`, `/devices/:id/activate`).
 */
const VERIFY_WORDS = new Set(['verify', 'verification', 'activate', 'activation']);
const VERIFY_CONTEXT = new Set([
  ...CONTEXT,
  'api',
  'email',
  'mail',
  'phone',
  'mobile',
  'sms',
  'code',
  'codes',
  'pin',
  'identity',
  'login',
  'signup',
  'register',
  'otp',
  'mfa',
  '2fa',
  'portal',
  'invite',
  'invitation',
]);

/** Path segments before `/sessions` that keep it a login: `/api/v1/sessions`, `/auth/session`. */
const LOGIN_PREFIXES = new Set([...CONTEXT, 'api', 'portal', 'admin', 'app', 'web', 'mobile', 'staff', 'patient', 'patients', 'clinician', 'clinicians']);

/** A token of a device or push service, which a signed-in user registers: `/devices/:id/push-token`, `/fcm-token`. */
const DEVICE_TOKEN = /\/(push|device|fcm|apns|notification)[-_]?tokens?(?=\/|$)/gi;

/** A device that a signed-in user or staff member registers: `/devices/register`, `/devices/:id/register`. */
const DEVICE_REGISTRATION = /\/devices?(\/:[^/]+)?\/(register|registration)(?=\/|$)/gi;

/** Words of a link that signs a user in when followed, so `GET` counts too. */
const LINK_WORDS = new Set(['magiclink', 'passwordless', 'magic']);

/** Methods that submit credentials or codes. `GET` pages that show a form are left out. */
const SUBMITTING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'ALL']);

/** Lower-case words of a path, without parameters, plus each pair of adjacent words joined. */
export function getPathWords(path: string): string[] {
  const words = splitPath(path)
    .filter((segment) => !segment.startsWith(':') && !segment.startsWith('{') && !segment.startsWith('*'))
    .flatMap((segment) => splitWords(segment));
  const joined = words.slice(1).map((word, index) => words[index] + word);
  return [...words, ...joined];
}

export interface AuthRouteOptions {
  /** Extra patterns from the configuration, tested against the whole path whatever the method. */
  extra: readonly RegExp[];
}

/**
 * Checks whether a route path names an authentication step: login, sign-up, a
 * password reset or change, a token or refresh, a one-time code or a magic
 * link. `GET` counts only for a magic link.
 */
export function isAuthRoute(methods: readonly string[], path: string, options: AuthRouteOptions): boolean {
  if (options.extra.some((pattern) => pattern.test(path))) return true;
  const words = getPathWords(path.replace(DEVICE_TOKEN, '/').replace(DEVICE_REGISTRATION, '/'));
  const submits = methods.some((method) => SUBMITTING_METHODS.has(method));
  if (words.some((word) => LINK_WORDS.has(word))) return true;
  if (!submits) return false;
  if (words.some((word) => AUTH_WORDS.has(word))) return true;
  if (isVerificationPath(path)) return true;
  // `POST /sessions` creates a session, and `POST /api/auth` checks credentials: both are logins.
  // `POST /therapy/sessions` books an appointment.
  const segments = splitPath(path).filter((segment) => !segment.startsWith(':') && !segment.startsWith('{'));
  const last = segments.at(-1)?.toLowerCase();
  const loginPlace = segments.slice(0, -1).every((segment) => LOGIN_PREFIXES.has(segment.toLowerCase()) || /^v\d+$/i.test(segment));
  if (methods.includes('POST') && loginPlace && (last === 'session' || last === 'sessions' || last === 'auth')) return true;
  const hasContext = words.some((word) => CONTEXT.has(word)) || /\/:[^/]*token/i.test(path);
  return hasContext && words.some((word) => CONTEXT_WORDS.has(word));
}

function isVerificationPath(path: string): boolean {
  const words = splitPath(path)
    .filter((segment) => !segment.startsWith(':') && !segment.startsWith('{') && !segment.startsWith('*'))
    .flatMap((segment) => splitWords(segment));
  if (!words.some((word) => VERIFY_WORDS.has(word))) return false;
  return words.every((word) => VERIFY_WORDS.has(word) || VERIFY_CONTEXT.has(word) || /^v\d+$/.test(word));
}

/** Compiles the configured auth route patterns, case-insensitive; the configuration loader has checked them. */
export function compileAuthPatterns(patterns: readonly string[]): RegExp[] {
  return patterns.map((pattern) => new RegExp(pattern, 'i'));
}
