import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { CALL, NEW, packageName, packagePath } from '../../analysis/origin.js';
import { findProperty, getPropertyValue, skipOuterExpressions } from '../../analysis/syntax.js';
import type { Value } from '../../analysis/values.js';
import { resolveObjectLiteral } from './object-literal.js';
import { mayImport } from './file-imports.js';
import type { WalkLists } from './walk-lists.js';
import { getPromisifiedFunction } from './promisify.js';

/** A call that runs a command, and the expressions that make up the command. */
export interface CommandSink {
  call: ts.CallExpression;
  /** The function called, for messages: `exec`, `spawnSync`, `execaCommand`. */
  method: string;
  /** The expressions that make up the command line, or that name the program. */
  parts: ts.Expression[];
  /**
   * `shell`: a shell parses the command line, so quotes, `;` and `$(...)` in it are code;
   * `split`: the command line is split at spaces into a program and its arguments;
   * `program`: `parts` names the program, and the arguments stay separate.
   */
  kind: 'shell' | 'split' | 'program';
}

type Shape = 'command-line' | 'program-and-arguments' | 'split-command-line';

/** Functions that run a command, by package and export path. */
const COMMAND_FUNCTIONS: Record<string, Record<string, Shape>> = {
  child_process: {
    exec: 'command-line',
    execSync: 'command-line',
    spawn: 'program-and-arguments',
    spawnSync: 'program-and-arguments',
    execFile: 'program-and-arguments',
    execFileSync: 'program-and-arguments',
  },
  'child-process-promise': { exec: 'command-line', spawn: 'program-and-arguments', execFile: 'program-and-arguments' },
  'cross-spawn': { '': 'program-and-arguments', spawn: 'program-and-arguments', sync: 'program-and-arguments' },
  execa: {
    '': 'program-and-arguments',
    execa: 'program-and-arguments',
    execaSync: 'program-and-arguments',
    sync: 'program-and-arguments',
    execaNode: 'program-and-arguments',
    execaCommand: 'split-command-line',
    execaCommandSync: 'split-command-line',
    command: 'split-command-line',
    commandSync: 'split-command-line',
  },
  shelljs: { exec: 'command-line' },
  'node-cmd': { run: 'command-line', runSync: 'command-line' },
};

/** Programs that run their `-c` argument as a shell command. */
const SHELL_PROGRAMS = /^(\/usr)?(\/bin\/)?(sh|bash|zsh|dash|ksh|fish|cmd(\.exe)?|powershell(\.exe)?|pwsh)$/i;
const SHELL_COMMAND_FLAGS = new Set(['-c', '/c', '/C', '-Command', '-command', '-lc', '-ic']);

const COMMAND_PACKAGES = new Set(Object.keys(COMMAND_FUNCTIONS));

const sinksByFile = new WeakMap<ts.SourceFile, CommandSink[]>();

/**
 * The calls of a file that run a command, in walk order, found once for the
 * rules that ask. Every command function comes from a package, so a file
 * that imports none of them has none.
 */
export function getCommandSinks(sem: FileSemantics, lists: WalkLists): readonly CommandSink[] {
  let sinks = sinksByFile.get(sem.sourceFile);
  if (sinks) return sinks;
  sinks = [];
  if (mayImport(sem.sourceFile, COMMAND_PACKAGES)) {
    for (const call of lists.calls.nodes) {
      const sink = getCommandSink(sem, call);
      if (sink) sinks.push(sink);
    }
  }
  sinksByFile.set(sem.sourceFile, sinks);
  return sinks;
}

/** Recognises a call that runs a command. */
function getCommandSink(sem: FileSemantics, call: ts.CallExpression): CommandSink | undefined {
  const target = getCommandFunction(sem, call.expression);
  if (!target) return undefined;
  const [first, second] = call.arguments;
  if (!first || ts.isSpreadElement(first)) return undefined;

  if (target.shape === 'command-line') return { call, method: target.method, parts: [first], kind: 'shell' };
  if (target.shape === 'split-command-line') return { call, method: target.method, parts: [first], kind: 'split' };

  const argumentList = second && isArrayLike(sem, second) ? second : undefined;
  const options = call.arguments.find((argument, index) => index > 0 && argument !== argumentList && isObjectLike(sem, argument));
  if (options && hasShellOption(sem, options)) {
    return { call, method: target.method, parts: argumentList ? [first, argumentList] : [first], kind: 'shell' };
  }
  const shellCommand = argumentList && getShellCommandArguments(sem, first, argumentList);
  if (shellCommand) return { call, method: target.method, parts: shellCommand, kind: 'shell' };
  return { call, method: target.method, parts: [first], kind: 'program' };
}

