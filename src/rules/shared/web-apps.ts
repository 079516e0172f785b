import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { CALL, packageName, packagePath } from '../../analysis/origin.js';
import {
  getCalleeName,
  getMemberName,
  getPropertyValue,
  hasModifier,
  isFunctionNode,
  propertyNameText,
  skipOuterExpressions,
} from '../../analysis/syntax.js';
import { moduleExportNameText } from '../../analysis/scope.js';
import type { ProjectContext, ProjectFinding, RuleContext, Visitors } from '../rule.js';
import { gatherNodes, nodesWithin, returnedExpressions, type FileNodes } from './file-nodes.js';
import { getOriginStart } from './origin-start.js';
import { lookupOption, isFalse } from './option-lookup.js';
import { isTestSourceFile } from './test-files.js';

/**
 * Facts about web applications for rules that judge an application across
 * files: where an app is created, which modules reach it, and which
 * hardening it receives (security headers, X-Powered-By removed), directly
 * or through a function or plugin of another module.
 */

export type Framework = 'express' | 'fastify' | 'koa' | 'hono' | 'nest' | 'nest-fastify';

/** A hardening measure an application can receive: security headers, or the removal of X-Powered-By. */
export type Measure = 'headers' | 'no-powered-by';

/** An application as a file refers to it: created in this file, or imported. */
export type AppRef = { kind: 'local'; id: number } | { kind: 'import'; specifier: string; path: string[] };

export type Location = ProjectFinding['location'];

export type AppFact =
  | {
      kind: 'app';
      id: number;
      framework: Framework;
      location: Location;
      exports: string[][];
      key: string;
      test: boolean;
      /** A Hono app exported by name and never served in its file: a router that another module mounts. */
      subApp?: boolean;
    }
  | { kind: 'measure'; app: AppRef; measure: Measure }
  | { kind: 'mount'; child: AppRef; parent: AppRef }
  | { kind: 'hand-off'; app: AppRef; specifier: string; path: string[]; index: number }
  | { kind: 'middleware'; app: AppRef; specifier: string; path: string[] }
  | { kind: 'autoload'; app: AppRef }
  | { kind: 'hardener'; exportPath: string[]; index: number; measures: Measure[] }
  | { kind: 'header-middleware'; exportPath: string[]; measures: Measure[] };

/** Packages that set security headers, by the name their middleware or plugin is exported under. */
const HEADER_PACKAGES = new Set(['helmet', 'koa-helmet', '@fastify/helmet', 'fastify-helmet', 'lusca', 'hono']);

/** Response headers whose presence shows that the code sets security headers itself. */
const SECURITY_HEADERS =
  /^(content-security-policy|x-frame-options|strict-transport-security|x-content-type-options)$/i;

/** Packages whose calls create the apps {@link getFramework} recognises. */
const APP_PACKAGES = ['express', 'fastify', '@nestjs/core', 'koa', 'hono'];

/** Methods that set a response header, and the one that removes X-Powered-By. */
const HEADER_METHODS = new Set(['setHeader', 'set', 'header', 'append']);

/** Methods that register middleware, plugins, hooks and sub-apps on an application: Hono mounts with `app.route('/auth', auth)`. */
const REGISTER_METHODS = new Set(['use', 'register', 'addHook', 'route']);

/** Wrappers that turn a function into a Fastify plugin without changing what it does. */
const PLUGIN_WRAPPERS = new Set(['fp', 'fastifyPlugin', 'plugin']);

const MAX_DEPTH = 6;

type Resolved = AppRef | { kind: 'parameter'; fn: ts.SignatureDeclaration; index: number };

/** Facts of each parsed file, shared by the rules that read them. */
const collected = new WeakMap<ts.SourceFile, AppFact[]>();

/**
 * Visitors that record the application facts of a file when the walk ends.
 * The rules that judge applications share one result per file.
 */
export function createAppVisitors(context: RuleContext): Visitors {
  const { nodes, visitors } = gatherNodes(context, ['invocations', 'returns']);
  return {
    ...visitors,
    onEnd() {
      let facts = collected.get(context.sourceFile);
      if (!facts) {
        facts = new AppCollector(context.semantics, nodes).collect();
        collected.set(context.sourceFile, facts);
      }
      for (const fact of facts) context.addFact(fact);
    },
  };
}

class AppCollector {
  private readonly facts: AppFact[] = [];
  private readonly creations = new Map<ts.Node, number>();
  private readonly exportedFunctions = new Map<ts.Node, string[]>();
  private readonly headerContext: HeaderContext;

