import { ts } from '../typescript.js';
import type { FileSemantics } from '../analysis/semantics.js';
import { splitWords } from '../analysis/sensitive.js';
import { getEnclosingFunction, getMemberName, skipOuterExpressions } from '../analysis/syntax.js';
import { defineRule, type RuleContext } from './rule.js';
import { getSessionMiddleware, type CookieSetting } from './shared/cookie-settings.js';
import { gatherNodes } from './shared/file-nodes.js';
import { getNumber } from './shared/numeric-settings.js';
import { lookupOption } from './shared/option-lookup.js';
import { getCallTarget } from './shared/report-target.js';

/**
 * Session middleware whose cookie, without `maxAge` or `expires`, lives until
 * the browser closes while the session itself never ends. koa-session,
 * iron-session and @fastify/secure-session default to a lifetime of a day or
 * more, so they are left out.
 */
const MIDDLEWARE_WITHOUT_DEFAULT_EXPIRY = new Set(['express-session', 'cookie-session', '@fastify/session']);

/** Store options that end sessions on the server: connect-redis, connect-mongo and memorystore `ttl`, express-mysql-session `expiration`. */
const STORE_EXPIRY_OPTIONS = new Set(['ttl', 'expiration', 'expires', 'maxAge', 'expireAfter']);

/**
 * Session keys that record who is logged in, as lower-case words: `userId`,
 * `currentUser`, `accountId`, `isAuthenticated`, `loggedIn`. Keys that only
 * mention a user, such as `lastUserAgent`, do not match.
 */
const IDENTITY_KEY = /(^| )(user|uid|account|principal|identity|member|login)( id)?$|^(is )?(authenticated|logged in|signed in)$/;

/**
 * Keys named after the role of the person logged in: `staffId`,
 * `clinicianId`, `patientId`. They also hold a patient picked from a list, so
 * they count only in a function that checks a password or a one-time code.
 */
const ROLE_KEY = /(^| )(staff|clinician|practitioner|doctor|physician|nurse|patient|admin|employee|caregiver)( id)?$|(^| )provider id$/;