/**
 * Finds the command function a callee denotes, through `util.promisify`:
 * `const run = promisify(exec)` makes `run` an `exec`.
 */
function getCommandFunction(sem: FileSemantics, callee: ts.Expression): { method: string; shape: Shape } | undefined {
  let expression = skipOuterExpressions(callee);
  for (let hops = 0; hops < 4; hops++) {
    const wrapped = getPromisifiedFunction(sem, expression);
    if (!wrapped) break;
    expression = wrapped;
  }
  const origin = sem.originOf(expression);
  if (origin.root.kind !== 'module') return undefined;
  const functions = COMMAND_FUNCTIONS[packageName(origin.root.specifier)];
  if (!functions) return undefined;
  const path = packagePath(origin).filter((step) => step !== CALL && step !== NEW);
  const name = path.join('.');
  const shape = functions[name];
  if (!shape) return undefined;
  return { method: name || packageName(origin.root.specifier), shape };
}

/** True for `{ shell: true }` or `{ shell: '/bin/bash' }`, where a shell parses the command line. */
function hasShellOption(sem: FileSemantics, options: ts.Expression): boolean {
  const object = resolveObjectLiteral(sem, options);
  if (object) {
    const property = findProperty(object, 'shell');
    const value = property && getPropertyValue(property);
    if (!value) return false;
    return isTruthyOrUnknown(sem.evaluate(value));
  }
  const shell = memberValue(sem.evaluate(options), 'shell');
  return shell !== undefined && isTruthyOrUnknown(shell);
}

function isTruthyOrUnknown(value: Value): boolean {
  switch (value.kind) {
    case 'boolean':
      return value.value;
    case 'string':
      return value.value !== '';
    case 'undefined':
    case 'null':
      return false;
    case 'number':
      return value.value !== 0;
    default:
      return true;
  }
}

function memberValue(value: Value, name: string): Value | undefined {
  return value.kind === 'object' ? value.properties[name] : undefined;
}

/** Returns the arguments after the flag of `spawn('sh', ['-c', command])`, which are a shell command line. */
function getShellCommandArguments(sem: FileSemantics, program: ts.Expression, argumentList: ts.Expression): ts.Expression[] | undefined {
  const name = sem.evaluate(program);
  if (name.kind !== 'string' || !SHELL_PROGRAMS.test(name.value)) return undefined;
  const list = skipOuterExpressions(argumentList);
  if (!ts.isArrayLiteralExpression(list)) return undefined;
  const flagIndex = list.elements.findIndex((element) => {
    const value = sem.evaluate(element);
    return value.kind === 'string' && SHELL_COMMAND_FLAGS.has(value.value);
  });
  if (flagIndex < 0) return undefined;
  return list.elements.slice(flagIndex + 1).map((element) => (ts.isSpreadElement(element) ? element.expression : element));
}

function isArrayLike(sem: FileSemantics, expression: ts.Expression): boolean {
  const inner = skipOuterExpressions(expression);
  if (ts.isArrayLiteralExpression(inner)) return true;
  if (ts.isObjectLiteralExpression(inner)) return false;
  const value = sem.evaluate(inner);
  if (value.kind === 'array') return true;
  if (value.kind === 'object') return false;
  // A name such as `args` built with push(): an argument list unless it is plainly an options object.
  return !/option|config|settings|opts/i.test(inner.getText());
}

function isObjectLike(sem: FileSemantics, expression: ts.Expression): boolean {
  const inner = skipOuterExpressions(expression);
  if (ts.isObjectLiteralExpression(inner)) return true;
  if (ts.isArrowFunction(inner) || ts.isFunctionExpression(inner) || ts.isArrayLiteralExpression(inner)) return false;
  return sem.evaluate(inner).kind === 'object' || resolveObjectLiteral(sem, inner) !== undefined || /option|config|settings|opts/i.test(inner.getText());
}
