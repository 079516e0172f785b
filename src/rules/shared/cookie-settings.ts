import { ts } from '../../typescript.js';
import { isConstant } from '../../analysis/values.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { CALL, NEW, packageName, packagePath } from '../../analysis/origin.js';
import { splitWords } from '../../analysis/sensitive.js';
import { getMemberName, skipOuterExpressions } from '../../analysis/syntax.js';
import { collectNames } from './hash-purpose.js';
import { getObjectLiteral, getString, lookupOption } from './option-lookup.js';
import { classifySecretName } from './secret-value-names.js';

/** Cookie attributes the rules check. */
export type CookieAttribute = 'httpOnly' | 'secure' | 'sameSite';

/** What a library does when an attribute is not given: sets it safely, leaves it off, or decides by the request. */
export type AttributeDefault = 'on' | 'off' | 'by-request';

/** A place that sets a cookie, with the options object that contains its attributes. */
export interface CookieSetting {
  /** The library, for messages and defaults: `express`, `fastify`, `koa`, `next`, `hono`, `cookie`, `express-session`. */
  library: string;
  call: ts.CallExpression;
  /** The cookie name when it is a constant. */
  name: string | undefined;
  /** The cookie value, for judging what it holds. */
  value: ts.Expression | undefined;
  /** The object that contains the attributes, if the call passes one. */
  options: ts.Expression | undefined;
  /** True when attributes may be set where the scan cannot see them, such as an imported cookie configuration. */
  optionsUnknown: boolean;
  /** For a raw `Set-Cookie` header: its attributes by lower-case name, such as `httponly` and `samesite`. */
  headerAttributes?: Map<string, string>;
  /** Whether the library sets each attribute when the options leave it out. */
  defaults: Record<CookieAttribute, AttributeDefault>;
  /** True for session middleware, whose cookie always carries the session id. */
  session: boolean;
  /** For session middleware: the whole options object, with the store and rolling settings. */
  middlewareOptions?: ts.Expression;
  /** For session middleware: the member that contains the cookie options, to report at. */
  cookieMember?: ts.Node;
}

const RESPONSE_DEFAULTS: Record<CookieAttribute, AttributeDefault> = {
  httpOnly: 'off',
  secure: 'off',
  sameSite: 'off',
};

/**
 * Session middleware and what each leaves out by default. express-session
 * sets HttpOnly but not Secure. cookie-session and koa-session set HttpOnly,
 * and Secure on HTTPS requests. @fastify/session sets both.
 */
const SESSION_MIDDLEWARE: Record<
  string,
  { defaults: Record<CookieAttribute, AttributeDefault>; cookieOption: string | undefined }
> = {
  'express-session': { defaults: { httpOnly: 'on', secure: 'off', sameSite: 'off' }, cookieOption: 'cookie' },
  'cookie-session': { defaults: { httpOnly: 'on', secure: 'by-request', sameSite: 'off' }, cookieOption: undefined },
  'koa-session': {
    defaults: { httpOnly: 'on', secure: 'by-request', sameSite: 'by-request' },
    cookieOption: undefined,
  },
  '@fastify/session': { defaults: { httpOnly: 'on', secure: 'on', sameSite: 'by-request' }, cookieOption: 'cookie' },
  '@fastify/secure-session': {
    defaults: { httpOnly: 'on', secure: 'by-request', sameSite: 'by-request' },
    cookieOption: 'cookie',
  },
  'iron-session': { defaults: { httpOnly: 'on', secure: 'on', sameSite: 'on' }, cookieOption: 'cookieOptions' },
};

/**
 * Which cookie libraries a file imports. A value of a library can only come
 * from an import of the file itself, so without one the origin of a call
 * need not be asked.
 */
interface CookieImports {
  session: boolean;
  /** hono/cookie or h3. */
  helpers: boolean;
  cookie: boolean;
}

const importsOfFile = new WeakMap<FileSemantics, CookieImports>();

function getCookieImports(sem: FileSemantics): CookieImports {
  let imports = importsOfFile.get(sem);
  if (!imports) {
    imports = {
      session: sem.importsAny(Object.keys(SESSION_MIDDLEWARE)),
      helpers: sem.importsAny(['hono', 'h3']),
      cookie: sem.importsAny(['cookie']),
    };
    importsOfFile.set(sem, imports);
  }
  return imports;
}

