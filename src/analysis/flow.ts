import { ts } from '../typescript.js';
import type { FileSemantics } from './semantics.js';
import type { SanitizerKind } from './sanitizers.js';
import { getSanitizerKind } from './sanitizers.js';
import { getRequestAccess } from './request.js';
import { getUnescapedTemplateData } from './template-output.js';
import { CALL, isRelativeSpecifier, packageName, packagePath, type Origin } from './origin.js';
import { isConstant } from './values.js';
import { findConditionalGuard, findGuard, findMemberGuard } from './guards.js';
import { getCalleeName, skipOuterExpressions } from './syntax.js';

/**
 * Where untrusted data enters: the client's request, the browser's address
 * and referrer (`dom`, in front-end code), the command line or the environment.
 */
export type SourceKind = 'request' | 'dom' | 'argv' | 'env';

/**
 * One part of an expression that is not a constant, with the nodes it passed
 * through on the way (`trace`, from the source to the expression asked about).
 */
export type Leaf =
  | { kind: 'source'; source: SourceKind; label: string; node: ts.Node; trace: ts.Node[] }
  | { kind: 'parameter'; fn: ts.SignatureDeclaration; index: number; node: ts.Node; trace: ts.Node[] }
  | {
      kind: 'import';
      specifier: string;
      path: string[];
      call: boolean;
      node: ts.Node;
      trace: ts.Node[];
      /** For a call of a function of another project module: untrusted data in its arguments, by argument index. */
      carried?: CarriedSource[];
    }
  | { kind: 'sanitized'; sanitizer: SanitizerKind; node: ts.Node; trace: ts.Node[] }
  | { kind: 'unknown'; node: ts.Node; trace: ts.Node[] };

export type Flow = readonly Leaf[];

/** Untrusted data passed to a function of another module, which the function may hand back. */
export interface CarriedSource {
  index: number;
  source: Extract<Leaf, { kind: 'source' }>;
}

const MAX_DEPTH = 25;
const MAX_TRACE = 8;
const MAX_LEAVES = 32;

/** Methods that return a boolean or a number, whatever the receiver holds. */
const SCALAR_METHODS = new Set([
  'includes',
  'has',
  'startsWith',
  'endsWith',
  'test',
  'indexOf',
  'lastIndexOf',
  'findIndex',
  'some',
  'every',
  'localeCompare',
  'getTime',
  'valueOf',
  'isArray',
  'isInteger',
  'isFinite',
  'isNaN',
  'isSafeInteger',
  'toFixed',
  'charCodeAt',
  'codePointAt',
]);

/** Methods whose result carries the receiver's data and their arguments' data. */
const PASS_THROUGH_METHODS = new Set([
  'toString',
  'toLowerCase',
  'toUpperCase',
  'toLocaleLowerCase',
  'toLocaleUpperCase',
  'trim',
  'trimStart',
  'trimEnd',
  'slice',
  'substring',
  'substr',
  'padStart',
  'padEnd',
  'split',
  'join',
  'concat',
  'replace',
  'replaceAll',
  'repeat',
  'normalize',
  'at',
  'charAt',
  'map',
  'filter',
  'flat',
  'flatMap',
  'find',
  'reduce',
  'sort',
  'reverse',
  'entries',
  'keys',
  'values',
  'from',
  'of',
  'assign',
  'stringify',
  'format',
  'join',
  'resolve',
  'normalize',
  'relative',
  'dirname',
  'extname',
  'toJSON',
  'then',
]);

const EMPTY: Flow = [];

const PROCESS_FACTS = new Set(['pid', 'ppid', 'platform', 'arch', 'version', 'execPath', 'exitCode']);

/** Constructors whose objects hold a number, a date or an id checked for its format, never the text they were given. */
const SCALAR_CONSTRUCTORS = new Set(['Date', 'Number', 'Boolean', 'ObjectId', 'ObjectID', 'BigNumber', 'Decimal']);

/** Functions of packages that build a string from their arguments: `util.format('lp -d %s', printer)`. */
const FORMAT_FUNCTIONS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['util', new Set(['format', 'formatWithOptions'])],
  ['sprintf-js', new Set(['sprintf', 'vsprintf'])],
]);

