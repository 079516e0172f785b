import { ts } from '../typescript.js';
import type { FileSemantics } from '../analysis/semantics.js';
import { getMemberName, skipOuterExpressions } from '../analysis/syntax.js';
import type { Value } from '../analysis/values.js';
import type { Severity } from '../types.js';
import { defineRule, type RuleContext } from './rule.js';
import { getCookieSetting, isClearingCookie, isCsrfCookie, isSensitiveCookie, type CookieAttribute, type CookieSetting } from './shared/cookie-settings.js';
import { isEnvironmentDependent } from './shared/environment-guards.js';
import { gatherNodes } from './shared/file-nodes.js';
import { getStrings, isFalse, isTrue, lookupOption, type OptionLookup } from './shared/option-lookup.js';
import { getCallTarget } from './shared/report-target.js';
import { classifySecretName } from './shared/secret-value-names.js';
import { getFactPlace, type FactPlace } from './shared/fact-place.js';

/** One attribute that leaves a cookie exposed. */
interface CookieProblem {
  attribute: CookieAttribute;
  /** `false`, `missing`, or `none` for SameSite=None without Secure. */
  kind: 'false' | 'missing' | 'none';
  /** The option that sets the weak value, when there is one. */
  node?: ts.Node;
}

/** In this order, so that Secure is known when SameSite=None is judged. */
const ATTRIBUTES: CookieAttribute[] = ['httpOnly', 'secure', 'sameSite'];

/** Header methods of Node, Express, Fastify and Koa responses. */
const HEADER_METHODS = new Set(['setHeader', 'set', 'header', 'append', 'appendHeader']);

type MessageId = 'cookie' | 'sessionCookie';

/** A sensitive cookie set with options that another module exports: `res.cookie('refresh', token, refreshCookieOptions)`. */
interface ImportedOptionsFact extends FactPlace {
  options: Value;
  name: string | undefined;
  session: boolean;
}