  constructor(
    private readonly sem: FileSemantics,
    private readonly nodes: FileNodes,
  ) {
    this.headerContext = getHeaderContext(sem, nodes);
  }

  collect(): AppFact[] {
    if (this.sem.importsAny(APP_PACKAGES)) {
      for (const node of this.nodes.invocations) {
        const framework = getFramework(this.sem, node);
        if (framework) this.addApp(node, framework);
      }
    }
    const exported = collectExports(this.sem.sourceFile);
    for (const item of exported) this.addExportedFunctions(item.expression, item.path);
    for (const call of this.nodes.calls) this.readCall(call);
    if (this.creations.size > 0) this.addAppExports(exported);
    return this.facts;
  }

  private addApp(node: ts.CallExpression | ts.NewExpression, framework: Framework): void {
    const id = this.creations.size;
    this.creations.set(node, id);
    const sourceFile = this.sem.sourceFile;
    const target =
      ts.isCallExpression(node) && ts.isPropertyAccessExpression(skipOuterExpressions(node.expression))
        ? (skipOuterExpressions(node.expression) as ts.PropertyAccessExpression).name
        : node;
    const start = sourceFile.getLineAndCharacterOfPosition(target.getStart(sourceFile));
    const end = sourceFile.getLineAndCharacterOfPosition(node.getEnd());
    const line = sourceFile.text.split(/\r?\n/)[start.line] ?? '';
    this.facts.push({
      kind: 'app',
      id,
      framework,
      location: {
        startLine: start.line + 1,
        startColumn: start.character + 1,
        endLine: end.line + 1,
        endColumn: end.character + 1,
      },
      exports: [],
      key: line.trim().replace(/\s+/g, ' '),
      test: isTestSourceFile(sourceFile.fileName),
    });
  }

  /** Reads one call: middleware and plugins an app receives, apps mounted in apps, apps handed to other modules. */
  private readCall(call: ts.CallExpression): void {
    const callee = skipOuterExpressions(call.expression);
    const method = getMemberName(callee);
    if (ts.isPropertyAccessExpression(callee) && method) {
      if (REGISTER_METHODS.has(method)) this.readRegistration(call, callee.expression, method);
      else if (method === 'disable' || method === 'set') this.readSetting(call, callee.expression, method);
    }
    this.readHandOff(call);
  }

  private readRegistration(call: ts.CallExpression, receiver: ts.Expression, method: string): void {
    const target = this.resolve(receiver, 0);
    if (method === 'register' && call.arguments[0] && isAutoload(this.headerContext, call.arguments[0])) {
      if (target && target.kind !== 'parameter') this.facts.push({ kind: 'autoload', app: target });
      return;
    }
    for (const argument of flattenArguments(this.sem, call.arguments)) {
      const measures = getHeaderMeasures(this.headerContext, argument, 0);
      if (measures.length > 0) {
        // Middleware on a router reaches only the routes of that router.
        if (!target && isRouter(this.sem, receiver)) continue;
        for (const measure of measures) this.applyMeasure(target, measure, 0);
        continue;
      }
      const child = this.resolve(argument, 0);
      if (child && child.kind !== 'parameter' && target && target.kind !== 'parameter') {
        this.facts.push({ kind: 'mount', child, parent: target });
        // An import may be an app or a plugin, and only the project step can tell which.
        if (child.kind === 'local') continue;
      }
      const imported = getImportedTarget(this.sem, argument);
      if (!imported || !target || target.kind === 'parameter') continue;
      if (method === 'register') this.facts.push({ kind: 'hand-off', app: target, ...imported, index: 0 });
      else this.facts.push({ kind: 'middleware', app: target, ...imported });
    }
  }

  /** `app.disable('x-powered-by')` and `app.set('x-powered-by', false)`. */
  private readSetting(call: ts.CallExpression, receiver: ts.Expression, method: string): void {
    const [name, value] = call.arguments;
    const setting = name ? this.sem.evaluate(name) : undefined;
    if (setting?.kind !== 'string' || setting.value.toLowerCase() !== 'x-powered-by') return;
    if (method === 'set' && !(value && isFalse(this.sem.evaluate(value)))) return;
    this.applyMeasure(this.resolve(receiver, 0), 'no-powered-by', 0);
  }

  /** `applySecurity(app)` with `applySecurity` imported from a module of the project. */
  private readHandOff(call: ts.CallExpression): void {
    if (!call.arguments.some(mayDenoteApp)) return;
    const imported = getImportedTarget(this.sem, call.expression);
    if (!imported) return;
    call.arguments.forEach((argument, index) => {
      const app = this.resolve(argument, 0);
      if (app && app.kind !== 'parameter') this.facts.push({ kind: 'hand-off', app, ...imported, index });
    });
  }