/** Text of a function that checks credentials: a password, a one-time code, a hash comparison. */
const CREDENTIAL_CHECK = /password|passcode|\botp\b|credential|bcrypt|argon2|\.compare\(|verify/i;

/** Session stores held in the cookie itself, which have no server-side id to fix. */
const COOKIE_STORED_SESSIONS = /['"](cookie-session|@fastify\/secure-session|client-sessions|iron-session)['"]/;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A session cookie that lasts longer than this is reported as having no
 * practical expiry. Thirty days covers the usual "remember me" lifetimes,
 * while OWASP's Session Management Cheat Sheet recommends far shorter idle timeouts
 * in applications that handle sensitive data.
 */
const MAX_LIFETIME_MS = 30 * DAY_MS;

type MessageId = 'noExpiry' | 'longExpiry' | 'fixation';

export default defineRule<MessageId>({
  meta: {
    id: 'session-without-expiry',
    title: 'Session that never expires or is not renewed at login',
    summary:
      'Flags session middleware (express-session, cookie-session, @fastify/session) whose cookie has no `maxAge` or `expires` while its store sets no expiry, or lasts longer than 30 days, so a stolen session id stays valid; and login handlers that store the user in the session without `req.session.regenerate()`, which lets a session id planted before login stay valid after it (session fixation).',
    severity: 'medium',
    precision: 'high',
    cwe: [613, 384],
    owasp: 'A07:2021-Identification and Authentication Failures',
    messages: {
      noExpiry: 'The {{library}} session sets no maxAge or expires and no store expiry, so a stolen session cookie stays valid with no end; set {{option}}.',
      longExpiry: 'The {{library}} session cookie lasts {{days}} days, so a stolen session id stays valid for that long; keep sessions to hours and end idle ones with rolling: true and a short maxAge.',
      fixation: '{{target}} is set without regenerating the session first, so a session id planted before login stays valid after it; call req.session.regenerate() before storing the user.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const { nodes, visitors } = gatherNodes(context, ['invocations', 'assignments']);
    let cookieStored: boolean | undefined;
    const isCookieStored = (): boolean => (cookieStored ??= COOKIE_STORED_SESSIONS.test(context.sourceFile.text));
    return {
      ...visitors,
      onEnd() {
        // In walk order, as findings of both kinds were reported while the file was walked.
        for (const node of nodes.ordered) {
          if (ts.isCallExpression(node)) {
            const session = getSessionMiddleware(sem, node);
            if (session && MIDDLEWARE_WITHOUT_DEFAULT_EXPIRY.has(session.library)) checkExpiry(context, session);
          } else if (ts.isBinaryExpression(node) && isFixationCandidate(node) && !isCookieStored()) {
            checkFixation(context, node);
          }
        }
      },
    };
  },
});

function checkExpiry(context: RuleContext<MessageId>, session: CookieSetting): void {
  const sem = context.semantics;
  const options = session.middlewareOptions;
  if (!options || session.optionsUnknown) return;
  const cookie = session.library === 'cookie-session' ? options : session.options;
  if (cookie) {
    const maxAge = lookupOption(sem, cookie, ['maxAge']);
    const expires = lookupOption(sem, cookie, ['expires']);
    if (maxAge.kind === 'unknown' || expires.kind === 'unknown') return;
    if (maxAge.kind === 'set' && maxAge.expression) {
      const milliseconds = getNumber(sem, maxAge.expression);
      if (milliseconds !== undefined && milliseconds > MAX_LIFETIME_MS) {
        const days = Math.round(milliseconds / DAY_MS);
        context.report({ node: maxAge.node, messageId: 'longExpiry', data: { library: session.library, days } });
        return;
      }
    }
    if ((maxAge.kind === 'set' && !isNothing(maxAge.value.kind)) || (expires.kind === 'set' && !isNothing(expires.value.kind))) return;
  } else if (lookupOption(sem, options, ['cookie']).kind === 'unknown') {
    return;
  }
  if (hasStoreExpiry(sem, options)) return;
  const option = session.library === 'cookie-session' ? 'maxAge, for example 30 minutes' : 'cookie.maxAge, for example 30 minutes with rolling: true';
  context.report({ node: session.cookieMember ?? getCallTarget(session.call), messageId: 'noExpiry', data: { library: session.library, option } });
}

function isNothing(kind: string): boolean {
  return kind === 'null' || kind === 'undefined';
}

/**
 * `store: new RedisStore({ client, ttl: 1800 })`: a store with an explicit
 * expiry ends sessions even when the cookie has no lifetime. A store left at
 * its defaults does not count: connect-redis then keeps a session for a day
 * after each write, whatever the application needs.
 */
function hasStoreExpiry(sem: FileSemantics, options: ts.Expression): boolean {
  const store = lookupOption(sem, options, ['store']);
  if (store.kind === 'unknown') return true;
  if (store.kind !== 'set' || !store.expression) return false;
  const node = skipOuterExpressions(followVariable(sem, store.expression));
  // A store made elsewhere may set an expiry the scan cannot see.
  if (!ts.isNewExpression(node) && !ts.isCallExpression(node)) return true;
  return (node.arguments ?? []).some((argument) => {
    const value = sem.evaluate(argument);
    if (value.kind !== 'object') return false;
    return value.open || Object.keys(value.properties).some((name) => STORE_EXPIRY_OPTIONS.has(name));
  });
}

function followVariable(sem: FileSemantics, expression: ts.Expression): ts.Expression {
  const node = skipOuterExpressions(expression);
  if (!ts.isIdentifier(node)) return expression;
  const declaration = sem.resolve(node);
  const initializer = declaration?.kind === 'variable' ? sem.getSingleValue(declaration) : undefined;
  return initializer ?? expression;
}

/** `x.session.y = ...`, the only shape `checkFixation` judges; a cheap test before the text of the file is searched. */
function isFixationCandidate(binary: ts.BinaryExpression): boolean {
  const target = skipOuterExpressions(binary.left);
  if (!ts.isPropertyAccessExpression(target) && !ts.isElementAccessExpression(target)) return false;
  return getMemberName(skipOuterExpressions(target.expression)) === 'session';
}

/**
 * `req.session.userId = user.id` in a function that never calls
 * `req.session.regenerate()`. Passport's `req.login()` regenerates the session
 * itself since version 0.6, so handlers that call it are left alone.
 */
function checkFixation(context: RuleContext<MessageId>, binary: ts.BinaryExpression): void {
  const target = skipOuterExpressions(binary.left);
  const key = getMemberName(target);
  if (!key || !(ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target))) return;
  const holder = skipOuterExpressions(target.expression);
  if (getMemberName(holder) !== 'session' || !(ts.isPropertyAccessExpression(holder) || ts.isElementAccessExpression(holder))) return;
  const owner = skipOuterExpressions(holder.expression);
  const ownerName = ts.isIdentifier(owner) ? owner.text : getMemberName(owner);
  if (!ownerName || !/^(req|request)$/i.test(ownerName)) return;
  const words = splitWords(key).join(' ');
  const isAccount = IDENTITY_KEY.test(words);
  if (!isAccount && !ROLE_KEY.test(words)) return;
  if (isFalsy(context.semantics, binary.right) || copiesSession(context.semantics, binary.right)) return;

  let checksCredentials = false;
  for (let fn = getEnclosingFunction(binary); fn; fn = getEnclosingFunction(fn)) {
    const text = fn.getText();
    if (/regenerate/i.test(text) || /\b(req|request)\.(login|logIn)\s*\(/.test(text)) return;
    checksCredentials ||= CREDENTIAL_CHECK.test(text);
  }
  if (!getEnclosingFunction(binary) || (!isAccount && !checksCredentials)) return;
  context.report({ node: binary, messageId: 'fixation', data: { target: target.getText() } });
}

/**
 * `req.session.user = { ...current, displayName }` with `current` read from
 * the session: an edit of a session that is signed in already, not a login.
 */
function copiesSession(sem: FileSemantics, expression: ts.Expression): boolean {
  const readsSession = (node: ts.Node): boolean => /\b(req|request)\.session\b/.test(node.getText());
  if (readsSession(expression)) return true;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(node)) {
      const declaration = sem.resolve(node);
      const value = declaration?.kind === 'variable' ? sem.getSingleValue(declaration) : undefined;
      found = value !== undefined && readsSession(value);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(expression);
  return found;
}

/** `req.session.userId = null` and `= undefined` log the user out. */
function isFalsy(sem: FileSemantics, expression: ts.Expression): boolean {
  const value = sem.evaluate(expression);
  return value.kind === 'null' || value.kind === 'undefined' || (value.kind === 'boolean' && !value.value);
}