export default defineRule<MessageId, ImportedOptionsFact>({
  meta: {
    id: 'insecure-cookie',
    title: 'Session or authentication cookie without HttpOnly, Secure or SameSite',
    summary:
      'Flags cookies that carry a session id or credentials (by the cookie name or the value it holds) and are set with `httpOnly: false`, `secure: false` or `sameSite: \'none\'` without Secure, or without these attributes where the library does not add them: Express `res.cookie`, Fastify `setCookie`, Koa `ctx.cookies.set`, Next.js `cookies().set`, Hono, `cookie.serialize`, raw `Set-Cookie` headers, express-session and cookie-session.',
    severity: 'high',
    precision: 'high',
    cwe: [614, 1004, 1275],
    owasp: 'A05:2021-Security Misconfiguration',
    messages: {
      cookie: 'Cookie {{name}} carries {{what}} and is set {{problems}}; set httpOnly: true, secure: true and sameSite: \'lax\' or \'strict\'.',
      sessionCookie: 'The {{library}} session cookie is set {{problems}}; set httpOnly: true, secure: true and sameSite: \'lax\' or \'strict\' in its cookie options.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const { nodes, visitors } = gatherNodes(context, ['invocations']);
    return {
      ...visitors,
      onEnd() {
        for (const call of nodes.calls) {
          const setting = getCookieSetting(sem, call) ?? getHeaderCookie(sem, call);
          if (!setting || !isSensitiveCookie(sem, setting) || isClearingCookie(sem, setting)) continue;
          const options = setting.options ? sem.evaluate(setting.options) : undefined;
          if (options?.kind === 'import' && setting.options) {
            context.addFact({ ...getFactPlace(sem.sourceFile, setting.options), options, name: setting.name, session: setting.session });
            continue;
          }
          const problems = findProblems(sem, setting);
          if (problems.length === 0) continue;
          report(context, setting, problems);
        }
      },
    };
  },
  project(context) {
    for (const { file, facts } of context.facts<ImportedOptionsFact>()) {
      for (const fact of facts) {
        const options = context.resolveValue(file, fact.options);
        if (options.kind !== 'object') continue;
        const problems = findImportedProblems(options.properties);
        if (problems.length === 0) continue;
        context.report({
          file,
          location: fact.location,
          messageId: 'cookie',
          data: { name: fact.name ? `'${fact.name}'` : 'set here', what: fact.session ? 'the session id' : 'a session or credential', problems: describeProblems(problems) },
          fingerprintKey: fact.key,
        });
      }
    }
  },
});

/** Lists the attributes that options of another module turn off explicitly: `secure: false`, `httpOnly: false`, `sameSite: 'none'` without Secure. */
function findImportedProblems(properties: Record<string, Value>): CookieProblem[] {
  const problems: CookieProblem[] = [];
  for (const attribute of ['httpOnly', 'secure'] as const) {
    if (isFalse(properties[attribute])) problems.push({ attribute, kind: 'false' });
  }
  const sameSite = properties.sameSite;
  if (sameSite && getStrings(sameSite).some((text) => text.toLowerCase() === 'none') && !isTrue(properties.secure)) {
    problems.push({ attribute: 'sameSite', kind: 'none' });
  }
  return problems;
}

function findProblems(sem: FileSemantics, setting: CookieSetting): CookieProblem[] {
  if (setting.optionsUnknown) return [];
  const problems: CookieProblem[] = [];
  const secureByName = /^__(Host|Secure)-/.test(setting.name ?? '');
  let secure = secureByName;
  for (const attribute of ATTRIBUTES) {
    if (attribute === 'httpOnly' && isCsrfCookie(setting.name)) continue;
    const lookup = readAttribute(sem, setting, attribute);
    if (lookup.kind === 'unknown') {
      if (attribute === 'secure') secure = true;
      continue;
    }
    if (lookup.kind === 'missing') {
      if (attribute === 'secure' && (secureByName || setting.defaults.secure !== 'off')) secure = true;
      else if (setting.defaults[attribute] === 'off') problems.push({ attribute, kind: 'missing' });
      continue;
    }
    if (isEnvironmentDependent(sem, lookup.node)) {
      if (attribute === 'secure') secure = true;
      continue;
    }
    const value = lookup.value;
    if (attribute === 'sameSite') {
      if (isFalse(value)) problems.push({ attribute, kind: 'false', node: lookup.node });
      else if (getStrings(value).some((text) => text.toLowerCase() === 'none') && !secure) {
        // SameSite=None needs Secure, so one problem covers both.
        const index = problems.findIndex((problem) => problem.attribute === 'secure');
        if (index >= 0) problems.splice(index, 1);
        problems.push({ attribute, kind: 'none', node: lookup.node });
      }
      continue;
    }
    if (isFalse(value) && !(attribute === 'secure' && secureByName)) problems.push({ attribute, kind: 'false', node: lookup.node });
    else if (attribute === 'secure' && (isTrue(value) || value.kind !== 'boolean')) secure = true;
  }
  return problems;
}

/** Reads an attribute from the options object, or from the attributes of a raw `Set-Cookie` header. */
function readAttribute(sem: FileSemantics, setting: CookieSetting, attribute: CookieAttribute): OptionLookup {
  const header = setting.headerAttributes;
  if (header) {
    const text = header.get(attribute.toLowerCase());
    if (text === undefined) return { kind: 'missing' };
    const value: Value = attribute === 'sameSite' ? { kind: 'string', value: text } : { kind: 'boolean', value: true };
    return { kind: 'set', node: setting.call, expression: undefined, value };
  }
  return setting.options ? lookupOption(sem, setting.options, [attribute]) : { kind: 'missing' };
}

function report(context: RuleContext<MessageId>, setting: CookieSetting, problems: CookieProblem[]): void {
  const explicit = problems.find((problem) => problem.node);
  const node = explicit?.node ?? setting.cookieMember ?? getCallTarget(setting.call);
  const onlySameSite = problems.every((problem) => problem.attribute === 'sameSite' && problem.kind === 'missing');
  const severity: Severity | undefined = onlySameSite ? 'medium' : undefined;
  const described = describeProblems(problems);
  if (setting.session && setting.name === undefined) {
    context.report({ node, messageId: 'sessionCookie', data: { library: setting.library, problems: described }, ...(severity ? { severity } : {}) });
    return;
  }
  context.report({
    node,
    messageId: 'cookie',
    data: { name: setting.name ? `'${setting.name}'` : 'set here', what: setting.session ? 'the session id' : 'a session or credential', problems: described },
    ...(severity ? { severity } : {}),
  });
}

/** `with httpOnly: false, without secure and without sameSite`. */
function describeProblems(problems: readonly CookieProblem[]): string {
  const parts = problems.map((problem) => {
    if (problem.kind === 'false') return `with ${problem.attribute}: false`;
    if (problem.kind === 'none') return "with sameSite: 'none' and without secure";
    return `without ${problem.attribute}`;
  });
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** Returns the text of a template with each constant part filled in, `attrs.join('; ')` of a constant list included, and `${}` for the rest. */
function getKnownTemplateText(sem: FileSemantics, template: ts.TemplateExpression): string {
  let text = template.head.text;
  for (const span of template.templateSpans) {
    const value = sem.evaluate(span.expression);
    text += (value.kind === 'string' ? value.value : '${}') + span.literal.text;
  }
  return text;
}

/**
 * `res.setHeader('Set-Cookie', `sid=${id}; Path=/`)`: reads the attributes
 * from the constant text of the header value. A value that adds attributes
 * from an expression is left alone.
 */
function getHeaderCookie(sem: FileSemantics, call: ts.CallExpression): CookieSetting | undefined {
  const callee = skipOuterExpressions(call.expression);
  const method = getMemberName(callee);
  const [header, value] = call.arguments;
  if (!method || !HEADER_METHODS.has(method) || !header || !value) return undefined;
  if (getStrings(sem.evaluate(header))[0]?.toLowerCase() !== 'set-cookie') return undefined;
  const node = skipOuterExpressions(value);
  const text = ts.isTemplateExpression(node) ? getKnownTemplateText(sem, node) : getStrings(sem.evaluate(node))[0];
  if (text === undefined) return undefined;

  const [pair = '', ...attributes] = text.split(';').map((part) => part.trim());
  const name = pair.split('=')[0]?.trim();
  if (!name || name.includes('${') || attributes.some((attribute) => attribute.includes('${') && !attribute.includes('='))) return undefined;
  const flags = new Map(attributes.map((attribute) => {
    const [key = '', setting = 'true'] = attribute.split('=');
    return [key.trim().toLowerCase(), setting.trim()] as const;
  }));
  if (flags.has('max-age') && flags.get('max-age') === '0') return undefined;
  const sensitive = classifySecretName(name) !== undefined || /sess|sid|auth|token|jwt|remember/i.test(name);
  if (!sensitive) return undefined;
  return {
    library: 'Set-Cookie',
    call,
    name,
    value: undefined,
    options: undefined,
    headerAttributes: flags,
    optionsUnknown: false,
    defaults: { httpOnly: 'off', secure: 'off', sameSite: 'off' },
    session: false,
  };
}