  /**
   * Records a measure for the app a receiver denotes. A parameter of an
   * exported function makes that function a hardener for callers of other
   * modules, and callers in this file pass their own apps. A receiver the scan
   * cannot follow, such as `app.getHttpAdapter().getInstance()`, counts for
   * every app created in this file.
   */
  private applyMeasure(target: Resolved | undefined, measure: Measure, depth: number): void {
    if (!target) {
      for (const id of this.creations.values())
        this.facts.push({ kind: 'measure', app: { kind: 'local', id }, measure });
      return;
    }
    if (target.kind !== 'parameter') {
      this.facts.push({ kind: 'measure', app: target, measure });
      return;
    }
    const exportPath = this.exportedFunctions.get(target.fn);
    if (exportPath) this.facts.push({ kind: 'hardener', exportPath, index: target.index, measures: [measure] });
    if (depth > MAX_DEPTH || !isFunctionNode(target.fn)) return;
    for (const caller of this.sem.getLocalCallers(target.fn)) {
      const argument = caller.arguments[target.index];
      if (argument) this.applyMeasure(this.resolve(argument, depth + 1), measure, depth + 1);
    }
  }

  /** Resolves the application an expression denotes, through variables, local functions, class fields and imports. */
  private resolve(expression: ts.Expression, depth: number): Resolved | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const node = skipOuterExpressions(expression);
    const id = this.creations.get(node);
    if (id !== undefined) return { kind: 'local', id };

