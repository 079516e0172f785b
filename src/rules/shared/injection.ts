import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import type { Leaf, SourceKind } from '../../analysis/flow.js';
import type { SanitizerKind } from '../../analysis/sanitizers.js';
import { getCalleeName, skipOuterExpressions } from '../../analysis/syntax.js';
import { isServerFilledUploadField } from '../../analysis/request.js';
import type { DeferredCheck } from '../../engine/facts.js';
import type { ReportDescriptor, ReportTarget, RuleContext } from '../rule.js';
import { describeSources, judgeSink, reportableSources, shorten, type CarriedTaint } from './taint.js';

export type SourceLeaf = Extract<Leaf, { kind: 'source' }>;

export interface TaintOptions {
  /** Sanitizers that make a value safe for this sink, besides numeric conversion and allowlists. */
  safe: readonly SanitizerKind[];
  /** Kinds of source that count besides request data: `dom` for browser code, `argv` for shell commands. */
  sources?: readonly SourceKind[];
  /** Sources this sink tolerates, such as the request's own address used as a base URL. */
  isTolerated?: (source: SourceLeaf) => boolean;
  /** Library calls whose result carries their arguments' text for this sink, such as a Markdown renderer for HTML. */
  isPassThrough?: (call: ts.CallExpression) => boolean;
}

/** The data that reaches a sink, as the injection rules judge it. */
export interface Taint {
  /** Untrusted data that reaches the sink, directly or through a caller in this file. */
  sources: SourceLeaf[];
  /** Parameters whose callers in other modules may pass untrusted data. */
  parameters: Array<{ fn: ts.SignatureDeclaration; index: number }>;
  /** Parts that are neither constant nor made safe. */
  unsafe: Leaf[];
  /** Questions about imported values; the sink is safe if every one holds. */
  deferred: DeferredCheck[];
  /** Client data passed through functions of other modules on its way to the sink. */
  carried: CarriedTaint;
}

export const NO_TAINT: Taint = emptyTaint();

function emptyTaint(): Taint {
  return { sources: [], parameters: [], unsafe: [], deferred: [], carried: { sources: [], checks: [] } };
}

const MAX_DEPTH = 3;

/**
 * Schema calls that pin a string to a fixed set or a safe alphabet:
 * `z.enum([...])`, `z.string().uuid()`, `Joi.valid(...)`, `yup.oneOf(...)`.
 */
const RESTRICTIVE_SCHEMA =
  /\b(enum|nativeEnum|literal|uuid|cuid2?|ulid|number|int|bigint|boolean|date|regex|valid|oneOf|isIn|isUUID|isInt|isNumeric|isAlphanumeric|pattern|matches)\s*\(/;

/** React hooks whose result is what their callback returns. */
const MEMO_HOOKS = new Set(['useMemo', 'useCallback', 'computed']);

/**
 * Judges what reaches a sink, on top of {@link judgeSink}: it also counts
 * browser and command-line sources when asked, looks through schema
 * validation and through checks that make a value safe for other sinks only
 * (a `typeof` check constrains a string's type, not its text), and through
 * `useMemo` callbacks.
 */
export function judgeTaint(sem: FileSemantics, expression: ts.Expression, options: TaintOptions, depth = 0): Taint {
  const verdict = judgeSink(sem, expression, { safe: options.safe });
  const kinds = new Set<SourceKind>(options.sources ?? []);
  const taint: Taint = {
    sources: [...verdict.sources],
    parameters: [],
    unsafe: [],
    deferred: [...verdict.deferred],
    carried: { sources: [...verdict.carried.sources], checks: [...verdict.carried.checks] },
  };

  for (const leaf of verdict.unsafe) {
    if (leaf.kind === 'source' && leaf.source !== 'request' && kinds.has(leaf.source)) {
      taint.sources.push(leaf);
    } else if (leaf.kind === 'parameter') {
      taint.parameters.push({ fn: leaf.fn, index: leaf.index });
    } else if (depth < MAX_DEPTH && leaf.kind === 'sanitized' && (leaf.sanitizer === 'validated' || isCheckedRead(leaf.node))) {
      merge(taint, judgeBehindCheck(sem, leaf.node, options, depth + 1));
      continue;
    } else if (depth < MAX_DEPTH && leaf.kind === 'unknown' && isMemoHookCall(leaf.node)) {
      for (const returned of getReturnedExpressions(leaf.node.arguments[0]!)) merge(taint, judgeTaint(sem, returned, options, depth + 1));
      continue;
    } else if (
      depth < MAX_DEPTH &&
      leaf.kind === 'unknown' &&
      ts.isCallExpression(leaf.node) &&
      options.isPassThrough?.(leaf.node)
    ) {
      for (const argument of leaf.node.arguments) merge(taint, judgeTaint(sem, argument, options, depth + 1));
      continue;
    }
    taint.unsafe.push(leaf);
  }

  taint.sources = dedupe(taint.sources.filter((source) => !isServerFilledUploadField(source.label) && !options.isTolerated?.(source)));
  return taint;
}

/** Tells a read that a guard around it marked as checked from a sanitizer call. */
function isCheckedRead(node: ts.Node): boolean {
  return ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node);
}