/** Global functions whose result carries their arguments' data: conversions and decoders. */
const PASS_THROUGH_FUNCTIONS = new Set(['String', 'Array', 'decodeURIComponent', 'decodeURI', 'unescape', 'atob']);

/** Browser globals that contain the page's address or the referrer, which the author of a link controls. */
const DOM_GLOBALS = new Set(['window', 'document', 'self', 'globalThis']);
const DOM_PROPERTIES = new Set(['location', 'URL', 'documentURI', 'baseURI', 'referrer']);

/** Computes the flow of an expression: the sources, parameters and unknown values it is built from. */
export function flowOf(sem: FileSemantics, node: ts.Expression, depth = 0): Flow {
  if (depth > MAX_DEPTH) return [unknownLeaf(node)];
  const cached = sem.flowCache.get(node);
  if (cached) return cached;
  if (sem.flowVisiting.has(node)) return EMPTY;
  sem.flowVisiting.add(node);
  try {
    const flow = limit(computeFlow(sem, node, depth));
    sem.flowCache.set(node, flow);
    return flow;
  } finally {
    sem.flowVisiting.delete(node);
  }
}

function computeFlow(sem: FileSemantics, node: ts.Expression, depth: number): Flow {
  const expression = skipOuterExpressions(node);

  if (isScalarExpression(expression)) return EMPTY;
  if (isConstant(sem.evaluate(expression))) return EMPTY;

  const request = getRequestAccess(sem, expression);
  if (request) {
    if (!request.controlled) return [unknownLeaf(expression)];
    return [{ kind: 'source', source: 'request', label: request.label, node: expression, trace: [expression] }];
  }

  switch (expression.kind) {
    case ts.SyntaxKind.Identifier:
      return flowOfIdentifier(sem, expression as ts.Identifier, depth);
    case ts.SyntaxKind.TemplateExpression:
      return union((expression as ts.TemplateExpression).templateSpans.map((span) => flowOf(sem, span.expression, depth + 1)));
    case ts.SyntaxKind.BinaryExpression:
      return flowOfBinary(sem, expression as ts.BinaryExpression, depth);
    case ts.SyntaxKind.ConditionalExpression: {
      const conditional = expression as ts.ConditionalExpression;
      const checked = findConditionalGuard(sem, conditional);
      const whenTrue: Flow = checked
        ? [{ kind: 'sanitized', sanitizer: checked, node: conditional.whenTrue, trace: [conditional.whenTrue] }]
        : flowOf(sem, conditional.whenTrue, depth + 1);
      return union([whenTrue, flowOf(sem, conditional.whenFalse, depth + 1)]);
    }
    case ts.SyntaxKind.PropertyAccessExpression:
    case ts.SyntaxKind.ElementAccessExpression:
      return flowOfMember(sem, expression as ts.PropertyAccessExpression | ts.ElementAccessExpression, depth);
    case ts.SyntaxKind.CallExpression:
      return flowOfCall(sem, expression as ts.CallExpression, depth);
    case ts.SyntaxKind.NewExpression: {
      const newExpression = expression as ts.NewExpression;
      const name = getCalleeName(newExpression);
      if (name !== undefined && SCALAR_CONSTRUCTORS.has(name)) return EMPTY;
      if (name === 'URL' || name === 'URLSearchParams' || name === 'String') {
        return union((newExpression.arguments ?? []).map((argument) => flowOf(sem, argument, depth + 1)));
      }
      // A wrapper such as Handlebars' `new SafeString(text)` still contains the client's data, which its first
      // argument gives. A whole request object passed on, as in `new Request(req, init)` of a fetch wrapper, does not count.
      const first = newExpression.arguments?.[0];
      const wrapped = first && !isFunctionLiteral(skipOuterExpressions(first)) ? flowOf(sem, first, depth + 1) : EMPTY;
      const sources = wrapped.filter((leaf) => leaf.kind === 'source' && !isWholeRequest(sem, leaf.node));
      return sources.length > 0 ? sources.map((leaf) => withStep(leaf, newExpression)) : [unknownLeaf(expression)];
    }
    case ts.SyntaxKind.ArrayLiteralExpression:
      return union(
        (expression as ts.ArrayLiteralExpression).elements.map((element) =>
          flowOf(sem, ts.isSpreadElement(element) ? element.expression : element, depth + 1),
        ),
      );
    case ts.SyntaxKind.ObjectLiteralExpression:
      return union(
        (expression as ts.ObjectLiteralExpression).properties.map((property) => {
          if (ts.isPropertyAssignment(property)) return flowOf(sem, property.initializer, depth + 1);
          if (ts.isShorthandPropertyAssignment(property)) return flowOf(sem, property.name, depth + 1);
          if (ts.isSpreadAssignment(property)) return flowOf(sem, property.expression, depth + 1);
          return EMPTY;
        }),
      );
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.FunctionExpression:
    case ts.SyntaxKind.ClassExpression:
      return EMPTY;
    case ts.SyntaxKind.TaggedTemplateExpression: {
      // sql-template-strings, Prisma.sql, slonik and postgres.js tags send each interpolation as a bound value.
      const tag = skipOuterExpressions((expression as ts.TaggedTemplateExpression).tag);
      const name = ts.isIdentifier(tag) ? tag.text : ts.isPropertyAccessExpression(tag) ? tag.name.text : undefined;
      if (name === 'sql' || name === 'SQL') return [{ kind: 'sanitized', sanitizer: 'sql', node: expression, trace: [expression] }];
      return [unknownLeaf(expression)];
    }
    case ts.SyntaxKind.ThisKeyword:
      return [unknownLeaf(expression)];
    default:
      return [unknownLeaf(expression)];
  }
}