    if (ts.isIdentifier(node)) return this.resolveIdentifier(node, depth);
    if (ts.isCallExpression(node)) {
      const callee = skipOuterExpressions(node.expression);
      if (
        ts.isIdentifier(callee) &&
        callee.text === 'require' &&
        node.arguments[0] &&
        ts.isStringLiteralLike(node.arguments[0])
      ) {
        return this.sem.isProjectSpecifier(node.arguments[0].text)
          ? { kind: 'import', specifier: node.arguments[0].text, path: [] }
          : undefined;
      }
      const origin = this.sem.originOf(callee);
      const local = this.sem.getLocalFunction(origin);
      if (local) {
        for (const returned of getReturnedExpressions(this.nodes, local)) {
          const found = this.resolve(returned, depth + 1);
          if (found) return found;
        }
        return undefined;
      }
      const imported = getImportedTarget(this.sem, callee);
      return imported ? { kind: 'import', specifier: imported.specifier, path: [...imported.path, CALL] } : undefined;
    }
    if (ts.isPropertyAccessExpression(node)) {
      if (node.expression.kind === ts.SyntaxKind.ThisKeyword) {
        const assigned = findFieldValue(node);
        return assigned ? this.resolve(assigned, depth + 1) : undefined;
      }
      const base = this.resolve(node.expression, depth + 1);
      if (base?.kind === 'import')
        return { kind: 'import', specifier: base.specifier, path: [...base.path, node.name.text] };
    }
    return undefined;
  }

  private resolveIdentifier(identifier: ts.Identifier, depth: number): Resolved | undefined {
    const declaration = this.sem.resolve(identifier);
    if (!declaration) return undefined;
    if (declaration.kind === 'import') {
      if (!this.sem.isProjectSpecifier(declaration.specifier)) return undefined;
      return {
        kind: 'import',
        specifier: declaration.specifier,
        path: declaration.imported === '*' ? [] : [declaration.imported],
      };
    }
    if (declaration.kind === 'variable') {
      const initializer = this.sem.getSingleValue(declaration) ?? declaration.node.initializer;
      if (!initializer || declaration.pattern.length > 0) return undefined;
      return this.resolve(initializer, depth + 1);
    }
    if (declaration.kind === 'parameter' && declaration.pattern.length === 0) {
      // `app.register(async (instance) => { ... })`: a plugin's first parameter is the app it is registered on.
      const registration = declaration.fn.parent;
      if (declaration.index === 0 && ts.isCallExpression(registration) && getCalleeName(registration) === 'register') {
        const receiver = getReceiver(registration);
        if (receiver) return this.resolve(receiver, depth + 1);
      }
      // `NestFactory.create(AppModule).then((app) => ...)`: the callback receives what the promise resolves to.
      if (declaration.index === 0 && ts.isCallExpression(registration) && getCalleeName(registration) === 'then' && registration.arguments[0] === declaration.fn) {
        const receiver = getReceiver(registration);
        if (receiver) return this.resolve(receiver, depth + 1);
      }
      return { kind: 'parameter', fn: declaration.fn, index: declaration.index };
    }
    return undefined;
  }

  /** Maps exported functions, unwrapping Fastify's `fp(...)`, to the paths other modules import them by. */
  private addExportedFunctions(expression: ts.Expression, path: string[]): void {
    const node = unwrapPlugin(skipOuterExpressions(expression));
    const target = ts.isIdentifier(node) ? this.resolveLocalFunction(node) : node;
    if (target && isFunctionNode(target)) {
      this.exportedFunctions.set(target, path);
      const measures = getFunctionHeaderMeasures(this.headerContext, target);
      if (measures.length > 0) this.facts.push({ kind: 'header-middleware', exportPath: path, measures });
      return;
    }
    const measures = getHeaderMeasures(this.headerContext, node, 0);
    if (measures.length > 0) this.facts.push({ kind: 'header-middleware', exportPath: path, measures });
    if (ts.isObjectLiteralExpression(node)) {
      for (const property of node.properties) {
        const name = property.name && propertyNameText(property.name);
        if (!name) continue;
        if (ts.isMethodDeclaration(property)) this.exportedFunctions.set(property, [...path, name]);
        else {
          const value = getPropertyValue(property);
          if (value) this.addExportedFunctions(value, [...path, name]);
        }
      }
    }
  }

  private resolveLocalFunction(identifier: ts.Identifier): ts.Node | undefined {
    const declaration = this.sem.resolve(identifier);
    if (declaration?.kind === 'function') return declaration.node;
    if (declaration?.kind === 'variable' && declaration.node.initializer)
      return unwrapPlugin(skipOuterExpressions(declaration.node.initializer));
    return undefined;
  }

  /** Records the paths under which other modules reach each app: `export default app`, `export function createApp() { return app }`. */
  private addAppExports(exported: ReadonlyArray<{ expression: ts.Expression; path: string[] }>): void {
    const apps = new Map<number, Extract<AppFact, { kind: 'app' }>>();
    for (const fact of this.facts) if (fact.kind === 'app') apps.set(fact.id, fact);
    for (const { expression, path } of exported) {
      const direct = this.resolve(expression, 0);
      if (direct?.kind === 'local') apps.get(direct.id)?.exports.push(path);
      const node = unwrapPlugin(skipOuterExpressions(expression));
      const fn = ts.isIdentifier(node) ? this.resolveLocalFunction(node) : node;
      if (!fn || !isFunctionNode(fn)) continue;
      for (const returned of getReturnedExpressions(this.nodes, fn)) {
        const app = this.resolve(returned, 0);
        if (app?.kind === 'local') apps.get(app.id)?.exports.push([...path, CALL]);
      }
    }
    // `export const auth = new Hono()` in a file that never serves it is a sub-app for another module's `app.route()`.
    const serves = /\b(serve|handle)\s*\(|\.fetch\b|\.fire\s*\(/.test(this.sem.sourceFile.text);
    for (const app of apps.values()) {
      if (app.framework === 'hono' && !serves && app.exports.length > 0 && app.exports.every((path) => path[0] !== 'default')) app.subApp = true;
    }
  }
}

/** Returns the framework an app creation belongs to: `express()`, `Fastify()`, `new Koa()`, `new Hono()`, `NestFactory.create()`. */
function getFramework(sem: FileSemantics, node: ts.CallExpression | ts.NewExpression): Framework | undefined {
  const origin = sem.originOf(node.expression);
  if (origin.root.kind !== 'module') return undefined;
  const name = packageName(origin.root.specifier);
  const path = packagePath(origin).join('.');
  if (ts.isCallExpression(node)) {
    if (name === 'express' && path === '') return 'express';
    if (name === 'fastify' && (path === '' || path === 'fastify' || path === 'default')) return 'fastify';
    if (name === '@nestjs/core' && path === 'NestFactory.create') {
      const adapter = node.arguments[1] ? skipOuterExpressions(node.arguments[1]) : undefined;
      return adapter && ts.isNewExpression(adapter) && /Fastify/.test(adapter.expression.getText())
        ? 'nest-fastify'
        : 'nest';
    }
    return undefined;
  }
  if (name === 'koa' && (path === '' || path === 'Koa' || path === 'default')) return 'koa';
  if (name === 'hono' && path === 'Hono') return 'hono';
  return undefined;
}

/**
 * Returns the measures a middleware or plugin argument applies: `helmet()`,
 * `koa-helmet`, `@fastify/helmet`, Hono's `secureHeaders()`, `lusca`, or a
 * function that sets security headers or removes X-Powered-By itself.
 */
function getHeaderMeasures(context: HeaderContext, expression: ts.Expression, depth: number): Measure[] {
  const sem = context.sem;
  const node = skipOuterExpressions(expression);
  // `register(import('@fastify/helmet'))` loads the plugin where it is registered.
  if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
    const specifier = node.arguments[0];
    const name = specifier && ts.isStringLiteralLike(specifier) ? packageName(specifier.text) : undefined;
    // Express's helmet must be called, which a module promise cannot be.
    if (!name || name === 'helmet' || !HEADER_PACKAGES.has(name)) return [];
    return getPackageMeasures(sem, (specifier as ts.StringLiteralLike).text, [], node);
  }
  if (context.packages) {
    // `register(require('@fastify/helmet'))` names the package itself; `helmet()` calls it.
    const callee = ts.isCallExpression(node) && !isRequireCall(node) ? node.expression : node;
    const origin = sem.originOf(callee);
    if (origin.root.kind === 'module' && HEADER_PACKAGES.has(packageName(origin.root.specifier))) {
      return getPackageMeasures(sem, origin.root.specifier, packagePath(origin), node);
    }
  }
  if (depth > 2) return [];
  if (isFunctionNode(node)) return getFunctionHeaderMeasures(context, node);
  if (ts.isIdentifier(node)) {
    const declaration = sem.resolve(node);
    if (declaration?.kind === 'function') return getFunctionHeaderMeasures(context, declaration.node);
    if (declaration?.kind === 'variable' && declaration.node.initializer)
      return getHeaderMeasures(context, declaration.node.initializer, depth + 1);
    // `[helmet(), compression()].forEach((middleware) => app.use(middleware))` applies each item.
    if (declaration?.kind === 'parameter' && declaration.index === 0 && declaration.pattern.length === 0) {
      const loop = declaration.fn.parent;
      if (ts.isCallExpression(loop) && getCalleeName(loop) === 'forEach' && loop.arguments[0] === declaration.fn) {
        const receiver = getReceiver(loop);
        const items = receiver ? getArrayItems(sem, receiver) : undefined;
        if (items) return items.flatMap((item) => getHeaderMeasures(context, item, depth + 1));
      }
    }
  }
  if (ts.isArrayLiteralExpression(node)) return node.elements.flatMap((item) => getHeaderMeasures(context, item, depth + 1));
  return [];
}

