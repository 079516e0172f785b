import { ts } from '../typescript.js';
import type { FileSemantics } from '../analysis/semantics.js';
import { packageName, packagePath } from '../analysis/origin.js';
import { classifyName, splitWords } from '../analysis/sensitive.js';
import { getPropertyValue, propertyNameText, skipOuterExpressions } from '../analysis/syntax.js';
import type { Value } from '../analysis/values.js';
import { defineRule, type RuleContext } from './rule.js';
import { isEnvironmentDependent } from './shared/environment-guards.js';
import { collectNames } from './shared/hash-purpose.js';
import { getObjectLiteral, lookupOption } from './shared/option-lookup.js';
import { getRemoteHosts, parseUrl, type ParsedUrl } from './shared/remote-hosts.js';
import { mayImport, mayMention } from './shared/file-imports.js';
import { gatherWalkLists } from './shared/walk-lists.js';

/** HTTP client packages, whose calls take a URL or an options object with one. */
const HTTP_PACKAGES = new Set(['axios', 'got', 'node-fetch', 'undici', 'superagent', 'request', 'request-promise', 'request-promise-native', 'needle', 'ky', 'cross-fetch', 'isomorphic-fetch', 'http', 'phin', 'wretch']);

/** Methods that take a body as their second argument: `axios.post(url, data, config)`. */
const BODY_METHODS = new Set(['post', 'put', 'patch']);

/** Options that hold the URL or its base. */
const URL_OPTIONS = ['url', 'baseURL', 'baseUrl', 'prefixUrl', 'uri'];

/** Options that carry a request body. */
const BODY_OPTIONS = ['body', 'data', 'json', 'form', 'params', 'searchParams', 'qs'];

/** Header names that carry credentials. */
const CREDENTIAL_HEADERS = /^(authorization|proxy-authorization|cookie|x-api-key|x-auth-token|x-access-token|api-key|apikey)$/i;

/** Query parameter names that carry credentials: Google-style `key` among them. */
const CREDENTIAL_PARAMETERS = /^(key|api[-_]?key|access[-_]?token|token|auth|password|secret|client[-_]?secret|sig|signature)$/i;

type MessageId = 'credentials' | 'sensitiveData';

export default defineRule<MessageId>({
  meta: {
    id: 'http-without-tls',
    title: 'Credentials or health data sent over plain HTTP',
    summary:
      'Flags requests to remote `http://` URLs that carry credentials (an Authorization header, an API key, a password in the URL or body) or personal and health data. Anyone on the network path can read them and replay the credentials.',
    severity: 'high',
    precision: 'high',
    cwe: [319],
    owasp: 'A02:2021-Cryptographic Failures',
    messages: {
      credentials: 'Request to {{url}} over plain HTTP sends {{what}}, which anyone on the network path can read and replay; use https://.',
      sensitiveData: 'Request to {{url}} over plain HTTP sends {{what}}, personal or health data that anyone on the network path can read; use https://.',
    },
  },
  create(context) {
    const { lists, visitors } = gatherWalkLists(context, ['invocations']);
    return {
      ...visitors,
      onEnd() {
        // Every client is a package or the global fetch.
        const sourceFile = context.sourceFile;
        if (!mayImport(sourceFile, HTTP_PACKAGES) && !mayMention(sourceFile, 'fetch')) return;
        for (const call of lists.calls.nodes) checkRequest(context, call);
      },
    };
  },
});

interface RequestParts {
  url: { node: ts.Node; text: string; parsed: ParsedUrl };
  options: ts.Expression[];
  bodies: ts.Expression[];
}

function checkRequest(context: RuleContext<MessageId>, call: ts.CallExpression): void {
  const sem = context.semantics;
  const parts = getRequestParts(sem, call);
  if (!parts || getRemoteHosts(parts.url.parsed).length === 0) return;
  if (isEnvironmentDependent(sem, call)) return;

  const credential = findCredential(sem, parts);
  const data = credential ? undefined : findSensitiveData(sem, parts, context.config.sensitiveFields);
  const what = credential ?? data;
  if (!what) return;
  const shown = `${parts.url.parsed.scheme}://${parts.url.parsed.hosts[0]}`;
  context.report({ node: parts.url.node, messageId: credential ? 'credentials' : 'sensitiveData', data: { url: shown, what } });
}

