import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { skipOuterExpressions } from '../../analysis/syntax.js';
import type { ReportTarget } from '../rule.js';
import { allowsCredentialsNear, getHeaderSetting, maySetHeader } from './cors-headers.js';
import {
  classifyOrigin,
  EVERY_ORIGIN,
  findOption,
  hasCredentialsOption,
  resolveObject,
  type ObjectRef,
  type OptionLookup,
} from './cors-options.js';
import { getCorsImports, getCorsSites, mayBeCorsSite, type CorsImports, type CorsSite } from './cors-sites.js';
import type { FileNodes } from './file-nodes.js';
import { findUncheckedOrigin, isGuarded } from './cors-origin.js';

/** The two CORS rules: every origin allowed, or every origin allowed with credentials. */
export type CorsRuleKind = 'permissive' | 'credentials';

export type CorsMessageId = 'noOptions' | 'anyOrigin' | 'wildcardHeader' | 'reflectedHeader';

/** One CORS fault, reported by the rule of its kind only. */
export interface CorsFault {
  kind: CorsRuleKind;
  node: ReportTarget;
  messageId: CorsMessageId;
  data: Record<string, string>;
  /** True for a middleware passed to a preflight route, `app.options('*', cors())`, which repeats the main set-up. */
  preflight?: boolean;
}

/**
 * A question for the project step: options, or an `origin` value, that a
 * CORS set-up imports from another module of the project.
 */
export type CorsDeferral =
  | { kind: 'options'; specifier: string; path: string[]; subject: string; node: ReportTarget }
  | { kind: 'origin'; specifier: string; path: string[]; subject: string; credentials: boolean; node: ReportTarget };

/** Faults to report and questions for the project step, found at one node. */
export interface CorsNodeResult {
  faults: CorsFault[];
  deferrals: CorsDeferral[];
}

const EMPTY: CorsNodeResult = { faults: [], deferrals: [] };

/** The result of judging the options of one CORS set-up. */
type Verdict = { fault?: CorsFault; deferral?: CorsDeferral };

/**
 * The CORS faults of one file, judged node by node and cached, so that both
 * CORS rules share the work and each reports only the faults of its kind.
 */
export class CorsFileAnalysis {
  private results: CorsNodeResult[] | undefined;
  private typedFaults: CorsFault[] | undefined;
  /** Start offsets of every place a fault was found, of either kind. */
  readonly faultStarts = new Set<number>();
  private readonly imports: CorsImports;

  constructor(
    readonly sem: FileSemantics,
    private readonly nodes: FileNodes,
  ) {
    this.imports = getCorsImports(sem);
  }

  /**
   * Judges the calls, `new` expressions, properties, object literals and
   * assignments of the file in walk order, once for both rules. Returns the
   * results that hold a fault or a deferral, in that order.
   */
  judgeFile(): CorsNodeResult[] {
    if (this.results) return this.results;
    const results: CorsNodeResult[] = [];
    for (const node of this.nodes.ordered) {
      const kind = node.kind;
      if (
        kind !== ts.SyntaxKind.CallExpression &&
        kind !== ts.SyntaxKind.NewExpression &&
        kind !== ts.SyntaxKind.PropertyAssignment &&
        kind !== ts.SyntaxKind.ObjectLiteralExpression &&
        kind !== ts.SyntaxKind.BinaryExpression
      ) {
        continue;
      }
      const result = this.compute(node);
      if (result.faults.length === 0 && result.deferrals.length === 0) continue;
      for (const fault of result.faults) this.faultStarts.add(getStart(fault.node));
      results.push(result);
    }
    this.results = results;
    return results;
  }

  private compute(node: ts.Node): CorsNodeResult {
    const sem = this.sem;
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && mayBeCorsSite(node, this.imports)) {
      const sites = getCorsSites(sem, node, this.imports);
      if (sites.length > 0) {
        const result = toResult(sites.map((site) => judgeSite(sem, site)));
        if (isPreflightHandler(node)) for (const fault of result.faults) fault.preflight = true;
        return result;
      }
    }
    if (!maySetHeader(node)) return EMPTY;
    const setting = getHeaderSetting(sem, node);
    if (!setting || setting.header !== 'origin') return EMPTY;
    const fault = judgeOriginHeader(sem, setting.value, setting.target, () => allowsCredentialsNear(sem, setting, this.nodes.ordered));
    return fault ? { faults: [fault], deferrals: [] } : EMPTY;
  }

  /**
   * Judges options declared with a CORS options type, such as
   * `const corsOptions: CorsOptions = { origin: true }`, wherever they are
   * used. Call it after the walk, so that faults already found at a CORS
   * set-up are not found again. A missing origin is not reported here,
   * because the object may be merged into other options.
   */
  getTypedFaults(): CorsFault[] {
    if (this.typedFaults) return this.typedFaults;
    const faults: CorsFault[] = [];
    // Typed options are object literals, so the file's object literals lead to their declarations, in walk order.
    for (const object of this.nodes.objects) {
      const declaration = getDeclarationOf(object);
      const typed = declaration && getTypedOptions(declaration);
      const fault = typed && judgeObject(this.sem, typed.object, typed.object, { subject: typed.name, wildcardInList: false }).fault;
      if (fault && fault.node !== typed.object && !this.faultStarts.has(getStart(fault.node))) {
        faults.push(fault);
        this.faultStarts.add(getStart(fault.node));
      }
    }
    this.typedFaults = faults;
    return faults;
  }
}

