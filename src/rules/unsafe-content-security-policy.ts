import { ts } from '../typescript.js';
import type { FileSemantics } from '../analysis/semantics.js';
import { packageName, packagePath } from '../analysis/origin.js';
import { findProperty, getCalleeName, propertyNameText, skipOuterExpressions } from '../analysis/syntax.js';
import { defineRule, type RuleContext } from './rule.js';
import { isEnvironmentDependent } from './shared/environment-guards.js';
import { gatherNodes } from './shared/file-nodes.js';
import { getStrings, isFalse } from './shared/option-lookup.js';
import { getCallTarget } from './shared/report-target.js';

/** Packages whose options object turns header protections on or off. */
const HEADER_PACKAGES = new Set(['helmet', '@fastify/helmet', 'fastify-helmet', 'koa-helmet']);

/** Options of helmet and Hono's secureHeaders that switch a protection off when `false`. */
const SWITCHES: Record<string, 'csp' | 'frame' | 'hsts' | 'nosniff'> = {
  contentSecurityPolicy: 'csp',
  frameguard: 'frame',
  xFrameOptions: 'frame',
  hsts: 'hsts',
  strictTransportSecurity: 'hsts',
  noSniff: 'nosniff',
  xContentTypeOptions: 'nosniff',
};

/** Directives that decide which scripts run, by both spellings. */
const SCRIPT_DIRECTIVES = new Set(['scriptSrc', 'script-src', 'scriptSrcElem', 'script-src-elem']);
const DEFAULT_DIRECTIVES = new Set(['defaultSrc', 'default-src']);
const FRAME_DIRECTIVES = new Set(['frameAncestors', 'frame-ancestors']);

const POLICY_HEADER = 'content-security-policy';

/** Methods that set a response header. */
const HEADER_METHODS = new Set(['setHeader', 'set', 'header', 'append']);

/** Keys that mark an object as a set of CSP directives. */
const DIRECTIVE_KEYS = /^(defaultSrc|default-src|scriptSrc|script-src|styleSrc|style-src|imgSrc|img-src|connectSrc|connect-src|fontSrc|font-src|objectSrc|object-src|frameAncestors|frame-ancestors|baseUri|base-uri|formAction|form-action)$/;

type MessageId = 'disabled' | 'frameguardDisabled' | 'hstsDisabled' | 'noSniffDisabled' | 'unsafeSource' | 'frameAncestors';

export default defineRule<MessageId>({
  meta: {
    id: 'unsafe-content-security-policy',
    title: 'Content Security Policy or another header protection weakened',
    summary:
      "Flags helmet and Hono `secureHeaders` settings that turn the Content Security Policy, X-Frame-Options, Strict-Transport-Security or X-Content-Type-Options off, script sources that allow 'unsafe-inline', 'unsafe-eval', `*`, `data:` or any host of a scheme, and `frame-ancestors *`, in options objects, in Content-Security-Policy header strings and in `{ key, value }` header lists such as Next.js `headers()`. An injected script then runs, and any site can frame the application for clickjacking.",
    severity: 'medium',
    precision: 'high',
    cwe: [693, 1021],
    owasp: 'A05:2021-Security Misconfiguration',
    messages: {
      disabled: 'contentSecurityPolicy: false removes the Content Security Policy, the main defence against injected scripts; configure its directives instead.',
      frameguardDisabled: '{{option}}: false lets any site frame these pages for clickjacking; keep X-Frame-Options or set frame-ancestors.',
      hstsDisabled: '{{option}}: false drops Strict-Transport-Security, so browsers keep using plain HTTP where an attacker can downgrade them; remove the option.',
      noSniffDisabled: '{{option}}: false drops X-Content-Type-Options: nosniff, so browsers may run an uploaded file as a script; remove the option.',
      unsafeSource: '{{directive}} allows {{source}}, so injected scripts can run; use nonces or hashes and list hosts explicitly.',
      frameAncestors: "{{directive}} allows {{source}}, so any site can frame these pages for clickjacking; list the allowed origins or use 'none'.",
    },
  },
  create(context) {
    const sem = context.semantics;
    const { nodes, visitors } = gatherNodes(context, ['invocations', 'properties']);
    const checkProperty = (property: ts.PropertyAssignment): void => {
      const name = propertyNameText(property.name);
      if (!name) return;
      if (Object.hasOwn(SWITCHES, name)) checkSwitch(context, property, name);
      else if (name.length === POLICY_HEADER.length && name.toLowerCase() === POLICY_HEADER) checkPolicyString(context, property, property.initializer);
      else if (SCRIPT_DIRECTIVES.has(name) || DEFAULT_DIRECTIVES.has(name) || FRAME_DIRECTIVES.has(name)) checkDirective(context, property, name);
      else if (name === 'key') checkHeaderEntry(property);
    };
    // Next.js `headers()` and similar lists: `{ key: 'Content-Security-Policy', value: "script-src 'unsafe-eval'" }`.
    const checkHeaderEntry = (property: ts.PropertyAssignment): void => {
      if (getStrings(sem.evaluate(property.initializer))[0]?.toLowerCase() !== POLICY_HEADER) return;
      const value = findProperty(property.parent, 'value');
      if (value && ts.isPropertyAssignment(value)) checkPolicyString(context, value, value.initializer);
    };
    const checkCall = (call: ts.CallExpression): void => {
      const method = getCalleeName(call);
      const [header, value] = call.arguments;
      if (!method || !HEADER_METHODS.has(method) || !header || !value) return;
      if (getStrings(sem.evaluate(header))[0]?.toLowerCase() !== POLICY_HEADER) return;
      checkPolicyString(context, call, value);
    };
    return {
      ...visitors,
      onEnd() {
        // In walk order, as findings were reported while the file was walked.
        for (const node of nodes.ordered) {
          if (ts.isPropertyAssignment(node)) checkProperty(node);
          else if (ts.isCallExpression(node)) checkCall(node);
        }
      },
    };
  },
});

