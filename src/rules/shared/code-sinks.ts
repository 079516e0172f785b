import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { CALL, NEW, packageName, packagePath } from '../../analysis/origin.js';
import { findProperty, getPropertyValue, skipOuterExpressions } from '../../analysis/syntax.js';
import { resolveObjectLiteral } from './object-literal.js';
import { mayImport, mayMention } from './file-imports.js';
import type { WalkLists } from './walk-lists.js';

/** A call that compiles text as JavaScript or as a template that can run JavaScript. */
export interface CodeSink {
  node: ts.CallExpression | ts.NewExpression;
  /** The function called, for messages: `eval`, `new Function`, `vm.runInNewContext`. */
  method: string;
  /** The arguments compiled as code. */
  code: ts.Expression[];
  /**
   * `code` for JavaScript, `template` for template engines whose templates can
   * run JavaScript, `module` for `require()` and `import()` of a module by name.
   */
  kind: 'code' | 'template' | 'module';
}

/** `vm` functions and classes whose first argument is JavaScript source. */
const VM_FUNCTIONS = new Set(['runInNewContext', 'runInThisContext', 'runInContext', 'compileFunction', 'Script', 'SourceTextModule']);

/**
 * Template engines whose template text can run JavaScript on the server
 * (`<%= process.exit() %>` in EJS, `- code` in Pug, `${...}` in lodash), by
 * package and function.
 */
const TEMPLATE_FUNCTIONS: Record<string, Set<string>> = {
  ejs: new Set(['render', 'compile']),
  pug: new Set(['render', 'compile', 'compileClient']),
  jade: new Set(['render', 'compile']),
  lodash: new Set(['template']),
  'lodash-es': new Set(['template']),
  'lodash.template': new Set(['']),
  underscore: new Set(['template']),
  handlebars: new Set(['compile', 'precompile']),
  nunjucks: new Set(['renderString']),
  dot: new Set(['template', 'compile']),
  eta: new Set(['renderString']),
};

/** Timer functions that compile a string first argument as code. */
const TIMERS = new Set(['setTimeout', 'setInterval']);
const GLOBAL_HOLDERS = new Set(['window', 'globalThis', 'self', 'global']);

/** Globals that compile or load code, under their own name or another. */
const GLOBAL_FUNCTIONS = ['eval', 'require', 'Function', 'setTimeout', 'setInterval'];
const GLOBAL_FUNCTION_SET = new Set(GLOBAL_FUNCTIONS);

/**
 * Template engines whose environment objects compile template text:
 * `new nunjucks.Environment(loader).renderString(text)`, `nunjucks.configure()`
 * and `new Eta().renderString(text)`.
 */
const TEMPLATE_METHODS: Record<string, Set<string>> = {
  nunjucks: new Set(['renderString']),
  eta: new Set(['renderString', 'compile']),
};

/** vm2 sandboxes run their argument as JavaScript, and published escapes let that code out of the sandbox. */
const VM2_CALLS = new Set(['VM.run', 'NodeVM.run', 'VMScript']);

/** Packages whose functions compile code or templates. */
const CODE_PACKAGES = new Set(['vm', 'vm2', 'worker_threads', 'safe-eval', ...Object.keys(TEMPLATE_FUNCTIONS)]);

const sinksByFile = new WeakMap<ts.SourceFile, CodeSink[]>();

/**
 * The calls and `new` expressions of a file that compile code or a template,
 * in walk order, found once for the rules that ask. In a file that neither
 * imports a package of code sinks nor names a global one, only `import()`
 * can be one, and no callee's origin is asked for.
 */