const analyses = new WeakMap<ts.SourceFile, CorsFileAnalysis>();

/** Returns the shared CORS analysis of a file, created on first use, once the walk has filled `nodes`. */
export function getCorsAnalysis(sem: FileSemantics, nodes: FileNodes): CorsFileAnalysis {
  let analysis = analyses.get(sem.sourceFile);
  if (!analysis || analysis.sem !== sem) {
    analysis = new CorsFileAnalysis(sem, nodes);
    analyses.set(sem.sourceFile, analysis);
  }
  return analysis;
}

/** True for a call passed to a preflight route: `app.options('*', cors())`. */
function isPreflightHandler(call: ts.CallExpression | ts.NewExpression): boolean {
  const parent = call.parent;
  if (!ts.isCallExpression(parent) || !parent.arguments.includes(call)) return false;
  const callee = skipOuterExpressions(parent.expression);
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'options';
}

function toResult(verdicts: Verdict[]): CorsNodeResult {
  return {
    faults: verdicts.flatMap((verdict) => (verdict.fault ? [verdict.fault] : [])),
    deferrals: verdicts.flatMap((verdict) => (verdict.deferral ? [verdict.deferral] : [])),
  };
}

function judgeSite(sem: FileSemantics, site: CorsSite): Verdict {
  if (!site.options) {
    if (site.corsPaths) return {};
    return { fault: { kind: 'permissive', node: site.target, messageId: 'noOptions', data: { subject: site.subject } } };
  }
  const ref = resolveObject(sem, site.options);
  if (ref.kind === 'import') {
    // Only CORS options themselves are followed into other modules, not application options that hold them.
    if (site.corsPaths) return {};
    return { deferral: { kind: 'options', specifier: ref.specifier, path: ref.path, subject: site.subject, node: site.target } };
  }
  if (ref.kind === 'function') return site.delegate ? judgeDelegate(sem, ref.node, site) : {};
  if (ref.kind !== 'object') return {};
  if (!site.corsPaths) return judgeObject(sem, ref.node, site.target, site);

  const cors = findNestedOption(sem, ref.node, site.corsPaths);
  if (!cors) return {};
  const value = ts.isExpression(cors.value) ? sem.evaluate(cors.value) : undefined;
  if (value?.kind === 'boolean') {
    if (!value.value) return {};
    return { fault: { kind: 'permissive', node: cors.property, messageId: 'anyOrigin', data: { subject: site.subject, origin: 'cors: true', reach: EVERY_ORIGIN } } };
  }
  const inner: ObjectRef = resolveObject(sem, cors.value);
  return inner.kind === 'object' ? judgeObject(sem, inner.node, cors.property, site) : {};
}

/** Finds the property at the first of several paths that leads to one, such as `routes.cors`. */
function findNestedOption(
  sem: FileSemantics,
  object: ts.ObjectLiteralExpression,
  paths: readonly string[][],
): Extract<OptionLookup, { kind: 'found' }> | undefined {
  for (const path of paths) {
    let current: ts.ObjectLiteralExpression | undefined = object;
    let found: OptionLookup | undefined;
    for (const [index, name] of path.entries()) {
      found = current ? findOption(sem, current, name) : undefined;
      if (found?.kind !== 'found') break;
      const next: ObjectRef | undefined = index < path.length - 1 ? resolveObject(sem, found.value) : undefined;
      current = next?.kind === 'object' ? next.node : undefined;
    }
    if (found?.kind === 'found') return found;
  }
  return undefined;
}

/**
 * Judges CORS options: `origin` missing (every library here then allows
 * every origin), or set to a value that lets every origin through, with or
 * without `credentials: true`.
 */
function judgeObject(
  sem: FileSemantics,
  object: ts.ObjectLiteralExpression,
  target: ReportTarget,
  site: Pick<CorsSite, 'subject' | 'wildcardInList'>,
): Verdict {
  const subject = site.subject;
  const origin = findOption(sem, object, 'origin');
  if (origin.kind === 'unknown') return {};
  const credentials = hasCredentialsOption(sem, object);
  if (origin.kind === 'absent') return { fault: optionFault(credentials, target, subject, 'no origin option', EVERY_ORIGIN) };
  const verdict = classifyOrigin(sem, origin.value, { wildcardInList: site.wildcardInList });
  if (verdict.verdict === 'import') {
    const { specifier, path } = verdict;
    return { deferral: { kind: 'origin', specifier, path, subject, credentials, node: origin.property } };
  }
  if (verdict.verdict === 'restricted') return {};
  return { fault: optionFault(credentials, origin.property, subject, verdict.description, verdict.reach) };
}