const FRAME_ANCESTORS = /frameAncestors|['"]frame-ancestors['"]/;

/** `helmet({ contentSecurityPolicy: false })`, `secureHeaders({ xFrameOptions: false })`. */
function checkSwitch(context: RuleContext<MessageId>, property: ts.PropertyAssignment, name: string): void {
  const sem = context.semantics;
  if (!isFalse(sem.evaluate(property.initializer)) || !isHeaderOptions(sem, property.parent)) return;
  if (isEnvironmentDependent(sem, property)) return;
  const protection = SWITCHES[name];
  if (protection === 'csp') context.report({ node: property, messageId: 'disabled' });
  else if (protection === 'hsts') context.report({ node: property, messageId: 'hstsDisabled', data: { option: name } });
  else if (protection === 'nosniff') context.report({ node: property, messageId: 'noSniffDisabled', data: { option: name } });
  // frame-ancestors in the same options takes the place of X-Frame-Options, and its own sources are checked as a directive.
  else if (!FRAME_ANCESTORS.test(property.parent.getText())) context.report({ node: property, messageId: 'frameguardDisabled', data: { option: name } });
}

/** True when an object is the options of helmet, @fastify/helmet, koa-helmet or Hono's secureHeaders, directly or through a variable. */
function isHeaderOptions(sem: FileSemantics, object: ts.ObjectLiteralExpression): boolean {
  let node: ts.Node = object;
  while (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent) || ts.isSatisfiesExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent)) return true;
  if (!ts.isCallExpression(parent)) return false;
  if (isHeaderFunction(sem, parent.expression)) return true;
  // app.register(helmet, { ... }) in Fastify.
  const first = parent.arguments[0];
  return getCalleeName(parent) === 'register' && first !== undefined && first !== node && isHeaderFunction(sem, first);
}

function isHeaderFunction(sem: FileSemantics, expression: ts.Expression): boolean {
  const origin = sem.originOf(expression);
  if (origin.root.kind !== 'module') return false;
  const name = packageName(origin.root.specifier);
  if (HEADER_PACKAGES.has(name)) return true;
  return origin.root.specifier === 'hono/secure-headers' && packagePath(origin)[0] === 'secureHeaders';
}

/** `scriptSrc: ["'self'", "'unsafe-eval'"]` in a directives object. */
function checkDirective(context: RuleContext<MessageId>, property: ts.PropertyAssignment, name: string): void {
  const isScript = SCRIPT_DIRECTIVES.has(name);
  const isDefault = DEFAULT_DIRECTIVES.has(name);
  const isFrame = FRAME_DIRECTIVES.has(name);
  if (!isScript && !isDefault && !isFrame) return;
  const object = property.parent;
  if (!isDirectivesObject(object)) return;
  // default-src applies to scripts only when script-src is not given.
  if (isDefault && object.properties.some((member) => member.name && SCRIPT_DIRECTIVES.has(propertyNameText(member.name) ?? ''))) return;
  const sources = getSources(context.semantics, property.initializer);
  reportSources(context, property, name, sources, isFrame);
}