/** Returns the items of an array literal, or of the one a constant names. */
function getArrayItems(sem: FileSemantics, expression: ts.Expression): readonly ts.Expression[] | undefined {
  const node = sem.followSingleValue(expression);
  return node && ts.isArrayLiteralExpression(node) ? node.elements : undefined;
}

function isRequireCall(call: ts.CallExpression): boolean {
  const callee = skipOuterExpressions(call.expression);
  return ts.isIdentifier(callee) && callee.text === 'require';
}

function getPackageMeasures(sem: FileSemantics, specifier: string, path: string[], node: ts.Expression): Measure[] {
  const name = packageName(specifier);
  if (name === 'hono') return specifier === 'hono/secure-headers' && path[0] === 'secureHeaders' ? ['headers'] : [];
  // lusca sets CSP, X-Frame-Options and HSTS but leaves X-Powered-By in place.
  if (name === 'lusca') return ['headers'];
  // helmet must be called: `app.use(helmet)` hands Express a function that never calls next().
  if (name === 'helmet' && (!ts.isCallExpression(node) || isRequireCall(node))) return [];
  const member = path.filter((step) => step !== CALL)[0];
  if (member === 'hidePoweredBy' || member === 'xPoweredBy') return ['no-powered-by'];
  if (member && member !== 'default' && member !== 'helmet') return ['headers'];
  // helmet({ hidePoweredBy: false }) keeps the header. Fastify sends none, so its plugin's options do not matter here.
  const options = ts.isCallExpression(node) && !isRequireCall(node) ? node.arguments[0] : undefined;
  if (options) {
    for (const option of ['hidePoweredBy', 'xPoweredBy']) {
      const lookup = lookupOption(sem, options, [option]);
      if (lookup.kind === 'set' && isFalse(lookup.value)) return ['headers'];
    }
  }
  return ['headers', 'no-powered-by'];
}

/** What the header questions of one file need: its semantics, its calls, and answers found so far. */
interface HeaderContext {
  sem: FileSemantics;
  nodes: FileNodes;
  /** The file imports a package of {@link HEADER_PACKAGES}; without one, no origin can be such a package. */
  packages: boolean;
  /** The file imports @fastify/autoload. */
  autoload: boolean;
  /** Calls of the file that may set or remove a header, listed on first use. */
  headerCalls?: ts.CallExpression[];
  functionMeasures: Map<ts.Node, Measure[]>;
}