export function getCodeSinks(sem: FileSemantics, lists: WalkLists): readonly CodeSink[] {
  let sinks = sinksByFile.get(sem.sourceFile);
  if (sinks) return sinks;
  sinks = [];
  const modules = mayImport(sem.sourceFile, CODE_PACKAGES);
  // A variable can hold a global code function only if the file names one.
  const variables = GLOBAL_FUNCTIONS.some((name) => mayMention(sem.sourceFile, name)) ? getVariableNames(lists) : undefined;
  for (const node of lists.invocations.nodes) {
    const sink = getCodeSink(sem, node, modules, variables);
    if (sink) sinks.push(sink);
  }
  sinksByFile.set(sem.sourceFile, sinks);
  return sinks;
}

/**
 * Recognises a call or `new` expression that compiles code or a template.
 * `modules` tells whether the file may import a package of code sinks, and
 * `variables` lists the names of the file's variables when one of them may
 * hold a global code function.
 */
function getCodeSink(
  sem: FileSemantics,
  node: ts.CallExpression | ts.NewExpression,
  modules: boolean,
  variables: ReadonlySet<string> | undefined,
): CodeSink | undefined {
  const first = node.arguments?.find((argument) => !ts.isSpreadElement(argument));
  if (!first) return undefined;
  const global = getGlobalName(sem, node.expression, variables);

  if (global === 'eval' && ts.isCallExpression(node)) return { node, method: 'eval', code: [first], kind: 'code' };
  if (global === 'require' && ts.isCallExpression(node))
    return { node, method: 'require', code: [first], kind: 'module' };
  if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
    return { node, method: 'import', code: [first], kind: 'module' };
  }
  if (global === 'Function') return { node, method: ts.isNewExpression(node) ? 'new Function' : 'Function', code: getArguments(node), kind: 'code' };
  if (global && TIMERS.has(global) && ts.isCallExpression(node)) {
    const isText = isStringExpression(sem, first, 0) || sem.flowOf(first).some((leaf) => leaf.kind === 'source' && leaf.source === 'request');
    return isText ? { node, method: global, code: [first], kind: 'code' } : undefined;
  }

  if (!modules) return undefined;
  const origin = sem.originOf(node.expression);
  if (origin.root.kind !== 'module') return undefined;
  const module = packageName(origin.root.specifier);
  // A subpath import names the function: `import template from 'lodash/template'` is lodash's template.
  const subpath = origin.root.specifier.replace(/^node:/, '').slice(module.length + 1).split('/').filter(Boolean);
  const path = [...subpath, ...packagePath(origin).filter((step) => step !== CALL && step !== NEW)];
  const name = path.join('.');

  if (module === 'vm' && path.length === 1 && VM_FUNCTIONS.has(name)) {
    const isClass = name === 'Script' || name === 'SourceTextModule';
    if (isClass !== ts.isNewExpression(node)) return undefined;
    return { node, method: isClass ? `new vm.${name}` : `vm.${name}`, code: name === 'compileFunction' ? getArguments(node).slice(0, 2) : [first], kind: 'code' };
  }
  if (module === 'worker_threads' && name === 'Worker' && ts.isNewExpression(node) && hasEvalOption(sem, getArguments(node)[1])) {
    return { node, method: 'new Worker', code: [first], kind: 'code' };
  }
  if (module === 'vm2' && VM2_CALLS.has(name) && (name === 'VMScript') === ts.isNewExpression(node)) {
    return { node, method: name === 'VMScript' ? 'new VMScript' : `${name.split('.')[0]}.run`, code: [first], kind: 'code' };
  }
  // safe-eval runs its argument with vm, which is no security boundary.
  if (module === 'safe-eval' && name === '') return { node, method: 'safeEval', code: [first], kind: 'code' };
  // The compiled template, `template(text)(data)`, receives data, not template text.
  if (TEMPLATE_FUNCTIONS[module]?.has(name) && !origin.path.includes(CALL)) {
    return { node, method: name ? `${module}.${name}` : module, code: [first], kind: 'template' };
  }
  const method = path[path.length - 1];
  if (path.length > 1 && method && TEMPLATE_METHODS[module]?.has(method) && ts.isCallExpression(node)) {
    return { node, method, code: [first], kind: 'template' };
  }
  return undefined;
}