/** Merges the taint of several parts of one sink. */
export function merge(into: Taint, from: Taint): Taint {
  into.sources.push(...from.sources);
  into.parameters.push(...from.parameters);
  into.unsafe.push(...from.unsafe);
  into.deferred.push(...from.deferred);
  into.carried.sources.push(...from.carried.sources);
  into.carried.checks.push(...from.carried.checks);
  return into;
}

/** Judges several expressions that all reach one sink. */
export function judgeAll(sem: FileSemantics, expressions: readonly ts.Expression[], options: TaintOptions): Taint {
  const taint = emptyTaint();
  for (const expression of expressions) merge(taint, judgeTaint(sem, expression, options));
  taint.sources = dedupe(taint.sources);
  return taint;
}

/**
 * Judges the data behind a value that passed a check which does not make it
 * safe for this sink. `schema.parse(req.body)` is still the client's text
 * unless the schema pins it to a fixed set or a safe alphabet. A name checked
 * with `typeof x === 'string'` or `x.startsWith('/')` still contains what it
 * was given.
 */
function judgeBehindCheck(sem: FileSemantics, node: ts.Node, options: TaintOptions, depth: number): Taint {
  if (ts.isCallExpression(node)) {
    const callee = skipOuterExpressions(node.expression);
    const schema = ts.isPropertyAccessExpression(callee) ? callee.expression : undefined;
    if (schema && RESTRICTIVE_SCHEMA.test(getSchemaText(sem, schema))) return NO_TAINT;
    const taint = emptyTaint();
    for (const argument of node.arguments) merge(taint, judgeTaint(sem, argument, options, depth));
    return taint;
  }
  // `typeof req.query.q === 'string' ? req.query.q : ''`: the checked member itself.
  if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) return judgeTaint(sem, node, options, depth);
  if (!ts.isIdentifier(node)) return NO_TAINT;
  const declaration = sem.resolve(node);
  if (declaration?.kind === 'variable') {
    const taint = emptyTaint();
    for (const value of sem.getAssignedValues(declaration)) merge(taint, judgeTaint(sem, value, options, depth));
    return taint;
  }
  if (declaration?.kind === 'parameter' && sem.getRoleOfParameter(declaration.node) === 'data') {
    const source: SourceLeaf = { kind: 'source', source: 'request', label: node.text, node, trace: [declaration.name, node] };
    return { ...emptyTaint(), sources: [source], unsafe: [source] };
  }
  if (declaration?.kind === 'parameter') {
    return { ...emptyTaint(), parameters: [{ fn: declaration.fn, index: declaration.index }] };
  }
  return NO_TAINT;
}

/** Returns the text of a schema, through one `const` binding: `const Query = z.object({...})`. */
function getSchemaText(sem: FileSemantics, schema: ts.Expression): string {
  const expression = skipOuterExpressions(schema);
  if (ts.isIdentifier(expression)) {
    const declaration = sem.resolve(expression);
    const initializer = declaration?.kind === 'variable' ? sem.getSingleValue(declaration) : undefined;
    if (initializer) return initializer.getText();
  }
  return expression.getText();
}