function getHeaderContext(sem: FileSemantics, nodes: FileNodes): HeaderContext {
  return {
    sem,
    nodes,
    packages: sem.importsAny(HEADER_PACKAGES),
    autoload: sem.importsAny(['@fastify/autoload', 'fastify-autoload']),
    functionMeasures: new Map(),
  };
}

/** A function that sets a security header or removes X-Powered-By on the response. */
function getFunctionHeaderMeasures(context: HeaderContext, fn: ts.Node): Measure[] {
  const known = context.functionMeasures.get(fn);
  if (known) return known;
  const sem = context.sem;
  context.headerCalls ??= context.nodes.calls.filter((call) => {
    const method = getCalleeName(call);
    return method !== undefined && (HEADER_METHODS.has(method) || method === 'removeHeader');
  });
  const measures = new Set<Measure>();
  for (const call of nodesWithin(context.headerCalls, fn)) {
    const method = getCalleeName(call);
    const first = call.arguments[0];
    const header = first ? sem.evaluate(first) : undefined;
    if (method && HEADER_METHODS.has(method)) {
      if (header?.kind === 'string' && SECURITY_HEADERS.test(header.value)) measures.add('headers');
      if (header?.kind === 'object' && Object.keys(header.properties).some((name) => SECURITY_HEADERS.test(name)))
        measures.add('headers');
    }
    if (method === 'removeHeader' && header?.kind === 'string' && header.value.toLowerCase() === 'x-powered-by')
      measures.add('no-powered-by');
  }
  const found = [...measures];
  context.functionMeasures.set(fn, found);
  return found;
}

/** Lists the arguments with arrays and spreads of local arrays opened: `app.use([helmet(), cors()])`. */
function flattenArguments(sem: FileSemantics, args: readonly ts.Expression[]): ts.Expression[] {
  const flat: ts.Expression[] = [];
  const add = (expression: ts.Expression, depth: number): void => {
    const node = skipOuterExpressions(ts.isSpreadElement(expression) ? expression.expression : expression);
    if (ts.isArrayLiteralExpression(node) && depth < 3) {
      for (const element of node.elements) add(element, depth + 1);
      return;
    }
    if (ts.isIdentifier(node) && depth < 3) {
      const declaration = sem.resolve(node);
      const initializer = declaration?.kind === 'variable' ? sem.getSingleValue(declaration) : undefined;
      if (initializer && ts.isArrayLiteralExpression(skipOuterExpressions(initializer))) {
        add(initializer, depth + 1);
        return;
      }
    }
    flat.push(expression);
  };
  for (const argument of args) add(argument, 0);
  return flat;
}

/** `@fastify/autoload` registers every plugin of a folder, which the scan cannot list from the call. */
function isAutoload(context: HeaderContext, expression: ts.Expression): boolean {
  if (!context.autoload) return false;
  const origin = context.sem.originOf(expression);
  return origin.root.kind === 'module' && /^(@fastify\/autoload|fastify-autoload)$/.test(packageName(origin.root.specifier));
}

/** A function or value imported from a module of the project, as a specifier and export path. */
function getImportedTarget(
  sem: FileSemantics,
  expression: ts.Expression,
): { specifier: string; path: string[] } | undefined {
  const node = skipOuterExpressions(expression);
  // Most calls of a file start at a global, a parameter or a package; the origin question is not needed for them.
  const start = getOriginStart(sem, node);
  if (start.kind === 'none' || start.kind === 'local') return undefined;
  if (start.kind === 'import' && !sem.isProjectSpecifier(start.specifier)) return undefined;
  const origin = sem.originOf(node);
  if (origin.root.kind !== 'module' || !sem.isProjectSpecifier(origin.root.specifier)) return undefined;
  return { specifier: origin.root.specifier, path: origin.path };
}

/** Names of the calls and classes that create routers: express `Router()`, `new Router()` of koa-router and @koa/router. */
const ROUTER_CREATORS = new Set(['Router']);

/** True for a receiver that is a router made in this file: `const admin = express.Router()`. */
function isRouter(sem: FileSemantics, receiver: ts.Expression): boolean {
  const value = sem.followSingleValue(receiver);
  if (!value || (!ts.isCallExpression(value) && !ts.isNewExpression(value))) return false;
  const name = getCalleeName(value);
  return name !== undefined && ROUTER_CREATORS.has(name);
}

function getReceiver(call: ts.CallExpression): ts.Expression | undefined {
  const callee = skipOuterExpressions(call.expression);
  return ts.isPropertyAccessExpression(callee) ? callee.expression : undefined;
}