/** Recognises a call that sets a cookie: a response method, a cookie store of Koa or Next.js, Hono's and h3's helpers, or `cookie.serialize`. */
export function getCookieSetting(sem: FileSemantics, call: ts.CallExpression): CookieSetting | undefined {
  const session = getSessionMiddleware(sem, call);
  if (session) return session;

  const imports = getCookieImports(sem);
  const callee = skipOuterExpressions(call.expression);
  const method = ts.isIdentifier(callee) ? callee.text : getMemberName(callee);
  const args = call.arguments;
  const origin = (method === 'setCookie' && args.length >= 3 && imports.helpers) || (args.length >= 2 && imports.cookie) ? sem.originOf(callee) : undefined;
  const specifier = origin?.root.kind === 'module' ? origin.root.specifier : undefined;

  // setCookie(c, name, value, options) from hono/cookie, setCookie(event, name, value, options) from h3.
  if (
    specifier &&
    (specifier === 'hono/cookie' || packageName(specifier) === 'h3') &&
    method === 'setCookie' &&
    args.length >= 3
  ) {
    return responseSetting(call, specifier === 'hono/cookie' ? 'hono' : 'h3', args[1], args[2], args[3], sem);
  }
  if (origin && specifier && packageName(specifier) === 'cookie' && packagePath(origin)[0] === 'serialize' && args.length >= 2) {
    return responseSetting(call, 'cookie', args[0], args[1], args[2], sem);
  }
  if (!ts.isPropertyAccessExpression(callee) || args.length === 0) return undefined;
  const receiver = skipOuterExpressions(callee.expression);

  if ((method === 'cookie' || method === 'setCookie') && args.length >= 2 && isResponseLike(receiver)) {
    return responseSetting(call, method === 'setCookie' ? 'fastify' : 'express', args[0], args[1], args[2], sem);
  }
  if (method === 'set' && isCookieStore(sem, receiver)) {
    const library = isNextCookies(sem, receiver) ? 'next' : 'koa';
    const first = args[0]!;
    // Next.js also takes one object: cookies().set({ name, value, httpOnly, ... }).
    if (args.length === 1 && getObjectLiteral(sem, first)) {
      const nameLookup = lookupOption(sem, first, ['name']);
      const valueLookup = lookupOption(sem, first, ['value']);
      const setting = responseSetting(
        call,
        library,
        undefined,
        valueLookup.kind === 'set' ? valueLookup.expression : undefined,
        first,
        sem,
      );
      setting.name = nameLookup.kind === 'set' ? getString(nameLookup.value) : undefined;
      return setting;
    }
    if (args.length < 2) return undefined;
    const setting = responseSetting(call, library, first, args[1], args[2], sem);
    // Koa's cookies set HttpOnly by default and Secure on HTTPS requests.
    if (library === 'koa') setting.defaults = { httpOnly: 'on', secure: 'by-request', sameSite: 'off' };
    return setting;
  }
  return undefined;
}

function responseSetting(
  call: ts.CallExpression,
  library: string,
  name: ts.Expression | undefined,
  value: ts.Expression | undefined,
  options: ts.Expression | undefined,
  sem: FileSemantics,
): CookieSetting {
  return {
    library,
    call,
    name: name ? getString(sem.evaluate(name)) : undefined,
    value,
    options,
    optionsUnknown: false,
    defaults: { ...RESPONSE_DEFAULTS },
    session: false,
  };
}

/** True for `res`, `response`, `reply`, `ctx.res` and `this.res`: names of a server response. */
function isResponseLike(receiver: ts.Expression): boolean {
  const name = ts.isIdentifier(receiver) ? receiver.text : getMemberName(receiver);
  return name !== undefined && /^(res|resp|response|reply|rep|httpResponse|serverResponse)$/i.test(name);
}

/** `ctx.cookies`, `response.cookies`, `cookies()` from next/headers, and a variable holding one of them. */
function isCookieStore(sem: FileSemantics, receiver: ts.Expression): boolean {
  if (getMemberName(receiver) === 'cookies') return true;
  const origin = sem.originOf(receiver);
  if (origin.root.kind === 'module' && origin.root.specifier === 'next/headers' && origin.path[0] === 'cookies')
    return true;
  return origin.path.filter((step) => step !== CALL && step !== NEW).at(-1) === 'cookies';
}

/**
 * Next.js cookie stores come from next/headers or next/server. Anything else
 * is taken for Koa's `ctx.cookies`, whose defaults are the safer ones.
 */
function isNextCookies(sem: FileSemantics, receiver: ts.Expression): boolean {
  const origin = sem.originOf(receiver);
  return origin.root.kind === 'module' && origin.root.specifier.startsWith('next/');
}