/** Every name that a variable declaration of the file binds, patterns included. */
function getVariableNames(lists: WalkLists): Set<string> {
  const names = new Set<string>();
  const add = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) add(element.name);
  };
  for (const declaration of lists.variables.nodes) add(declaration.name);
  return names;
}

function getArguments(node: ts.CallExpression | ts.NewExpression): ts.Expression[] {
  return (node.arguments ?? []).filter((argument): argument is ts.Expression => !ts.isSpreadElement(argument));
}

/**
 * Returns the global code function a callee denotes: `eval`, `window.eval`,
 * `(0, eval)`, or a variable bound to one such as `const run = eval`, when
 * `variables` has its name. Other callees give undefined.
 */
function getGlobalName(sem: FileSemantics, callee: ts.Expression, variables: ReadonlySet<string> | undefined): string | undefined {
  let expression = skipOuterExpressions(callee);
  // `(0, eval)(code)` is an indirect eval, which runs in the global scope.
  if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.CommaToken) {
    expression = skipOuterExpressions(expression.right);
  }
  if (ts.isPropertyAccessExpression(expression) && ts.isIdentifier(expression.expression)) {
    const holder = expression.expression;
    if (!GLOBAL_FUNCTION_SET.has(expression.name.text) || !GLOBAL_HOLDERS.has(holder.text) || sem.resolve(holder)) return undefined;
    return expression.name.text;
  }
  if (!ts.isIdentifier(expression)) return undefined;
  const isGlobalName = GLOBAL_FUNCTION_SET.has(expression.text);
  // Only a global of that name, or a variable, can denote one; other names need no lookup.
  if (!isGlobalName && !variables?.has(expression.text)) return undefined;
  const declaration = sem.resolve(expression);
  if (!declaration) return isGlobalName ? expression.text : undefined;
  if (!variables) return undefined;
  // `const run = eval` is eval under another name; only a variable can hold a global.
  if (declaration.kind !== 'variable') return undefined;
  const origin = sem.originOf(expression);
  return origin.root.kind === 'global' && origin.path.length === 0 && GLOBAL_FUNCTION_SET.has(origin.root.name) ? origin.root.name : undefined;
}

/** True for the options of `new Worker(code, { eval: true })`, which runs its first argument as code rather than loading a file. */
function hasEvalOption(sem: FileSemantics, options: ts.Expression | undefined): boolean {
  if (!options) return false;
  const object = resolveObjectLiteral(sem, options);
  const property = object && findProperty(object, 'eval');
  const value = property && getPropertyValue(property);
  if (!value) return false;
  const evaluated = sem.evaluate(value);
  return evaluated.kind !== 'boolean' || evaluated.value;
}

/**
 * True when an expression is a string rather than a function, so that a
 * timer compiles it: a literal, a template, concatenation with text, or a
 * name bound to one of them.
 */
export function isStringExpression(sem: FileSemantics, node: ts.Expression, depth: number): boolean {
  const expression = skipOuterExpressions(node);
  if (ts.isStringLiteralLike(expression) || ts.isTemplateExpression(expression)) return true;
  if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    return isStringExpression(sem, expression.left, depth + 1) || isStringExpression(sem, expression.right, depth + 1);
  }
  const value = sem.evaluate(expression);
  if (value.kind === 'string' || value.kind === 'concat') return true;
  if (ts.isCallExpression(expression)) {
    const callee = skipOuterExpressions(expression.expression);
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
    return ['String', 'toString', 'join', 'concat', 'replace', 'replaceAll', 'trim', 'slice', 'substring'].includes(name);
  }
  if (ts.isIdentifier(expression) && depth < 3) {
    const declaration = sem.resolve(expression);
    if (declaration?.kind !== 'variable') return false;
    return sem.getAssignedValues(declaration).some((value) => isStringExpression(sem, value, depth + 1));
  }
  return false;
}