/** `fp(async (fastify) => ...)`, `fastifyPlugin(fn, { name })`: the function inside. */
function unwrapPlugin(node: ts.Expression): ts.Expression {
  if (!ts.isCallExpression(node)) return node;
  const name = getCalleeName(node);
  const first = node.arguments[0];
  return name && PLUGIN_WRAPPERS.has(name) && first ? skipOuterExpressions(first) : node;
}

function getReturnedExpressions(nodes: FileNodes, fn: ts.Node): ts.Expression[] {
  return isFunctionNode(fn) ? returnedExpressions(nodes, fn) : [];
}

/**
 * True when an argument has a shape that `AppCollector.resolve` can follow
 * to an app: a name, a call, a `new` expression or a member.
 */
function mayDenoteApp(argument: ts.Expression): boolean {
  const node = skipOuterExpressions(argument);
  return ts.isIdentifier(node) || ts.isCallExpression(node) || ts.isNewExpression(node) || ts.isPropertyAccessExpression(node);
}

/** The value a class field gets: its initializer, or `this.app = ...` in the constructor. */
function findFieldValue(access: ts.PropertyAccessExpression): ts.Expression | undefined {
  let owner: ts.Node | undefined = access.parent;
  while (owner && !ts.isClassLike(owner)) owner = owner.parent;
  if (!owner || !ts.isClassLike(owner)) return undefined;
  for (const member of owner.members) {
    if (
      ts.isPropertyDeclaration(member) &&
      member.name &&
      propertyNameText(member.name) === access.name.text &&
      member.initializer
    )
      return member.initializer;
    if (!ts.isConstructorDeclaration(member) || !member.body) continue;
    for (const statement of member.body.statements) {
      if (!ts.isExpressionStatement(statement) || !ts.isBinaryExpression(statement.expression)) continue;
      const { left, right, operatorToken } = statement.expression;
      if (
        operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        ts.isPropertyAccessExpression(left) &&
        left.expression.kind === ts.SyntaxKind.ThisKeyword &&
        left.name.text === access.name.text
      )
        return right;
    }
  }
  return undefined;
}

/** Top-level exports of a file: ES module exports and CommonJS `module.exports` and `exports.x`. */
function collectExports(sourceFile: ts.SourceFile): Array<{ expression: ts.Expression; path: string[] }> {
  const exported: Array<{ expression: ts.Expression; path: string[] }> = [];
  for (const statement of sourceFile.statements) {
    const isExported = hasModifier(statement, ts.SyntaxKind.ExportKeyword);
    const isDefault = hasModifier(statement, ts.SyntaxKind.DefaultKeyword);
    if (ts.isVariableStatement(statement) && isExported) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.initializer)
          exported.push({ expression: declaration.name, path: [declaration.name.text] });
      }
    } else if (ts.isFunctionDeclaration(statement) && isExported && statement.name) {
      exported.push({ expression: statement.name, path: [isDefault ? 'default' : statement.name.text] });
    } else if (ts.isExportAssignment(statement)) {
      exported.push({ expression: statement.expression, path: ['default'] });
    } else if (
      ts.isExportDeclaration(statement) &&
      !statement.moduleSpecifier &&
      statement.exportClause &&
      ts.isNamedExports(statement.exportClause)
    ) {
      for (const element of statement.exportClause.elements) {
        const local = element.propertyName ?? element.name;
        if (ts.isIdentifier(local)) exported.push({ expression: local, path: [moduleExportNameText(element.name)] });
      }
    } else if (
      ts.isExpressionStatement(statement) &&
      ts.isBinaryExpression(statement.expression) &&
      statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken
    ) {
      const path = getCommonJsPath(statement.expression.left);
      if (!path) continue;
      const value = skipOuterExpressions(statement.expression.right);
      exported.push({ expression: value, path: path.length === 0 ? ['default'] : path });
      if (path.length === 0 && ts.isObjectLiteralExpression(value)) {
        for (const property of value.properties) {
          const name = property.name && propertyNameText(property.name);
          const member = getPropertyValue(property);
          if (name && member) exported.push({ expression: member, path: [name] });
        }
      }
    }
  }
  return exported;
}

/** Returns the CommonJS export path of an assignment target: `module.exports` gives `[]`, and `exports.app` gives `['app']`. */
function getCommonJsPath(left: ts.Expression): string[] | undefined {
  const text = left.getText().replace(/\s+/g, '');
  if (text === 'module.exports') return [];
  const match = /^(?:module\.)?exports\.([A-Za-z_$][\w$]*)$/.exec(text);
  return match ? [match[1]!] : undefined;
}