/** `session({ cookie: { ... } })` of express-session and the other session middleware. */
export function getSessionMiddleware(sem: FileSemantics, call: ts.CallExpression): CookieSetting | undefined {
  if (!getCookieImports(sem).session) return undefined;
  // Fastify plugins are registered rather than called: fastify.register(fastifySession, options).
  const plugin = getMemberName(skipOuterExpressions(call.expression)) === 'register' ? call.arguments[0] : undefined;
  const origin = sem.originOf(plugin ?? call.expression);
  if (origin.root.kind !== 'module') return undefined;
  const library = packageName(origin.root.specifier);
  const model = SESSION_MIDDLEWARE[library];
  if (!model) return undefined;
  const optionsIndex = plugin ? 1 : getSessionOptionsIndex(library, packagePath(origin), call.arguments.length);
  if (optionsIndex === undefined) return undefined;
  const options = call.arguments[optionsIndex];
  const setting: CookieSetting = {
    library,
    call,
    name: undefined,
    value: undefined,
    options: undefined,
    optionsUnknown: false,
    defaults: model.defaults,
    session: true,
  };
  if (!options) return setting;

  const nameLookup = lookupOption(sem, options, [getSessionNameOption(library)]);
  if (nameLookup.kind === 'set') setting.name = getString(nameLookup.value);
  setting.middlewareOptions = options;
  if (!model.cookieOption) {
    setting.options = options;
    return setting;
  }
  // express-session and the Fastify plugins keep the attributes in a nested `cookie` object.
  const cookie = lookupOption(sem, options, [model.cookieOption]);
  if (cookie.kind === 'unknown' || (cookie.kind === 'set' && !cookie.expression)) setting.optionsUnknown = true;
  if (cookie.kind === 'set') {
    setting.options = cookie.expression;
    setting.cookieMember = cookie.node;
  }
  return setting;
}

/** Returns the index of the argument with a session middleware's options, or undefined for other exports of the package. */
function getSessionOptionsIndex(library: string, path: readonly string[], argumentCount: number): number | undefined {
  // iron-session exports getIronSession(req, res, options), and since version 8 also getIronSession(cookies(), options).
  // The other packages export the middleware as the default export.
  if (library === 'iron-session') {
    if (path[0] !== 'getIronSession') return undefined;
    return argumentCount === 2 ? 1 : 2;
  }
  return path.length === 0 || path[0] === 'session' ? 0 : undefined;
}

/** Returns the option that names the session cookie. */
function getSessionNameOption(library: string): string {
  if (library === 'koa-session') return 'key';
  if (library === 'iron-session') return 'cookieName';
  return 'name';
}

/** Cookie names that carry a session or credentials: `sid`, `connect.sid`, `auth`, `refresh_token`, `remember_me`. */
const SENSITIVE_COOKIE_WORDS = new Set([
  'session',
  'sess',
  'sid',
  'auth',
  'token',
  'jwt',
  'refresh',
  'access',
  'remember',
  'login',
  'credential',
  'credentials',
  'identity',
  'bearer',
  'csrf',
  'xsrf',
]);

/** True when a cookie carries a session or credentials, judged by its name or by the name of the value it holds. */
export function isSensitiveCookie(sem: FileSemantics, setting: CookieSetting): boolean {
  if (setting.session) return true;
  // A value fixed in the code, such as 'true' or a choice of two paths, is the same for every user: no session or credential.
  if (setting.value) {
    const value = sem.evaluate(setting.value);
    if (isConstant(value)) return false;
  }
  if (setting.name !== undefined) {
    const words = splitWords(setting.name);
    if (words.some((word) => SENSITIVE_COOKIE_WORDS.has(word)) || classifySecretName(setting.name) !== undefined)
      return true;
  }
  if (!setting.value) return false;
  return collectNames(sem, setting.value, 1).some(
    (name) => classifySecretName(name) === 'secret' || /^(jwt|sid)$/i.test(name),
  );
}

/** CSRF cookies of the double-submit pattern must stay readable by scripts. */
export function isCsrfCookie(name: string | undefined): boolean {
  return name !== undefined && splitWords(name).some((word) => word === 'csrf' || word === 'xsrf');
}

/** True when the call clears the cookie: an empty value, `maxAge: 0`, or an expiry in the past. */
export function isClearingCookie(sem: FileSemantics, setting: CookieSetting): boolean {
  if (setting.value) {
    const value = sem.evaluate(setting.value);
    if ((value.kind === 'string' && value.value === '') || value.kind === 'null') return true;
  }
  if (!setting.options) return false;
  const maxAge = lookupOption(sem, setting.options, ['maxAge']);
  if (maxAge.kind === 'set' && maxAge.value.kind === 'number' && maxAge.value.value <= 0) return true;
  const expires = lookupOption(sem, setting.options, ['expires']);
  if (expires.kind === 'set' && expires.expression) {
    const node = skipOuterExpressions(expires.expression);
    if (ts.isNewExpression(node) && node.arguments?.length === 1) {
      const time = sem.evaluate(node.arguments[0]!);
      if (time.kind === 'number' && time.value <= 0) return true;
    }
  }
  return false;
}
