import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { splitWords } from '../../analysis/sensitive.js';
import { skipOuterExpressions } from '../../analysis/syntax.js';

/** Words of a flag name that names the environment the code runs in: `isDev`, `IS_PRODUCTION`, `config.debug`. */
const ENVIRONMENT_WORDS = new Set(['dev', 'development', 'prod', 'production', 'debug', 'local', 'test', 'testing', 'staging', 'env', 'environment']);

/** Values that environment variables and settings compare against. */
const ENVIRONMENT_VALUES = /^(dev|development|prod|production|test|testing|local|staging|debug)$/i;

const MAX_DEPTH = 4;

/**
 * True when a condition tests the deployment environment: `NODE_ENV`,
 * Express's `app.get('env')`, a comparison with `'production'`, or a flag
 * named like `isDev`, `IS_PRODUCTION` or `config.debug`, directly or through
 * a constant that contains such a test.
 */
export function isEnvironmentCheck(sem: FileSemantics, condition: ts.Expression, depth = 0): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(node)) {
      if (isEnvironmentName(node.text)) found = true;
      else if (depth < MAX_DEPTH) found = isConstantEnvironmentCheck(sem, node, depth);
      return;
    }
    if (ts.isPropertyAccessExpression(node)) {
      if (isEnvironmentName(node.name.text) && !isProcessEnv(node)) {
        found = true;
        return;
      }
      // `process.env.JWT_SECRET` and `env.DB_URL` read a variable of the environment; only the name read can test it.
      if (isProcessEnv(node) || isProcessEnv(node.expression) || (ts.isIdentifier(node.expression) && node.expression.text === 'env')) return;
    }
    if (ts.isStringLiteralLike(node) && ENVIRONMENT_VALUES.test(node.text)) {
      found = true;
      return;
    }
    if (ts.isCallExpression(node) && isSettingsLookup(node)) {
      found = true;
      return;
    }
    if (isFunctionLike(node)) return;
    ts.forEachChild(node, visit);
  };
  visit(skipOuterExpressions(condition));
  return found;
}

function isProcessEnv(node: ts.Node): boolean {
  return ts.isPropertyAccessExpression(node) && node.name.text === 'env' && ts.isIdentifier(node.expression) && node.expression.text === 'process';
}

function isEnvironmentName(name: string): boolean {
  if (name === 'NODE_ENV') return true;
  const words = splitWords(name);
  if (words.length === 0 || words.length > 4) return false;
  return words.some((word) => ENVIRONMENT_WORDS.has(word));
}

/** `app.get('env')`: Express's setting that mirrors NODE_ENV. */
function isSettingsLookup(call: ts.CallExpression): boolean {
  const callee = skipOuterExpressions(call.expression);
  const argument = call.arguments[0];
  return (
    ts.isPropertyAccessExpression(callee) &&
    callee.name.text === 'get' &&
    argument !== undefined &&
    ts.isStringLiteralLike(argument) &&
    argument.text === 'env'
  );
}

/** `const verbose = process.env.NODE_ENV !== 'production'` read through its name. */
function isConstantEnvironmentCheck(sem: FileSemantics, identifier: ts.Identifier, depth: number): boolean {
  const declaration = sem.resolve(identifier);
  if (declaration?.kind !== 'variable') return false;
  const initializer = sem.getSingleValue(declaration);
  return initializer !== undefined && isEnvironmentCheck(sem, initializer, depth + 1);
}

function isFunctionLike(node: ts.Node): boolean {
  return ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isFunctionDeclaration(node);
}

/**
 * True when a node runs only in some environments: it sits in a branch of
 * an `if`, `?:`, `&&` or `switch` that tests the environment, or follows an
 * early exit that does (`if (process.env.NODE_ENV === 'production') return;`).
 */
export function isEnvironmentDependent(sem: FileSemantics, node: ts.Node): boolean {
  let child: ts.Node = node;
  let current: ts.Node | undefined = node.parent;
  while (current) {
    if (ts.isIfStatement(current) && child !== current.expression && isEnvironmentCheck(sem, current.expression)) return true;
    if (ts.isConditionalExpression(current) && child !== current.condition && isEnvironmentCheck(sem, current.condition)) return true;
    if (
      ts.isBinaryExpression(current) &&
      child === current.right &&
      (current.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || current.operatorToken.kind === ts.SyntaxKind.BarBarToken) &&
      isEnvironmentCheck(sem, current.left)
    ) {
      return true;
    }
    if (ts.isCaseBlock(current) && isEnvironmentCheck(sem, current.parent.expression)) return true;
    if ((ts.isBlock(current) || ts.isSourceFile(current)) && followsEnvironmentExit(sem, current.statements, child)) return true;
    child = current;
    current = current.parent;
  }
  return false;
}

function followsEnvironmentExit(sem: FileSemantics, statements: ts.NodeArray<ts.Statement>, child: ts.Node): boolean {
  for (const statement of statements) {
    if (statement === child || statement.pos >= child.pos) return false;
    if (ts.isIfStatement(statement) && exits(statement.thenStatement) && isEnvironmentCheck(sem, statement.expression)) return true;
  }
  return false;
}

function exits(statement: ts.Statement): boolean {
  if (ts.isReturnStatement(statement) || ts.isThrowStatement(statement)) return true;
  if (ts.isBlock(statement)) {
    const last = statement.statements[statement.statements.length - 1];
    return last !== undefined && exits(last);
  }
  return false;
}