/** Splits an HTTP client call into its constant `http://` URL, its options objects and its bodies. */
function getRequestParts(sem: FileSemantics, call: ts.CallExpression): RequestParts | undefined {
  const client = getClient(sem, call);
  if (!client) return undefined;
  const args = [...call.arguments];
  const options: ts.Expression[] = [];
  const bodies: ts.Expression[] = [];
  let url: RequestParts['url'] | undefined;

  for (const [index, argument] of args.entries()) {
    const text = getUrlText(sem.evaluate(argument));
    if (text !== undefined && !url) {
      const parsed = text.startsWith('http://') ? parseUrl(text) : undefined;
      if (!parsed) return undefined;
      url = { node: argument, text, parsed };
      continue;
    }
    if (getObjectLiteral(sem, argument) || sem.evaluate(argument).kind === 'object') {
      if (client.bodyIndex === index) bodies.push(argument);
      else options.push(argument);
    } else if (client.bodyIndex === index) {
      bodies.push(argument);
    }
  }
  for (const option of options) {
    for (const name of URL_OPTIONS) {
      if (url) break;
      const lookup = lookupOption(sem, option, [name]);
      if (lookup.kind !== 'set') continue;
      const text = getUrlText(lookup.value);
      if (text === undefined) continue;
      const parsed = text.startsWith('http://') ? parseUrl(text) : undefined;
      if (!parsed) return undefined;
      url = { node: lookup.node, text, parsed };
    }
    if (!url && client.module === 'http') url = getNodeHttpUrl(sem, option);
  }
  return url ? { url, options, bodies } : undefined;
}

/** Returns the HTTP client a call belongs to, and the index of the argument with the body. */
function getClient(sem: FileSemantics, call: ts.CallExpression): { module: string; bodyIndex: number } | undefined {
  const origin = sem.originOf(call.expression);
  if (origin.root.kind === 'global' && origin.root.name === 'fetch' && origin.path.length === 0) return { module: 'fetch', bodyIndex: -1 };
  if (origin.root.kind !== 'module') return undefined;
  const name = packageName(origin.root.specifier);
  if (!HTTP_PACKAGES.has(name)) return undefined;
  const method = packagePath(origin).filter((step) => step !== '()' && step !== 'new').at(-1);
  if (name === 'http' && method !== 'request' && method !== 'get') return undefined;
  return { module: name, bodyIndex: method && BODY_METHODS.has(method) && name === 'axios' ? 1 : -1 };
}

function toUrlPart(part: Value): string {
  if (part.kind === 'string') return part.value;
  if (part.kind === 'number') return String(part.value);
  return 'x';
}

/**
 * Returns the URL text of a value: a constant, or a concatenation whose
 * constant head fixes the scheme and host. Parts not known are written `x`,
 * so query keys after them still count: `/stock/${id}?access_token=${token}`.
 */
