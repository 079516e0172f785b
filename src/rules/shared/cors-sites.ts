import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { NEW, packageName, packagePath, type Origin } from '../../analysis/origin.js';
import { findProperty, skipOuterExpressions } from '../../analysis/syntax.js';
import type { ReportTarget } from '../rule.js';
import { getCallTarget } from './report-target.js';

/** A call that configures CORS through a library. */
export interface CorsSite {
  /** The element named in messages: `cors()`, `enableCors()`, `@fastify/cors`. */
  subject: string;
  /** The options argument, if any. */
  options: ts.Expression | undefined;
  /**
   * Alternative property paths to the CORS settings, when the options hold
   * them under a key: `[['cors']]` for `NestFactory.create()` and socket.io,
   * `[['routes', 'cors']]` for a hapi server.
   */
  corsPaths?: string[][];
  /** True when the options may be a function that hands options to a callback per request. */
  delegate: boolean;
  /** True when `'*'` in a list of origins allows every origin, as in hapi. */
  wildcardInList: boolean;
  target: ReportTarget;
}

/** Packages that export a CORS middleware as their default export, with the subject messages name it by. */
const MIDDLEWARE_PACKAGES = new Map([
  ['cors', 'cors()'],
  ['@koa/cors', 'cors() from @koa/cors'],
  ['kcors', 'cors() from kcors'],
  ['koa2-cors', 'cors() from koa2-cors'],
]);
const FASTIFY_PACKAGES = new Set(['@fastify/cors', 'fastify-cors']);
const HAPI_PACKAGES = new Set(['@hapi/hapi', 'hapi']);

/** Packages of the set-ups recognised by where the called function comes from. */
const SITE_PACKAGES = [...MIDDLEWARE_PACKAGES.keys(), 'hono', '@nestjs/core', 'socket.io', ...HAPI_PACKAGES];

/**
 * Which CORS libraries a file imports. A value of a library can only come
 * from an import of the file itself, so without one the origin of a call
 * need not be asked.
 */
export interface CorsImports {
  sites: boolean;
  fastify: boolean;
}

export function getCorsImports(sem: FileSemantics): CorsImports {
  return { sites: sem.importsAny(SITE_PACKAGES), fastify: sem.importsAny(FASTIFY_PACKAGES) };
}

/** Methods whose calls are CORS set-ups whatever the file imports. */
const SITE_METHODS = new Set(['register', 'enableCors', 'route']);

/** A cheap test before {@link getCorsSites}: false when the call cannot be a CORS set-up. */
export function mayBeCorsSite(call: ts.CallExpression | ts.NewExpression, imports: CorsImports): boolean {
  if (imports.sites) return true;
  const callee = skipOuterExpressions(call.expression);
  return ts.isPropertyAccessExpression(callee) && SITE_METHODS.has(callee.name.text);
}

/**
 * Recognises CORS set-ups through a library. These are the `cors`,
 * `@koa/cors` and Hono middleware, `@fastify/cors` registered as a plugin,
 * NestJS `enableCors()` and the `cors` option of `NestFactory.create()`. They
 * also include the `cors` option of a socket.io server and hapi's `cors`
 * settings of a server or a route. A hapi route list gives one site per route.
 */