/** Expressions whose value is a number, boolean or `undefined`, which cannot carry an injection. */
function isScalarExpression(expression: ts.Expression): boolean {
  switch (expression.kind) {
    case ts.SyntaxKind.PrefixUnaryExpression:
    case ts.SyntaxKind.PostfixUnaryExpression:
    case ts.SyntaxKind.TypeOfExpression:
    case ts.SyntaxKind.VoidExpression:
    case ts.SyntaxKind.DeleteExpression:
    case ts.SyntaxKind.NumericLiteral:
    case ts.SyntaxKind.BigIntLiteral:
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.NullKeyword:
      return true;
    case ts.SyntaxKind.BinaryExpression: {
      const operator = (expression as ts.BinaryExpression).operatorToken.kind;
      return (
        operator !== ts.SyntaxKind.PlusToken &&
        operator !== ts.SyntaxKind.BarBarToken &&
        operator !== ts.SyntaxKind.QuestionQuestionToken &&
        operator !== ts.SyntaxKind.AmpersandAmpersandToken &&
        operator !== ts.SyntaxKind.CommaToken &&
        !isAssignmentOperator(operator)
      );
    }
    default:
      return false;
  }
}

function isAssignmentOperator(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

function flowOfBinary(sem: FileSemantics, binary: ts.BinaryExpression, depth: number): Flow {
  const operator = binary.operatorToken.kind;
  if (operator === ts.SyntaxKind.CommaToken) return flowOf(sem, binary.right, depth + 1);
  if (isAssignmentOperator(operator) && operator !== ts.SyntaxKind.PlusEqualsToken) {
    return flowOf(sem, binary.right, depth + 1);
  }
  if (operator === ts.SyntaxKind.AmpersandAmpersandToken) return flowOf(sem, binary.right, depth + 1);
  return union([flowOf(sem, binary.left, depth + 1), flowOf(sem, binary.right, depth + 1)]);
}

function flowOfIdentifier(sem: FileSemantics, identifier: ts.Identifier, depth: number): Flow {
  const declaration = sem.scope.resolve(identifier);
  if (!declaration) {
    if (identifier.text === 'undefined' || identifier.text === '__dirname' || identifier.text === '__filename') {
      return EMPTY;
    }
    if (identifier.text === 'location') {
      return [{ kind: 'source', source: 'dom', label: 'location', node: identifier, trace: [identifier] }];
    }
    return [unknownLeaf(identifier)];
  }

  const guard = findGuard(sem, identifier, declaration);
  if (guard) return [{ kind: 'sanitized', sanitizer: guard, node: identifier, trace: [identifier] }];

  switch (declaration.kind) {
    case 'import':
      return [
        {
          kind: 'import',
          specifier: declaration.specifier,
          path: declaration.imported === '*' ? [] : [declaration.imported],
          call: false,
          node: identifier,
          trace: [identifier],
        },
      ];
    case 'variable': {
      if (isScalarTyped(declaration.node.type)) return EMPTY;
      const values = sem.getAssignedValues(declaration);
      if (values.length === 0) return [unknownLeaf(identifier)];
      // `const { id } = req.params` reads `req.params.id`, and its label shows that.
      const suffix = declaration.pattern.flatMap((step) => ('property' in step && step.property ? [step.property] : [])).join('.');
      const flows = values.map((value) => {
        const flow = prepend(flowOf(sem, value, depth + 1), declaration.name);
        if (!suffix || value !== declaration.node.initializer) return flow;
        return flow.map((leaf) => (leaf.kind === 'source' ? { ...leaf, label: `${leaf.label}.${suffix}` } : leaf));
      });
      return union(flows);
    }
    case 'parameter': {
      const role = sem.getRoleOfIdentifier(identifier);
      if (role === 'data') {
        const label = getParameterLabel(declaration.node, identifier.text);
        return [{ kind: 'source', source: 'request', label, node: identifier, trace: [declaration.name, identifier] }];
      }
      if (role === 'request' || role === 'koa-context' || role === 'hono-context') {
        return [{ kind: 'source', source: 'request', label: identifier.text, node: identifier, trace: [identifier] }];
      }
      if (isScalarTyped(declaration.node.type)) return EMPTY;
      return [
        { kind: 'parameter', fn: declaration.fn, index: declaration.index, node: identifier, trace: [declaration.name, identifier] },
      ];
    }
    case 'function':
    case 'class':
    case 'enum':
    case 'type':
      return EMPTY;
    default:
      return [unknownLeaf(identifier)];
  }
}

/** A NestJS parameter such as `@Query('q') q` reads as `query.q` in messages. */
function getParameterLabel(parameter: ts.ParameterDeclaration, fallback: string): string {
  const decorator = ts.canHaveDecorators(parameter) ? ts.getDecorators(parameter)?.[0] : undefined;
  if (!decorator || !ts.isCallExpression(decorator.expression)) return fallback;
  const callee = decorator.expression.expression;
  const name = ts.isIdentifier(callee) ? callee.text : fallback;
  const argument = decorator.expression.arguments[0];
  const part = argument && ts.isStringLiteralLike(argument) ? `.${argument.text}` : '';
  return `@${name}()${part}`;
}

function isScalarTyped(type: ts.TypeNode | undefined): boolean {
  if (!type) return false;
  switch (type.kind) {
    case ts.SyntaxKind.NumberKeyword:
    case ts.SyntaxKind.BooleanKeyword:
    case ts.SyntaxKind.BigIntKeyword:
      return true;
    case ts.SyntaxKind.LiteralType:
      return true;
    case ts.SyntaxKind.UnionType:
      return (type as ts.UnionTypeNode).types.every(isScalarTyped);
    default:
      return false;
  }
}

function flowOfMember(
  sem: FileSemantics,
  member: ts.PropertyAccessExpression | ts.ElementAccessExpression,
  depth: number,
): Flow {
  const base = skipOuterExpressions(member.expression);
  const name = ts.isPropertyAccessExpression(member) ? member.name.text : undefined;

  if (ts.isIdentifier(base) && DOM_GLOBALS.has(base.text) && name && !sem.scope.resolve(base)) {
    // `window.name` survives navigation, so the page that opened this one sets it.
    if (DOM_PROPERTIES.has(name) || (name === 'name' && base.text === 'window')) {
      return [{ kind: 'source', source: 'dom', label: `${base.text}.${name}`, node: member, trace: [member] }];
    }
  }
  if (ts.isIdentifier(base) && base.text === 'process' && !sem.scope.resolve(base)) {
    if (name === 'argv') return [{ kind: 'source', source: 'argv', label: 'process.argv', node: member, trace: [member] }];
    if (name === 'env') return [{ kind: 'source', source: 'env', label: 'process.env', node: member, trace: [member] }];
    // Facts of the running process that no client sets: `process.pid`, `process.platform`.
    if (name && PROCESS_FACTS.has(name)) return EMPTY;
  }
  if (ts.isPropertyAccessExpression(base) && ts.isIdentifier(base.expression) && base.expression.text === 'process' && base.name.text === 'env') {
    return [{ kind: 'source', source: 'env', label: `process.env.${name ?? '[]'}`, node: member, trace: [member] }];
  }
  // A count is a number, but `req.query.size` is a field the client names and fills.
  if ((name === 'length' || name === 'size') && !getRequestAccess(sem, base)?.controlled) return EMPTY;

  const flow = flowOf(sem, base, depth + 1);
  if (flow.some((leaf) => leaf.kind === 'source')) {
    const guard = findMemberGuard(sem, member);
    if (guard) return [{ kind: 'sanitized', sanitizer: guard, node: member, trace: [member] }];
  }
  return flow.map((leaf) => {
    if (leaf.kind === 'source' && name) return { ...leaf, label: `${leaf.label}.${name}` };
    // `snippets.SUM` with `import * as snippets` is the export `SUM`, not the whole module.
    if (leaf.kind === 'import' && !leaf.call && name && leaf.node === base) return { ...leaf, path: [...leaf.path, name], node: member };
    return leaf;
  });
}

function flowOfCall(sem: FileSemantics, call: ts.CallExpression, depth: number): Flow {
  const callee = skipOuterExpressions(call.expression);
  const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;

  if (method && SCALAR_METHODS.has(method)) return EMPTY;

  const origin = sem.originOf(callee);
  // A template's raw output, such as Handlebars `{{{note}}}`, writes its data into the HTML as it is.
  const unescaped = origin.root.kind === 'module' ? getUnescapedTemplateData(sem, call) : undefined;
  if (unescaped && unescaped.length > 0) {
    return union(unescaped.map((expression) => flowOf(sem, expression, depth + 1))).map((leaf) => withStep(leaf, call));
  }
  const sanitizer = getSanitizerKind(origin) ?? sem.getDeclaredSanitizer(origin);
  if (sanitizer) return [{ kind: 'sanitized', sanitizer, node: call, trace: [call] }];

  if (ts.isIdentifier(callee) && PASS_THROUGH_FUNCTIONS.has(callee.text) && !sem.scope.resolve(callee)) {
    return union(call.arguments.map((argument) => flowOf(sem, argument, depth + 1))).map((leaf) => withStep(leaf, call));
  }

  if (isLeadingDotsStrip(sem, call)) return [{ kind: 'sanitized', sanitizer: 'path', node: call, trace: [call] }];
  if (isHtmlEscapeChain(sem, call)) return [{ kind: 'sanitized', sanitizer: 'html', node: call, trace: [call] }];

  // `os.tmpdir()`, `os.hostname()`: facts of the machine, which no client sets.
  if (origin.root.kind === 'module' && packageName(origin.root.specifier) === 'os') return EMPTY;

  if (isPathFunction(origin) || isFormatFunction(origin) || isRealpath(origin)) {
    return union(call.arguments.map((argument) => flowOf(sem, argument, depth + 1))).map((leaf) => withStep(leaf, call));
  }

  const local = sem.getLocalFunction(origin);
  if (local) return flowThroughLocalFunction(sem, local, call, depth);

  if (origin.root.kind === 'module' && isRelativeSpecifier(origin.root.specifier) || sem.isProjectModule(origin)) {
    if (origin.root.kind === 'module') {
      const carried = getCarriedSources(sem, call, depth);
      return [
        { kind: 'import', specifier: origin.root.specifier, path: origin.path, call: true, node: call, trace: [call], ...(carried.length > 0 ? { carried } : {}) },
      ];
    }
  }

  // sql-template-strings' `query.append(SQL\`AND ward = ${ward}\`)` adds to a query whose values stay bound.
  if (method === 'append' && ts.isPropertyAccessExpression(callee)) {
    const receiver = flowOf(sem, callee.expression, depth + 1);
    if (receiver.length > 0 && receiver.every((leaf) => leaf.kind === 'sanitized' && leaf.sanitizer === 'sql')) {
      return union([receiver, ...call.arguments.map((argument) => flowOf(sem, argument, depth + 1))]).map((leaf) => withStep(leaf, call));
    }
  }

  // `/[?&]msg=([^&]*)/.exec(location.search)` returns parts of the text it searches.
  if (method === 'exec' && ts.isPropertyAccessExpression(callee) && call.arguments[0] && sem.evaluate(callee.expression).kind === 'regexp') {
    return flowOf(sem, call.arguments[0], depth + 1).map((leaf) => withStep(leaf, call));
  }

  // `new Array(ids.length).fill('?')` holds only the fill value.
  if (method === 'fill' && call.arguments.length === 1 && ts.isPropertyAccessExpression(callee)) {
    return flowOf(sem, call.arguments[0]!, depth + 1).map((leaf) => withStep(leaf, call));
  }

  const callback = call.arguments[0] ? skipOuterExpressions(call.arguments[0]) : undefined;
  if ((method === 'map' || method === 'flatMap') && ts.isPropertyAccessExpression(callee) && callback && isFunctionLiteral(callback)) {
    return flowThroughMapCallback(sem, call, callee.expression, callback, depth);
  }

  if (method && PASS_THROUGH_METHODS.has(method) && ts.isPropertyAccessExpression(callee)) {
    const receiver = flowOf(sem, callee.expression, depth + 1);
    const argumentsFlow = call.arguments
      .filter((argument) => !ts.isArrowFunction(argument) && !ts.isFunctionExpression(argument))
      .map((argument) => flowOf(sem, argument, depth + 1));
    return union([receiver, ...argumentsFlow]).map((leaf) => withStep(leaf, call));
  }

  if (origin.root.kind === 'global' && (origin.root.name === 'JSON' || origin.root.name === 'Object' || origin.root.name === 'Buffer')) {
    return union(call.arguments.map((argument) => flowOf(sem, argument, depth + 1)));
  }

  // An unknown method of data that came from the client still returns client data.
  if (ts.isPropertyAccessExpression(callee)) {
    const receiver = flowOf(sem, callee.expression, depth + 1).filter((leaf) => leaf.kind === 'source');
    if (receiver.length > 0) return receiver.map((leaf) => withStep(leaf, call));
  }
  return [unknownLeaf(call)];
}

function isWholeRequest(sem: FileSemantics, node: ts.Node): boolean {
  if (!ts.isIdentifier(node)) return false;
  const role = sem.getRoleOfIdentifier(node);
  return role === 'request' || role === 'koa-context' || role === 'hono-context';
}

function isFunctionLiteral(node: ts.Node): node is ts.ArrowFunction | ts.FunctionExpression {
  return ts.isArrowFunction(node) || ts.isFunctionExpression(node);
}

/**
 * The data of `items.map(callback)`: what the callback returns, where its
 * element and array parameters carry the receiver's data and its index
 * parameter is a number. `ids.map(() => '?')` thus contains no data of `ids`.
 */
function flowThroughMapCallback(
  sem: FileSemantics,
  call: ts.CallExpression,
  receiverNode: ts.Expression,
  callback: ts.ArrowFunction | ts.FunctionExpression,
  depth: number,
): Flow {
  let receiver: Flow | undefined;
  const leaves: Leaf[] = [];
  for (const leaf of sem.getReturnFlow(callback, depth + 1)) {
    if (leaf.kind === 'parameter' && leaf.fn === callback) {
      if (leaf.index === 1) continue;
      receiver ??= flowOf(sem, receiverNode, depth + 1);
      for (const receiverLeaf of receiver) leaves.push(withStep(receiverLeaf, call));
      continue;
    }
    leaves.push(withStep(leaf, call));
  }
  return leaves;
}

/** Returns the index of the parameter of `fn` that a name reads, when it reads one whole. */
function getParameterIndex(sem: FileSemantics, node: ts.Node, fn: ts.FunctionLikeDeclaration): number | undefined {
  if (!ts.isIdentifier(node)) return undefined;
  const declaration = sem.resolve(node);
  return declaration?.kind === 'parameter' && declaration.fn === fn && declaration.pattern.length === 0 ? declaration.index : undefined;
}

/** Lists the untrusted data in the arguments of a call, with each argument's index. */
function getCarriedSources(sem: FileSemantics, call: ts.CallExpression, depth: number): CarriedSource[] {
  const carried: CarriedSource[] = [];
  call.arguments.forEach((argument, index) => {
    if (ts.isArrowFunction(argument) || ts.isFunctionExpression(argument)) return;
    for (const leaf of flowOf(sem, argument, depth + 1)) {
      if (leaf.kind === 'source' && leaf.source !== 'env') carried.push({ index, source: withStep(leaf, call) as CarriedSource['source'] });
    }
  });
  return carried;
}

/** Functions of the `path` module that build a path from their arguments: `join` imported by name, too. */
const PATH_FUNCTIONS = new Set(['join', 'resolve', 'normalize', 'relative', 'dirname', 'extname', 'format', 'toNamespacedPath']);

function isFormatFunction(origin: Origin): boolean {
  if (origin.root.kind !== 'module') return false;
  const names = FORMAT_FUNCTIONS.get(packageName(origin.root.specifier).replace(/^node:/, ''));
  const steps = packagePath(origin).filter((step) => step !== CALL);
  return names !== undefined && steps.length === 1 && names.has(steps[0]!);
}

function isPathFunction(origin: Origin): boolean {
  if (origin.root.kind !== 'module') return false;
  const module = packageName(origin.root.specifier);
  if (module !== 'path' && module !== 'upath') return false;
  const steps = packagePath(origin).filter((step) => step !== CALL);
  const name = steps[steps.length - 1];
  return name !== undefined && PATH_FUNCTIONS.has(name) && (steps.length === 1 || (steps.length === 2 && (steps[0] === 'posix' || steps[0] === 'win32')));
}

/** True for `fs.realpath(p)` and its variants, which return the path they are given with links resolved. */
function isRealpath(origin: Origin): boolean {
  if (origin.root.kind !== 'module') return false;
  const module = packageName(origin.root.specifier);
  if (module !== 'fs' && module !== 'fs/promises' && module !== 'fs-extra' && module !== 'graceful-fs') return false;
  const steps = packagePath(origin).filter((step) => step !== CALL && step !== 'native' && step !== 'promises');
  return steps.length === 1 && (steps[0] === 'realpath' || steps[0] === 'realpathSync');
}

/**
 * `path.normalize(p).replace(/^(\.\.(\/|\\|$))+/, '')`: normalizing leaves `..`
 * segments only at the start, and the replacement removes them.
 */
function isLeadingDotsStrip(sem: FileSemantics, call: ts.CallExpression): boolean {
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || (callee.name.text !== 'replace' && callee.name.text !== 'replaceAll')) return false;
  const [pattern, replacement] = call.arguments;
  if (!pattern || !replacement) return false;
  const regexp = sem.evaluate(pattern);
  const text = sem.evaluate(replacement);
  if (regexp.kind !== 'regexp' || !regexp.source.startsWith('^(\\.\\.') || text.kind !== 'string' || text.value !== '') return false;
  const receiver = skipOuterExpressions(callee.expression);
  if (!ts.isCallExpression(receiver)) return false;
  const origin = sem.originOf(receiver.expression);
  return isPathFunction(origin) && origin.path[origin.path.length - 1] === 'normalize';
}