function getUrlText(value: Value): string | undefined {
  if (value.kind === 'string') return /^https?:\/\//i.test(value.value) ? value.value : undefined;
  if (value.kind === 'concat') {
    const head = value.parts[0];
    if (head?.kind !== 'string' || !/^https?:\/\/[^/?#]+[/?#]/i.test(head.value)) return undefined;
    return value.parts.map(toUrlPart).join('');
  }
  return undefined;
}

/** `http.request({ hostname: 'lab.example.com', path: '/results' })`: node:http has no TLS at all. */
function getNodeHttpUrl(sem: FileSemantics, options: ts.Expression): RequestParts['url'] | undefined {
  for (const name of ['hostname', 'host']) {
    const lookup = lookupOption(sem, options, [name]);
    if (lookup.kind !== 'set' || lookup.value.kind !== 'string') continue;
    const path = lookupOption(sem, options, ['path']);
    const text = `http://${lookup.value.value}${path.kind === 'set' && path.value.kind === 'string' ? path.value.value : '/'}`;
    const parsed = parseUrl(text);
    return parsed ? { node: lookup.node, text, parsed } : undefined;
  }
  return undefined;
}

/** Describes the credential a request carries, or undefined. */
function findCredential(sem: FileSemantics, parts: RequestParts): string | undefined {
  const { parsed } = parts.url;
  if (parsed.password !== undefined && parsed.password !== '') return 'a password in the URL';
  for (const name of parsed.params.keys()) if (CREDENTIAL_PARAMETERS.test(name)) return `the ${name} query parameter`;

  for (const option of parts.options) {
    if (lookupOption(sem, option, ['auth']).kind === 'set') return 'credentials in the auth option';
    if (lookupOption(sem, option, ['password']).kind === 'set') return 'a password';
    const headers = lookupOption(sem, option, ['headers']);
    if (headers.kind !== 'set' || !headers.expression) continue;
    const header = getHeaderNames(sem, headers.expression).find((name) => CREDENTIAL_HEADERS.test(name) || isCredentialName(name));
    if (header) return `the ${header} header`;
  }
  for (const body of [...parts.bodies, ...getBodyOptions(sem, parts.options)]) {
    const name = getBodyNames(sem, body).find(isCredentialName);
    if (name) return `\`${name}\` in the body`;
  }
  return undefined;
}

/** Describes the personal or health data a request carries, or undefined. */
function findSensitiveData(sem: FileSemantics, parts: RequestParts, extra: readonly string[]): string | undefined {
  for (const body of [...parts.bodies, ...getBodyOptions(sem, parts.options)]) {
    for (const name of getBodyNames(sem, body)) {
      const kind = classifyName(name, extra);
      if (kind === 'health' || kind === 'identity' || kind === 'financial') return `\`${name}\` in the body`;
    }
  }
  for (const segment of parts.url.parsed.path.split('/')) {
    const kind = segment ? classifyName(segment, extra) : undefined;
    if (kind === 'health' || kind === 'identity') return `${segment} data`;
  }
  return undefined;
}

function isCredentialName(name: string): boolean {
  const kind = classifyName(name);
  if (kind === 'credential') return true;
  return kind === 'token' && !splitWords(name).some((word) => word === 'cookie' || word === 'cookies');
}

function getHeaderNames(sem: FileSemantics, headers: ts.Expression): string[] {
  const object = getObjectLiteral(sem, headers);
  if (object) return object.properties.flatMap((property) => (property.name && propertyNameText(property.name) ? [propertyNameText(property.name)!] : []));
  const value = sem.evaluate(headers);
  return value.kind === 'object' ? Object.keys(value.properties) : [];
}

function getBodyOptions(sem: FileSemantics, options: readonly ts.Expression[]): ts.Expression[] {
  const bodies: ts.Expression[] = [];
  for (const option of options) {
    for (const name of BODY_OPTIONS) {
      const lookup = lookupOption(sem, option, [name]);
      if (lookup.kind === 'set' && lookup.expression) bodies.push(lookup.expression);
    }
  }
  return bodies;
}

/** Property names and variable names a body is built from, through `JSON.stringify` and `new URLSearchParams`. */
function getBodyNames(sem: FileSemantics, body: ts.Expression): string[] {
  const object = getObjectLiteral(sem, unwrapSerializer(body));
  if (!object) return collectNames(sem, body, 1);
  return object.properties.flatMap((property) => {
    const name = property.name && propertyNameText(property.name);
    const value = getPropertyValue(property);
    return [...(name ? [name] : []), ...(value && ts.isPropertyAssignment(property) ? collectNames(sem, value, 1) : [])];
  });
}

function unwrapSerializer(expression: ts.Expression): ts.Expression {
  const node = skipOuterExpressions(expression);
  if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && node.arguments?.[0]) {
    const callee = node.expression.getText();
    if (callee === 'JSON.stringify' || callee === 'URLSearchParams' || callee === 'qs.stringify') return node.arguments[0];
  }
  return expression;
}
