/**
 * The holder of a string literal: the variable, property, parameter, member,
 * call argument or compared value it ends up in, which decides how the
 * secret rules judge the literal and how their messages name it.
 */
import { ts } from 'ts-morph';
import type { FileSemantics } from '../../analysis/semantics.js';
import { CALL, NEW, getModule, packageName, packagePath } from '../../analysis/origin.js';
import { getDottedName, getMemberName, propertyNameText, skipOuterExpressions } from '../../analysis/syntax.js';
import { isConstant, type Value } from '../../analysis/values.js';
import { isProcessEnv } from './signing-secrets.js';

export interface LiteralContext {
  /** The holder's name in messages. */
  holder: string;
  /** The name judged as a credential name, when the holder has one. */
  name?: string;
  /** Set when the literal is a fallback for another value: `||`, `??`, a default parameter. */
  fallback?: { envName?: string };
  /** The literal is the `password` option of a database, cache, broker or mail client. */
  isClientPassword: boolean;
}

/** Calls that keep a literal's value, so the holder is what receives the call's result. */
const VALUE_KEEPING_CALLS = new Set(['from', 'encode', 'createSecretKey', 'String', 'trim']);

/**
 * Finds the holder of a literal: the variable, property, class field, parameter
 * default, assigned member, call argument or compared value. Parentheses,
 * `||` and `??`, conditional branches, arrays and `Buffer.from` pass the
 * literal on to their own holder.
 */
export function getLiteralContext(sem: FileSemantics, literal: ts.Expression): LiteralContext {
  let node: ts.Expression = literal;
  let fallback: LiteralContext['fallback'];
  for (;;) {
    const parent = node.parent;
    if (
      ts.isParenthesizedExpression(parent) ||
      ts.isAsExpression(parent) ||
      ts.isNonNullExpression(parent) ||
      ts.isSatisfiesExpression(parent) ||
      ts.isTypeAssertionExpression(parent) ||
      ts.isArrayLiteralExpression(parent)
    ) {
      node = parent;
      continue;
    }
    if (ts.isBinaryExpression(parent) && isFallbackOperator(parent.operatorToken.kind)) {
      if (parent.right === node && !isConstant(sem.evaluate(parent.left))) {
        fallback = { envName: getEnvName(sem.evaluate(parent.left)) };
      }
      node = parent;
      continue;
    }
    if (ts.isConditionalExpression(parent) && parent.condition !== node) {
      const other = parent.whenTrue === node ? parent.whenFalse : parent.whenTrue;
      if (!isConstant(sem.evaluate(other))) fallback = { envName: getEnvName(sem.evaluate(other)) };
      node = parent;
      continue;
    }
    if (
      (ts.isCallExpression(parent) || ts.isNewExpression(parent)) &&
      parent.arguments?.[0] === node &&
      isValueKeepingCall(parent)
    ) {
      node = parent;
      continue;
    }
    // The holder of `['-----BEGIN PRIVATE KEY-----', ...].join('\n')` is the holder of the joined text.
    if (
      ts.isPropertyAccessExpression(parent) &&
      parent.name.text === 'join' &&
      ts.isCallExpression(parent.parent) &&
      parent.parent.expression === parent
    ) {
      node = parent.parent;
      continue;
    }
    break;
  }
  return describeHolder(sem, node, fallback);
}