/**
 * A hand-written HTML escape: a chain of `replace()` calls of which one turns
 * `<` into `&lt;`, or one replaces a character class with `<` through a
 * function or a lookup table, as in `s.replace(/[&<>"']/g, (c) => MAP[c])`.
 */
function isHtmlEscapeChain(sem: FileSemantics, call: ts.CallExpression): boolean {
  let current: ts.Expression = call;
  for (let hops = 0; hops < 10; hops++) {
    if (!ts.isCallExpression(current)) return false;
    const callee = skipOuterExpressions(current.expression);
    if (!ts.isPropertyAccessExpression(callee) || (callee.name.text !== 'replace' && callee.name.text !== 'replaceAll')) return false;
    const [pattern, replacement] = current.arguments;
    if (pattern && replacement && replacesLessThan(sem, pattern, replacement)) return true;
    current = skipOuterExpressions(callee.expression);
  }
  return false;
}

function replacesLessThan(sem: FileSemantics, pattern: ts.Expression, replacement: ts.Expression): boolean {
  const search = sem.evaluate(pattern);
  let text: string | undefined;
  if (search.kind === 'regexp') text = search.source;
  else if (search.kind === 'string') text = search.value;
  if (text === undefined || !text.includes('<')) return false;
  const value = sem.evaluate(replacement);
  if (value.kind === 'string') return value.value === '&lt;' || value.value === '&#60;' || value.value === '&#x3C;';
  const inner = skipOuterExpressions(replacement);
  return text.startsWith('[') && (ts.isArrowFunction(inner) || ts.isFunctionExpression(inner) || ts.isIdentifier(inner));
}

