import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { CALL, NEW, packageName, packagePath, type Origin } from '../../analysis/origin.js';
import { getPropertyValue, propertyNameText } from '../../analysis/syntax.js';
import { resolveObjectLiteral } from './object-literal.js';
import { mayImport, mayMention } from './file-imports.js';

/** A call that sends a request from the server, and the expressions that choose where to. */
export interface OutgoingRequest {
  node: ts.CallExpression | ts.NewExpression;
  /** The function called, for messages: `fetch`, `axios.get`, `http.request`. */
  method: string;
  /** Expressions that hold a whole URL. */
  urls: ts.Expression[];
  /** Expressions that hold only a host name. */
  hosts: ts.Expression[];
}

/**
 * The way a client function takes its target:
 * - `url`: the first argument is a URL, or an options object;
 * - `method-url`: the second argument is the URL, after the HTTP method (needle, superagent);
 * - `options`: the first argument is an options object (`axios.request`, `axios.create`);
 * - `port-host`: a port, then a host (`net.connect`).
 */
type Shape = 'url' | 'method-url' | 'options' | 'port-host';

const VERBS = ['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options', 'postForm', 'putForm', 'patchForm', 'stream', 'json'];

function verbs(shape: Shape, extra: Record<string, Shape> = {}): Record<string, Shape> {
  return { ...Object.fromEntries(VERBS.map((verb) => [verb, shape])), ...extra };
}

/** HTTP clients by package, then by export path (`''` for the package's default export). */
const CLIENTS: Record<string, Record<string, Shape>> = {
  axios: verbs('url', { '': 'url', request: 'options', create: 'options' }),
  got: verbs('url', { '': 'url', extend: 'options' }),
  'node-fetch': { '': 'url', fetch: 'url' },
  'cross-fetch': { '': 'url', fetch: 'url' },
  'isomorphic-fetch': { '': 'url' },
  'make-fetch-happen': { '': 'url' },
  undici: { fetch: 'url', request: 'url', stream: 'url', pipeline: 'url', connect: 'url', Client: 'url', Pool: 'url' },
  ky: verbs('url', { '': 'url' }),
  ofetch: { ofetch: 'url', $fetch: 'url' },
  phin: { '': 'url' },
  wretch: { '': 'url' },
  superagent: verbs('url', { '': 'method-url' }),
  needle: verbs('url', { '': 'method-url', request: 'method-url' }),
  request: verbs('url', { '': 'url' }),
  'request-promise': verbs('url', { '': 'url' }),
  'request-promise-native': verbs('url', { '': 'url' }),
  http: { request: 'url', get: 'url' },
  https: { request: 'url', get: 'url' },
  http2: { connect: 'url' },
  ws: { '': 'url', WebSocket: 'url' },
  'isomorphic-ws': { '': 'url' },
  net: { connect: 'port-host', createConnection: 'port-host' },
  tls: { connect: 'port-host' },
};

/** Headless browsers that load a page from the server's network. */
const BROWSER_PACKAGES = new Set(['puppeteer', 'puppeteer-core', 'playwright', 'playwright-core', '@playwright/test']);

/** Options that hold a whole URL, and options that hold a host name. */
const URL_OPTIONS = new Set(['url', 'uri', 'href', 'baseURL', 'baseUrl', 'prefixUrl']);
const HOST_OPTIONS = new Set(['host', 'hostname', 'socketPath']);

/** Packages whose functions send requests, and NestJS's, whose `HttpService` wraps axios. */
const CLIENT_PACKAGES = new Set([...Object.keys(CLIENTS), ...BROWSER_PACKAGES, '@nestjs/axios', '@nestjs/common']);

/**
 * True when a call of the file may send a request: the file imports a client
 * package or names `fetch`. Otherwise no callee can come from a client.
 */
export function mayCallHttpClients(sourceFile: ts.SourceFile): boolean {
  return mayImport(sourceFile, CLIENT_PACKAGES) || mayMention(sourceFile, 'fetch');
}

/** Recognises a call that sends a request from the server. */
export function getOutgoingRequest(sem: FileSemantics, node: ts.CallExpression | ts.NewExpression): OutgoingRequest | undefined {
  const args = (node.arguments ?? []).filter((argument): argument is ts.Expression => !ts.isSpreadElement(argument));
  if (args.length === 0) return undefined;
  const target = getClientFunction(sem, node.expression);
  if (!target) return undefined;
  const request: OutgoingRequest = { node, method: target.method, urls: [], hosts: [] };

  switch (target.shape) {
    case 'url': {
      const options = args[target.optionsIndex];
      // `got(path, { prefixUrl })` sends the path below a fixed prefix.
      if (!options || !isRelativeToPrefix(sem, options)) addTarget(sem, request, args[0]!);
      if (options) addOptions(sem, request, options, false);
      break;
    }
    case 'method-url':
      if (args[1]) addTarget(sem, request, args[1]);
      break;
    case 'options':
      addOptions(sem, request, args[0]!, true);
      break;
    case 'port-host':
      if (resolveObjectLiteral(sem, args[0]!)) addOptions(sem, request, args[0]!, false);
      else if (args[1]) request.hosts.push(args[1]);
      break;
  }
  if (args.some((argument) => hasFilteringAgent(sem, argument))) return undefined;
  return request.urls.length > 0 || request.hosts.length > 0 ? request : undefined;
}