function describeHolder(sem: FileSemantics, node: ts.Expression, fallback: LiteralContext['fallback']): LiteralContext {
  const parent = node.parent;
  const plain = (name: string | undefined, holder = name): LiteralContext => ({
    holder: holder ?? 'a string literal',
    ...(name ? { name } : {}),
    ...(fallback ? { fallback } : {}),
    isClientPassword: false,
  });
  const describeComparison = (other: ts.Expression): LiteralContext => {
    const side = skipOuterExpressions(other);
    const name = ts.isIdentifier(side) ? side.text : getMemberName(side);
    const dotted = getDottedName(side) ?? name;
    return plain(name, dotted ? `a comparison with ${dotted}` : undefined);
  };

  if (
    (ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isEnumMember(parent)) &&
    parent.initializer === node
  ) {
    return plain(ts.isIdentifier(parent.name) || ts.isStringLiteral(parent.name) ? parent.name.text : undefined);
  }
  if (ts.isPropertyAssignment(parent) && parent.initializer === node) {
    const name = propertyNameText(parent.name);
    return {
      ...plain(name, name && getPropertyPath(parent, name)),
      isClientPassword: isClientPasswordOption(sem, parent, name),
    };
  }
  if (ts.isParameter(parent) && parent.initializer === node) {
    fallback ??= {};
    return plain(ts.isIdentifier(parent.name) ? parent.name.text : undefined);
  }
  if (ts.isBindingElement(parent) && parent.initializer === node) {
    const name = parent.propertyName
      ? propertyNameText(parent.propertyName)
      : ts.isIdentifier(parent.name)
        ? parent.name.text
        : undefined;
    const declaration = parent.parent.parent;
    const fromEnv = ts.isVariableDeclaration(declaration) && isProcessEnv(declaration.initializer);
    fallback ??= fromEnv && name ? { envName: name } : {};
    return plain(name);
  }
  if (ts.isBinaryExpression(parent) && parent.right === node) {
    if (parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = skipOuterExpressions(parent.left);
      return plain(ts.isIdentifier(left) ? left.text : getMemberName(left), getDottedName(left));
    }
    if (isComparison(parent.operatorToken.kind)) return describeComparison(parent.left);
  }
  if (ts.isBinaryExpression(parent) && parent.left === node && isComparison(parent.operatorToken.kind)) {
    return describeComparison(parent.right);
  }
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(node)) {
    return describeArgument(sem, parent, parent.arguments.indexOf(node), fallback);
  }
  return plain(undefined);
}

/** Returns the path of a property in nested object literals: `config.auth.secret` for `const config = { auth: { secret } }`. */
function getPropertyPath(property: ts.PropertyAssignment, name: string): string {
  const names = [name];
  let object: ts.Node = property.parent;
  while (ts.isPropertyAssignment(object.parent) && ts.isObjectLiteralExpression(object.parent.parent)) {
    const outer = propertyNameText(object.parent.name);
    if (outer === undefined) break;
    names.unshift(outer);
    object = object.parent.parent;
  }
  if (ts.isVariableDeclaration(object.parent) && ts.isIdentifier(object.parent.name)) {
    names.unshift(object.parent.name.text);
  }
  return names.join('.');
}

/** `setApiKey('...')`, `new Sequelize(db, user, 'password')` and `auth.basic(user, 'password')`. */
function describeArgument(
  sem: FileSemantics,
  call: ts.CallExpression | ts.NewExpression,
  index: number,
  fallback: LiteralContext['fallback'],
): LiteralContext {
  const callee = skipOuterExpressions(call.expression);
  const calleeName = ts.isIdentifier(callee) ? callee.text : getMemberName(callee);
  const receiver = `${ts.isNewExpression(call) ? 'new ' : ''}${getDottedName(callee) ?? calleeName ?? 'the call'}()`;
  const holder = `the argument of ${receiver}`;
  const positional = getPositionalCredentialName(sem, call, index);
  const name = positional ?? calleeName?.replace(/^(?:set|with|use)(?=[A-Z])/, '');
  return {
    holder,
    ...(name ? { name } : {}),
    ...(fallback ? { fallback } : {}),
    isClientPassword: positional !== undefined,
  };
}