/** An application and the measures it received across the project. */
export interface JudgedApp {
  file: string;
  fact: Extract<AppFact, { kind: 'app' }>;
  measures: Set<Measure>;
}

/**
 * Settles which measures every application receives, following imports of
 * the app, functions and plugins of other modules it is handed to, and apps
 * mounted inside apps (a sub-app gets its parent's headers).
 */
export function judgeApps(context: ProjectContext<string>): JudgedApp[] {
  const byFile = context.facts<AppFact>();
  const apps = new Map<string, JudgedApp>();
  const exportsIndex = new Map<string, string>();
  const hardeners = new Map<string, Set<Measure>>();
  const middlewares = new Map<string, Set<Measure>>();
  const pluginMeasures = new Set<Measure>();

  for (const { file, facts } of byFile) {
    for (const fact of facts) {
      if (fact.kind === 'app') {
        const key = `${file}\0${fact.id}`;
        apps.set(key, { file, fact, measures: new Set() });
        for (const path of fact.exports) exportsIndex.set(`${file}\0${path.join('.')}`, key);
      } else if (fact.kind === 'hardener') {
        addAll(hardeners, `${file}\0${fact.exportPath.join('.')}\0${fact.index}`, fact.measures);
        // Plugins loaded from a folder: any exported plugin of the project that hardens its instance may be among them.
        if (fact.index === 0) for (const measure of fact.measures) pluginMeasures.add(measure);
      } else if (fact.kind === 'header-middleware') {
        addAll(middlewares, `${file}\0${fact.exportPath.join('.')}`, fact.measures);
      }
    }
  }

  const resolveApp = (file: string, ref: AppRef): JudgedApp | undefined => {
    if (ref.kind === 'local') return apps.get(`${file}\0${ref.id}`);
    const target = context.resolver.resolve(file, ref.specifier);
    if (!target) return undefined;
    for (const path of candidatePaths(ref.path)) {
      const key = exportsIndex.get(`${target}\0${path.join('.')}`);
      if (key) return apps.get(key);
    }
    return undefined;
  };
  const lookup = (
    map: Map<string, Set<Measure>>,
    file: string,
    specifier: string,
    path: string[],
    suffix: string,
  ): Set<Measure> | undefined => {
    const target = context.resolver.resolve(file, specifier);
    if (!target) return undefined;
    for (const candidate of candidatePaths(path.filter((step) => step !== CALL))) {
      const found = map.get(`${target}\0${candidate.join('.')}${suffix}`);
      if (found) return found;
    }
    return undefined;
  };


  const mounts: Array<{ child: JudgedApp; parent: JudgedApp }> = [];
  for (const { file, facts } of byFile) {
    for (const fact of facts) {
      if (fact.kind === 'measure') resolveApp(file, fact.app)?.measures.add(fact.measure);
      else if (fact.kind === 'mount') {
        const child = resolveApp(file, fact.child);
        const parent = resolveApp(file, fact.parent);
        if (child && parent) mounts.push({ child, parent });
      } else if (fact.kind === 'hand-off') {
        const measures = lookup(hardeners, file, fact.specifier, fact.path, `\0${fact.index}`);
        const app = resolveApp(file, fact.app);
        if (app && measures) for (const measure of measures) app.measures.add(measure);
      } else if (fact.kind === 'autoload') {
        const app = resolveApp(file, fact.app);
        if (app) for (const measure of pluginMeasures) app.measures.add(measure);
      } else if (fact.kind === 'middleware') {
        const measures = lookup(middlewares, file, fact.specifier, fact.path, '');
        const app = resolveApp(file, fact.app);
        if (app && measures) for (const measure of measures) app.measures.add(measure);
      }
    }
  }
  for (let round = 0; round < mounts.length + 1; round++) {
    let changed = false;
    for (const { child, parent } of mounts) {
      for (const measure of parent.measures) {
        if (!child.measures.has(measure)) {
          child.measures.add(measure);
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return [...apps.values()];
}

/** Lists the export paths to try. A CommonJS `require` gives `[]` for `module.exports`, which the exporting side records as `default`. */
function candidatePaths(path: readonly string[]): string[][] {
  if (path.length === 0) return [['default']];
  if (path[0] === 'default') return [[...path], path.slice(1)];
  return [[...path], ['default', ...path]];
}

function addAll(map: Map<string, Set<Measure>>, key: string, measures: readonly Measure[]): void {
  const set = map.get(key) ?? new Set<Measure>();
  for (const measure of measures) set.add(measure);
  map.set(key, set);
}