/** Follows a call into a function of this file: its return values, with parameters replaced by the arguments. */
function flowThroughLocalFunction(
  sem: FileSemantics,
  fn: ts.FunctionLikeDeclaration,
  call: ts.CallExpression,
  depth: number,
): Flow {
  const returned = sem.getReturnFlow(fn, depth + 1);
  const leaves: Leaf[] = [];
  for (const leaf of returned) {
    if (leaf.kind === 'parameter' && leaf.fn === fn) {
      const argument = call.arguments[leaf.index];
      if (!argument) continue;
      for (const argumentLeaf of flowOf(sem, argument, depth + 1)) {
        leaves.push({ ...argumentLeaf, trace: clip([...argumentLeaf.trace, ...leaf.trace, call]) });
      }
      continue;
    }
    // `typeof raw === 'string' ? raw : ''` checks the caller's argument, so a rule that looks behind the check judges that argument.
    const checked = leaf.kind === 'sanitized' && leaf.sanitizer === 'validated' ? getParameterIndex(sem, leaf.node, fn) : undefined;
    const checkedArgument = checked === undefined ? undefined : call.arguments[checked];
    if (checkedArgument) {
      leaves.push({ ...leaf, node: checkedArgument, trace: clip([...leaf.trace, call]) });
      continue;
    }
    leaves.push(withStep(leaf, call));
  }
  return leaves;
}