function isDirectivesObject(object: ts.ObjectLiteralExpression): boolean {
  const holder = object.parent;
  if (ts.isPropertyAssignment(holder) && /^(directives|contentSecurityPolicy)$/.test(propertyNameText(holder.name) ?? '')) return true;
  const keys = object.properties.filter((member) => member.name && DIRECTIVE_KEYS.test(propertyNameText(member.name) ?? ''));
  // `{ ...baseDirectives, scriptSrc: [...] }`: the spread brings the other directives.
  return keys.length >= 2 || (keys.length === 1 && object.properties.some(ts.isSpreadAssignment));
}

/**
 * Returns the sources of a directive value: an array of strings, or one string of
 * space-separated sources. helmet calls function entries per request, which
 * is how nonces are added, so a function entry counts as a nonce.
 */
function getSources(sem: FileSemantics, expression: ts.Expression): string[] {
  const value = sem.evaluate(expression);
  const items = value.kind === 'array' ? value.items.flatMap((item) => getStrings(item)) : getStrings(value);
  const node = skipOuterExpressions(expression);
  const generated = ts.isArrayLiteralExpression(node) && node.elements.some((element) => ts.isArrowFunction(element) || ts.isFunctionExpression(element));
  return [...items.flatMap((item) => item.split(/\s+/)).filter(Boolean), ...(generated ? ["'nonce-generated'"] : [])];
}

/** `'unsafe-inline'` does nothing once a nonce, a hash or 'strict-dynamic' is present (CSP Level 2 and later). */
function findUnsafeSource(sources: readonly string[]): string | undefined {
  const normalized = sources.map((source) => source.toLowerCase());
  const hasNonceOrHash = normalized.some((source) => /^'?(nonce-|sha256-|sha384-|sha512-|strict-dynamic)/.test(source));
  for (const source of normalized) {
    const bare = source.replace(/^'|'$/g, '');
    if (bare === 'unsafe-eval') return "'unsafe-eval'";
    if (bare === 'unsafe-inline' && !hasNonceOrHash) return "'unsafe-inline'";
    if (source === '*' || source === 'data:' || source === 'http:' || source === 'https:') return source;
  }
  return undefined;
}

function reportSources(context: RuleContext<MessageId>, node: ts.Node, directive: string, sources: readonly string[], isFrame: boolean): void {
  if (isEnvironmentDependent(context.semantics, node)) return;
  if (isFrame) {
    const wide = sources.find((source) => source === '*' || source === 'http:' || source === 'https:');
    if (wide) context.report({ node, messageId: 'frameAncestors', data: { directive, source: wide } });
    return;
  }
  const unsafe = findUnsafeSource(sources);
  if (unsafe) context.report({ node, messageId: 'unsafeSource', data: { directive, source: unsafe } });
}

/** Checks a Content-Security-Policy header value such as `default-src 'self'; script-src 'self' 'unsafe-inline'`. */
function checkPolicyString(context: RuleContext<MessageId>, node: ts.Node, value: ts.Expression): void {
  const sem = context.semantics;
  for (const policy of getStrings(sem.evaluate(value))) {
    const directives = new Map<string, string[]>();
    for (const part of policy.split(';')) {
      const [name, ...sources] = part.trim().split(/\s+/);
      if (name) directives.set(name.toLowerCase(), sources);
    }
    const script = directives.get('script-src') ?? directives.get('script-src-elem') ?? directives.get('default-src');
    const scriptName = directives.has('script-src') ? 'script-src' : directives.has('script-src-elem') ? 'script-src-elem' : 'default-src';
    const target = ts.isCallExpression(node) ? getCallTarget(node) : node;
    if (script) {
      const unsafe = findUnsafeSource(script);
      if (unsafe && !isEnvironmentDependent(sem, node)) {
        context.report({ node: target, messageId: 'unsafeSource', data: { directive: scriptName, source: unsafe } });
        return;
      }
    }
    const frame = directives.get('frame-ancestors');
    if (frame) reportSources(context, node, 'frame-ancestors', frame, true);
  }
}