/** Packages whose options take a password that is a real credential, whatever it looks like. */
const CLIENT_PACKAGES = new Set([
  'pg',
  'pg-pool',
  'pg-promise',
  'postgres',
  'mysql',
  'mysql2',
  'mariadb',
  'mssql',
  'tedious',
  'oracledb',
  'mongodb',
  'mongoose',
  'sequelize',
  'sequelize-typescript',
  'typeorm',
  'knex',
  'ioredis',
  'redis',
  '@redis/client',
  'nodemailer',
  'amqplib',
  'kafkajs',
  'mqtt',
  'nats',
  'ldapjs',
  'ssh2',
  'basic-ftp',
  'neo4j-driver',
  'cassandra-driver',
  '@elastic/elasticsearch',
  '@nestjs/typeorm',
  '@nestjs/sequelize',
  '@nestjs/mongoose',
  '@mikro-orm/core',
]);

const PASSWORD_OPTIONS = new Set(['password', 'pass', 'passwd', 'pwd']);
const OAUTH_SECRET_OPTIONS = new Set(['clientSecret', 'consumerSecret']);

/** `new Pool({ password })`, `knex({ connection: { password } })`, `createTransport({ auth: { pass } })`, passport `clientSecret`. */
function isClientPasswordOption(
  sem: FileSemantics,
  property: ts.PropertyAssignment,
  name: string | undefined,
): boolean {
  if (!name || (!PASSWORD_OPTIONS.has(name) && !OAUTH_SECRET_OPTIONS.has(name))) return false;
  let object: ts.Node = property.parent;
  for (let level = 0; level < 3; level++) {
    const parent = object.parent;
    if (
      (ts.isCallExpression(parent) || ts.isNewExpression(parent)) &&
      parent.arguments?.includes(object as ts.Expression)
    ) {
      const module = getModule(sem.originOf(parent.expression));
      if (!module) return false;
      if (OAUTH_SECRET_OPTIONS.has(name)) return packageName(module).startsWith('passport-');
      return CLIENT_PACKAGES.has(packageName(module));
    }
    if (!ts.isPropertyAssignment(parent) || !ts.isObjectLiteralExpression(parent.parent)) return false;
    object = parent.parent;
  }
  return false;
}

/** Returns the credential name of a positional client argument: `new Sequelize(db, user, password)`, `twilio(sid, authToken)`. */
function getPositionalCredentialName(
  sem: FileSemantics,
  call: ts.CallExpression | ts.NewExpression,
  index: number,
): string | undefined {
  const origin = sem.originOf(call.expression);
  const module = getModule(origin);
  if (!module) return undefined;
  const path = packagePath(origin).filter((step) => step !== CALL && step !== NEW);
  const name = packageName(module);
  const isSequelize = name === 'sequelize' || name === 'sequelize-typescript';
  if (isSequelize && ts.isNewExpression(call) && index === 2) return 'password';
  if (name === 'neo4j-driver' && path[path.length - 1] === 'basic' && index === 1) return 'password';
  if (name === 'twilio' && index === 1 && (path.length === 0 || path[path.length - 1] === 'Twilio')) return 'authToken';
  return undefined;
}

function isValueKeepingCall(call: ts.CallExpression | ts.NewExpression): boolean {
  const callee = skipOuterExpressions(call.expression);
  const name = ts.isIdentifier(callee) ? callee.text : getMemberName(callee);
  return name !== undefined && VALUE_KEEPING_CALLS.has(name);
}

function isFallbackOperator(kind: ts.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.BarBarToken || kind === ts.SyntaxKind.QuestionQuestionToken;
}

function isComparison(kind: ts.SyntaxKind): boolean {
  return (
    kind === ts.SyntaxKind.EqualsEqualsEqualsToken ||
    kind === ts.SyntaxKind.ExclamationEqualsEqualsToken ||
    kind === ts.SyntaxKind.EqualsEqualsToken ||
    kind === ts.SyntaxKind.ExclamationEqualsToken
  );
}

function getEnvName(value: Value): string | undefined {
  if (value.kind === 'env') return value.name;
  if (value.kind === 'choice') {
    for (const option of value.options) {
      const name = getEnvName(option);
      if (name) return name;
    }
  }
  return undefined;
}