export function getCorsSites(sem: FileSemantics, call: ts.CallExpression | ts.NewExpression, imports: CorsImports): CorsSite[] {
  const callee = skipOuterExpressions(call.expression);
  const callArguments = call.arguments ?? [];
  const [first, second] = callArguments;
  const last = callArguments[callArguments.length - 1];
  let base: Pick<CorsSite, 'delegate' | 'wildcardInList' | 'target'> | undefined;
  const getBase = (): Pick<CorsSite, 'delegate' | 'wildcardInList' | 'target'> =>
    (base ??= { delegate: false, wildcardInList: false, target: getCallTarget(call) });

  let origin: Origin | undefined = imports.sites ? sem.originOf(callee) : undefined;
  if (origin?.root.kind === 'module') {
    const specifier = origin.root.specifier;
    const name = packageName(specifier);
    const path = packagePath(origin);
    const isNew = ts.isNewExpression(call);
    const subject = MIDDLEWARE_PACKAGES.get(name);
    if (subject && path.length === 0 && !isNew) return [{ ...getBase(), subject, options: first, delegate: name === 'cors', target: call }];
    if (specifier === 'hono/cors' && path.join('.') === 'cors' && !isNew) {
      return [{ ...getBase(), subject: 'cors() from hono/cors', options: first, target: call }];
    }
    if (name === '@nestjs/core' && path.join('.') === 'NestFactory.create') {
      return [{ ...getBase(), subject: 'NestFactory.create()', options: callArguments.length >= 2 ? last : undefined, corsPaths: [['cors']] }];
    }
    if (name === 'socket.io' && (path.length === 0 || path.join('.') === 'Server')) {
      return [{ ...getBase(), subject: 'the socket.io server', options: last, corsPaths: [['cors']], target: call }];
    }
    if (HAPI_PACKAGES.has(name) && (path.join('.') === 'server' || path.join('.') === 'Server')) {
      return [{ ...getBase(), subject: 'the hapi server', options: first, corsPaths: [['routes', 'cors']], wildcardInList: true }];
    }
  }

  if (!ts.isPropertyAccessExpression(callee) || !ts.isCallExpression(call)) return [];
  const method = callee.name.text;
  if (method === 'register' && first && isFastifyCorsPlugin(sem, first, imports)) {
    return [{ ...getBase(), subject: '@fastify/cors', options: second }];
  }
  if (method === 'enableCors') {
    const receiver = sem.originOf(callee.expression);
    if (receiver.root.kind === 'module' && !packageName(receiver.root.specifier).startsWith('@nestjs/')) return [];
    return [{ ...getBase(), subject: 'enableCors()', options: first, delegate: true }];
  }
  if (method === 'route' && first) {
    origin ??= sem.originOf(callee);
    return getHapiRoutes(sem, first, origin.path.includes(NEW) || isHapiOrigin(origin));
  }
  return [];
}

function isHapiOrigin(origin: ReturnType<FileSemantics['originOf']>): boolean {
  return origin.root.kind === 'module' && HAPI_PACKAGES.has(packageName(origin.root.specifier));
}

/**
 * hapi routes, `server.route({ method, path, options: { cors }, handler })` or
 * a list of them. The receiver is often a plugin's parameter, so a route is
 * recognised by its shape: a `path` and a `cors` setting under `options` or
 * `config`.
 */
function getHapiRoutes(sem: FileSemantics, argument: ts.Expression, isHapi: boolean): CorsSite[] {
  const expression = skipOuterExpressions(argument);
  const routes = ts.isArrayLiteralExpression(expression) ? expression.elements : [expression];
  const sites: CorsSite[] = [];
  for (const route of routes) {
    const object = skipOuterExpressions(route);
    if (!ts.isObjectLiteralExpression(object) || (!isHapi && !findProperty(object, 'path'))) continue;
    sites.push({
      subject: 'the hapi route',
      options: object,
      corsPaths: [['options', 'cors'], ['config', 'cors']],
      delegate: false,
      wildcardInList: true,
      target: object,
    });
  }
  return sites;
}

/** `cors` imported from `@fastify/cors`, `require('@fastify/cors')` or `import('@fastify/cors')`. */
function isFastifyCorsPlugin(sem: FileSemantics, plugin: ts.Expression, imports: CorsImports): boolean {
  const expression = skipOuterExpressions(plugin);
  if (ts.isCallExpression(expression) && expression.expression.kind === ts.SyntaxKind.ImportKeyword) {
    const [argument] = expression.arguments;
    return argument !== undefined && ts.isStringLiteralLike(argument) && FASTIFY_PACKAGES.has(packageName(argument.text));
  }
  if (!imports.fastify) return false;
  const origin = sem.originOf(expression);
  if (origin.root.kind !== 'module' || !FASTIFY_PACKAGES.has(packageName(origin.root.specifier))) return false;
  const path = packagePath(origin);
  return path.length === 0 || (path.length === 1 && (path[0] === 'fastifyCors' || path[0] === 'default'));
}