/** Agents that refuse private and loopback addresses whatever the URL: ssrf-req-filter, request-filtering-agent. */
const FILTERING_AGENT_PACKAGES = new Set([
  'ssrf-req-filter',
  'request-filtering-agent',
  'ssrf-agent',
  'ssrf-agent-guard',
]);
const AGENT_OPTIONS = new Set(['agent', 'httpAgent', 'httpsAgent', 'dispatcher']);

function hasFilteringAgent(sem: FileSemantics, argument: ts.Expression): boolean {
  const object = resolveObjectLiteral(sem, argument);
  if (!object) return false;
  return object.properties.some((property) => {
    const name = property.name && propertyNameText(property.name);
    const value = getPropertyValue(property);
    if (!name || !value || !AGENT_OPTIONS.has(name)) return false;
    const origin = sem.originOf(value);
    return origin.root.kind === 'module' && FILTERING_AGENT_PACKAGES.has(packageName(origin.root.specifier));
  });
}

interface ClientFunction {
  method: string;
  shape: Shape;
  /** The position of the options object, for the `url` shape: after the body for `axios.post(url, body, options)`. */
  optionsIndex: number;
}

/** Clients whose `post`, `put` and `patch` take the body before the options. */
const BODY_BEFORE_OPTIONS = new Set(['axios', 'needle', '@nestjs/axios', '@nestjs/common']);
const BODY_VERBS = new Set(['post', 'put', 'patch', 'postForm', 'putForm', 'patchForm']);

/** The client function a callee denotes, with its name for messages. */
function getClientFunction(sem: FileSemantics, callee: ts.Expression): ClientFunction | undefined {
  const origin = sem.originOf(callee);
  if (origin.root.kind === 'global') {
    const path = [origin.root.name, ...origin.path].filter((step) => step !== CALL && step !== NEW);
    const name = path.join('.');
    if (name === 'fetch' || name === 'globalThis.fetch') return { method: 'fetch', shape: 'url', optionsIndex: 1 };
    return undefined;
  }
  if (origin.root.kind !== 'module') return undefined;
  const module = packageName(origin.root.specifier);
  const path = getClientPath(origin);
  const last = path[path.length - 1] ?? '';
  const optionsIndex = BODY_BEFORE_OPTIONS.has(module) && BODY_VERBS.has(last) ? 2 : 1;
  if (BROWSER_PACKAGES.has(module) && last === 'goto') return { method: 'page.goto', shape: 'url', optionsIndex };
  // NestJS wraps axios in HttpService: `this.http.get(url)`.
  if ((module === '@nestjs/axios' || module === '@nestjs/common') && path[0] === 'HttpService' && path.length === 2) {
    if (!VERBS.includes(last) && last !== 'request') return undefined;
    return { method: `httpService.${last}`, shape: last === 'request' ? 'options' : 'url', optionsIndex };
  }
  const shapes = CLIENTS[module];
  if (!shapes) return undefined;
  const name = path.join('.');
  const shape = shapes[name];
  if (!shape) return undefined;
  return { method: name ? `${module}.${name}` : module, shape, optionsIndex };
}

/**
 * The export path of a client function with instances folded in:
 * `axios.create(...).get` and `got.extend(...).get` become `get`.
 */
function getClientPath(origin: Origin): string[] {
  const path = packagePath(origin);
  const steps: string[] = [];
  for (const step of path) {
    if (step === CALL || step === NEW) continue;
    steps.push(step);
  }
  if (steps.length === 2 && (steps[0] === 'create' || steps[0] === 'extend' || steps[0] === 'defaults')) return steps.slice(1);
  return steps;
}

/** Adds a URL argument: a string or URL object, or an options object with a `url` or `host`. */
function addTarget(sem: FileSemantics, request: OutgoingRequest, argument: ts.Expression): void {
  if (resolveObjectLiteral(sem, argument)) {
    addOptions(sem, request, argument, true);
    return;
  }
  request.urls.push(argument);
}

function addOptions(sem: FileSemantics, request: OutgoingRequest, argument: ts.Expression, isTarget: boolean): void {
  const object = resolveObjectLiteral(sem, argument);
  if (!object) return;
  for (const property of object.properties) {
    const name = property.name && propertyNameText(property.name);
    const value = getPropertyValue(property);
    if (!name || !value) continue;
    if (URL_OPTIONS.has(name) && (isTarget || name !== 'url')) request.urls.push(value);
    else if (HOST_OPTIONS.has(name)) request.hosts.push(value);
  }
}

/** `got(path, { prefixUrl })`: the first argument is a path below a fixed prefix. */
function isRelativeToPrefix(sem: FileSemantics, options: ts.Expression): boolean {
  const object = resolveObjectLiteral(sem, options);
  return object?.properties.some((property) => property.name && propertyNameText(property.name) === 'prefixUrl') ?? false;
}