/** The flow of everything a function returns, in terms of its own parameters. */
export function computeReturnFlow(sem: FileSemantics, fn: ts.FunctionLikeDeclaration, depth: number): Flow {
  const body = fn.body;
  if (!body) return [unknownLeaf(fn)];
  if (!ts.isBlock(body)) return flowOf(sem, body, depth + 1);
  const flows: Flow[] = [];
  const visit = (node: ts.Node): void => {
    if (node !== body && ts.isFunctionLike(node)) return;
    if (ts.isReturnStatement(node) && node.expression) flows.push(flowOf(sem, node.expression, depth + 1));
    ts.forEachChild(node, visit);
  };
  visit(body);
  return union(flows);
}

function union(flows: readonly Flow[]): Flow {
  if (flows.length === 1) return flows[0]!;
  const leaves: Leaf[] = [];
  const seen = new Set<string>();
  for (const flow of flows) {
    for (const leaf of flow) {
      const key = `${leaf.kind}:${leaf.node.pos}:${leaf.node.end}:${'index' in leaf ? leaf.index : ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      leaves.push(leaf);
    }
  }
  return leaves;
}

function limit(flow: Flow): Flow {
  return flow.length > MAX_LEAVES ? flow.slice(0, MAX_LEAVES) : flow;
}

function prepend(flow: Flow, node: ts.Node): Flow {
  return flow.map((leaf) => withStep(leaf, node));
}

function withStep(leaf: Leaf, node: ts.Node): Leaf {
  if (leaf.trace[leaf.trace.length - 1] === node) return leaf;
  return { ...leaf, trace: clip([...leaf.trace, node]) };
}

function clip(trace: ts.Node[]): ts.Node[] {
  if (trace.length <= MAX_TRACE) return trace;
  return [trace[0]!, ...trace.slice(trace.length - MAX_TRACE + 1)];
}

function unknownLeaf(node: ts.Node): Leaf {
  return { kind: 'unknown', node, trace: [node] };
}

/** True when nothing in the flow varies: every part is a constant. */
export function isConstantFlow(flow: Flow): boolean {
  return flow.length === 0;
}

/** Leaves of the flow that carry data from a source of one of the given kinds. */
export function getSources(flow: Flow, kinds: readonly SourceKind[] = ['request']): Array<Extract<Leaf, { kind: 'source' }>> {
  return flow.filter((leaf): leaf is Extract<Leaf, { kind: 'source' }> => leaf.kind === 'source' && kinds.includes(leaf.source));
}

/** Leaves that are neither constant nor made safe for the given sink by a sanitizer. */
export function getUnsafeLeaves(flow: Flow, safe: readonly SanitizerKind[]): Leaf[] {
  return flow.filter((leaf) => !(leaf.kind === 'sanitized' && (safe.includes(leaf.sanitizer) || leaf.sanitizer === 'number' || leaf.sanitizer === 'allowlist')));
}