function optionFault(credentials: boolean, node: ReportTarget, subject: string, origin: string, reach: string): CorsFault {
  return { kind: credentials ? 'credentials' : 'permissive', node, messageId: 'anyOrigin', data: { subject, origin, reach } };
}

/**
 * Judges an options delegate, `cors((req, callback) => callback(null, options))`,
 * by the options it hands over outside any condition.
 */
function judgeDelegate(sem: FileSemantics, fn: ts.FunctionLikeDeclaration, site: CorsSite): Verdict {
  const callback = fn.parameters[1];
  if (!callback || !fn.body) return {};
  let verdict: Verdict = {};
  const visit = (node: ts.Node): void => {
    if (verdict.fault) return;
    if (ts.isCallExpression(node) && node.arguments[1] && isCallOfParameter(sem, node, callback)) {
      const options = resolveObject(sem, node.arguments[1]);
      if (options.kind === 'object' && !isGuarded(sem, node, new Set(), 'lenient', fn)) {
        verdict = judgeObject(sem, options.node, options.node, site);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
  return verdict;
}

function isCallOfParameter(sem: FileSemantics, call: ts.CallExpression, parameter: ts.ParameterDeclaration): boolean {
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isIdentifier(callee)) return false;
  const declaration = sem.resolve(callee);
  return declaration?.kind === 'parameter' && declaration.node === parameter;
}

/**
 * Judges a hand-set Access-Control-Allow-Origin: `'*'`, or the request's
 * Origin header echoed back without a check. Either one is a credentials
 * fault when Access-Control-Allow-Credentials is true next to it.
 */
function judgeOriginHeader(
  sem: FileSemantics,
  value: ts.Expression,
  target: ts.Node,
  allowsCredentials: () => boolean,
): CorsFault | undefined {
  const reflected = findUncheckedOrigin(sem, value) !== undefined;
  if (!reflected && !isWildcard(sem, value)) return undefined;
  const kind: CorsRuleKind = allowsCredentials() ? 'credentials' : 'permissive';
  return { kind, node: target, messageId: reflected ? 'reflectedHeader' : 'wildcardHeader', data: {} };
}

function isWildcard(sem: FileSemantics, expression: ts.Expression): boolean {
  const value = sem.evaluate(expression);
  if (value.kind === 'string') return value.value.trim() === '*';
  if (value.kind !== 'choice' || value.options.length === 0) return false;
  return value.options.every((option) => option.kind === 'string' && option.value.trim() === '*');
}

/** The variable whose initializer is this object, through parentheses, `as` and `satisfies`. */
function getDeclarationOf(object: ts.ObjectLiteralExpression): ts.VariableDeclaration | undefined {
  let node: ts.Node = object;
  let parent = node.parent;
  while (
    (ts.isParenthesizedExpression(parent) || ts.isSatisfiesExpression(parent) || ts.isAsExpression(parent)) &&
    parent.expression === node
  ) {
    node = parent;
    parent = node.parent;
  }
  return ts.isVariableDeclaration(parent) && parent.initializer === node ? parent : undefined;
}

/** Type names that mark an object as CORS options: `CorsOptions`, `FastifyCorsOptions`, `CorsConfig`. */
const CORS_OPTIONS_TYPE = /^\w*Cors(Options|Config|Configuration)$/;

/** Returns the object literal of a declaration typed with a CORS options type, and its name. */
function getTypedOptions(node: ts.VariableDeclaration): { object: ts.ObjectLiteralExpression; name: string } | undefined {
  if (!ts.isIdentifier(node.name) || !node.initializer) return undefined;
  let typeNode = node.type;
  let initializer: ts.Expression = node.initializer;
  while (ts.isParenthesizedExpression(initializer) || ts.isSatisfiesExpression(initializer) || ts.isAsExpression(initializer)) {
    if (!ts.isParenthesizedExpression(initializer)) typeNode ??= initializer.type;
    initializer = initializer.expression;
  }
  if (!ts.isObjectLiteralExpression(initializer) || !typeNode || !ts.isTypeReferenceNode(typeNode)) return undefined;
  const typeName = ts.isIdentifier(typeNode.typeName) ? typeNode.typeName.text : typeNode.typeName.right.text;
  return CORS_OPTIONS_TYPE.test(typeName) ? { object: initializer, name: node.name.text } : undefined;
}

/** Returns the start offset of a report target, which identifies the place of a fault within its file. */
export function getStart(target: ReportTarget): number {
  return 'kind' in target ? target.getStart() : target.start;
}
