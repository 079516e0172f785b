import type { Framework, Span } from './facts.js';
import { isTestFile, type RateLimitGraph, type RouteNode, type RoutePath } from './graph.js';
import { NestApps } from './nest-apps.js';
import { getPathStrings, isAuthRoute, joinPaths, splitPath } from './paths.js';

export interface AuthRouteFinding {
  file: string;
  span: Span;
  method: string;
  /** The full path on the first mount chain without a limiter. */
  path: string;
}

export interface AppFinding {
  file: string;
  span: Span;
  framework: Framework;
}

type IsAuthRoute = (methods: readonly string[], path: string) => boolean;

/** Finds the authentication routes of every framework that no limiter covers on some chain of mounts. */
export function findUnprotectedAuthRoutes(graph: RateLimitGraph, extra: readonly RegExp[]): AuthRouteFinding[] {
  const isAuth: IsAuthRoute = (methods, path) => isAuthRoute(methods, path, { extra });
  const findings: AuthRouteFinding[] = [];
  for (const node of graph.objects.values()) {
    for (const route of node.routes) {
      if (isTestFile(route.file) || graph.hasOwnLimiter(route)) continue;
      const path = findUnprotectedPath(graph, route, isAuth);
      if (path === undefined) continue;
      findings.push({ file: route.file, span: route.event.span, method: route.event.methods[0] ?? 'ALL', path });
    }
  }
  const nest = new NestApps(graph);
  for (const finding of nest.findUnprotectedRoutes(isAuth)) findings.push(finding);
  return findings;
}

/** Returns the full path of a route on the first chain of mounts where it is an authentication route without a limiter. */
function findUnprotectedPath(graph: RateLimitGraph, route: RouteNode, isAuth: IsAuthRoute): string | undefined {
  const { methods, handlerName } = route.event;
  for (const path of getPathStrings(route.path)) {
    // `router.post('/', auth.login)` on a router mounted at `/auth`: the handler name shows what the route does.
    const named = splitPath(path).length === 0 && handlerName !== undefined;
    for (const chain of getServingPaths(graph.getRoutePaths(route.object, route.order, path))) {
      if (chain.protected && route.event.disabled !== true) continue;
      if (isAuth(methods, chain.path)) return chain.path;
      const namedPath = joinPaths(chain.path, handlerName);
      if (named && isAuth(methods, namedPath)) return namedPath;
    }
  }
  return undefined;
}

/** Drops the chains that end at an app of a test file, unless every chain does: such an app serves no users. */
function getServingPaths(paths: RoutePath[]): RoutePath[] {
  const serving = paths.filter((chain) => !isTestFile(chain.rootFile));
  return serving.length > 0 ? serving : paths;
}

/** Finds the applications in use that apply no limiter anywhere: not globally, not on a router, not on a single route. */
export function findAppsWithoutLimiter(graph: RateLimitGraph): AppFinding[] {
  const findings: AppFinding[] = [];
  for (const node of graph.objects.values()) {
    if (node.fact.kind !== 'app' || node.parents.length > 0 || isTestFile(node.file)) continue;
    if (!node.active || graph.hasAnyLimiter(node.key)) continue;
    findings.push({ file: node.file, span: node.fact.span, framework: node.fact.framework });
  }
  const nest = new NestApps(graph);
  for (const tree of nest.trees) {
    const app = tree.app;
    if (!app || isTestFile(app.file) || nest.hasAnyLimiter(tree)) continue;
    findings.push({ file: app.file, span: app.fact.span, framework: 'nest' });
  }
  return findings;
}