function isMemoHookCall(node: ts.Node): node is ts.CallExpression {
  if (!ts.isCallExpression(node)) return false;
  const name = getCalleeName(node);
  const callback = node.arguments[0];
  return name !== undefined && MEMO_HOOKS.has(name) && callback !== undefined && (ts.isArrowFunction(callback) || ts.isFunctionExpression(callback));
}

/** Lists the expressions a callback returns: its expression body, or each `return` of its block. */
function getReturnedExpressions(callback: ts.Expression): ts.Expression[] {
  if (!ts.isArrowFunction(callback) && !ts.isFunctionExpression(callback)) return [];
  const body = callback.body;
  if (!ts.isBlock(body)) return [body];
  const returned: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    if (ts.isReturnStatement(node) && node.expression) returned.push(node.expression);
    ts.forEachChild(node, visit);
  };
  body.statements.forEach(visit);
  return returned;
}

function dedupe(sources: SourceLeaf[]): SourceLeaf[] {
  const seen = new Set<ts.Node>();
  return sources.filter((source) => {
    if (seen.has(source.node)) return false;
    seen.add(source.node);
    return true;
  });
}

/**
 * Describes a part of a sink for messages, widened to the member read around
 * it: `row.expression` rather than the leaf `row`.
 */
export function describePart(node: ts.Node): string {
  let current = node;
  while (ts.isPropertyAccessExpression(current.parent) && current.parent.expression === current)
    current = current.parent;
  return shorten(current.getText(), 30);
}

/** Names where a kind of source comes from, for messages: `{{source}} from the {{origin}}`. */
export function describeOrigin(source: SourceLeaf | undefined): string {
  switch (source?.source) {
    case 'dom':
      return 'page address';
    case 'argv':
      return 'command line';
    default:
      return 'request';
  }
}

/** Related locations and a code flow for sources of any kind. */
export function describeTaint(sources: readonly SourceLeaf[], sink: ts.Node): Pick<ReportDescriptor, 'related' | 'flow'> {
  const described = describeSources(sources, sink);
  const kinds = new Map(sources.map((source) => [source.node, source]));
  const related = (described.related ?? []).map((item) => {
    const source = item.node && 'kind' in item.node ? kinds.get(item.node) : undefined;
    if (!source || source.source === 'request') return item;
    return { node: item.node, message: `${source.label} comes from the ${describeOrigin(source)}.` };
  });
  return { related, flow: described.flow ?? [] };
}

export interface TaintReport<MessageId extends string> {
  /** The node or text span that the finding points at. */
  node: ReportTarget;
  /** The expression at the sink, the end of the code flow. */
  sink: ts.Node;
  messageId: MessageId;
  data?: Record<string, string>;
  severity?: ReportDescriptor['severity'];
  /** Rules whose finding at the same place a finding proved across modules supersedes. */
  replaces?: string[];
}

/**
 * Reports a sink that untrusted data reaches. When only parameters reach it,
 * records the sink for callers in other modules instead. Returns true when a
 * finding was reported here.
 */
export function reportTaint<MessageId extends string>(
  context: RuleContext<MessageId>,
  taint: Taint,
  report: TaintReport<MessageId>,
): boolean {
  const { sources, unless } = reportableSources(taint.sources, taint.carried);
  const [first] = sources;
  if (first) {
    context.report({
      node: report.node,
      messageId: report.messageId,
      data: { ...report.data, source: first.label, origin: describeOrigin(first) },
      ...(report.severity ? { severity: report.severity } : {}),
      ...describeTaint(sources, report.sink),
      ...(unless ? { unless, ...(report.replaces ? { replaces: report.replaces } : {}) } : {}),
    });
    return true;
  }
  if (taint.parameters.length > 0) {
    context.reportViaParameters({
      node: report.node,
      messageId: report.messageId,
      data: { ...report.data, origin: 'request' },
      parameters: taint.parameters,
      ...(report.replaces ? { replaces: report.replaces } : {}),
    });
  }
  return false;
}
