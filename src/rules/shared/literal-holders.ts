/**
 * The holder of a string literal: the variable, property, parameter, member,
 * call argument or compared value it ends up in, which decides how the
 * secret rules judge the literal and how their messages name it.
 */
import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { CALL, NEW, getModule, packageName, packagePath } from '../../analysis/origin.js';
import { getDottedName, getMemberName, propertyNameText, skipOuterExpressions } from '../../analysis/syntax.js';
import { isConstant, type Value } from '../../analysis/values.js';
import { isProcessEnv } from './signing-secrets.js';

/**
 * The holder of one literal. The name comes from syntax alone, with a
 * semantic question only where a client's positional argument may be at
 * stake. The holder's text for messages, the fallback and the client check
 * are worked out when a verdict needs them, since most literals get none.
 */
export class LiteralContext {
  /** The name judged as a credential name, when the holder has one. */
  readonly name: string | undefined;
  private readonly kind: HolderKind;
  /** The name as the holder gives it, which may be empty; the holder's text uses it. */
  private readonly rawName: string | undefined;
  /** The expression the literal ends up as: itself, or the `||`, array or call that passes it on. */
  private readonly node: ts.Expression;
  /** Values the literal stands in for when they are missing: the left side of `||`, the other branch of `?:`. */
  private readonly alternatives: ts.Expression[] | undefined;
  private readonly positional: string | undefined;
  private holderText: string | undefined;
  private fallbackValue: { envName?: string } | null | undefined;
  private clientPassword: boolean | undefined;

  constructor(
    private readonly sem: FileSemantics,
    literal: ts.Expression,
    packages: ReadonlySet<string>,
  ) {
    let node = literal;
    let alternatives: ts.Expression[] | undefined;
    // One read of each parent's kind decides, as this runs for every string literal of the file.
    walk: for (;;) {
      const parent = node.parent;
      switch (parent.kind) {
        case ts.SyntaxKind.ParenthesizedExpression:
        case ts.SyntaxKind.AsExpression:
        case ts.SyntaxKind.NonNullExpression:
        case ts.SyntaxKind.SatisfiesExpression:
        case ts.SyntaxKind.TypeAssertionExpression:
        case ts.SyntaxKind.ArrayLiteralExpression:
          node = parent as ts.Expression;
          continue;
        case ts.SyntaxKind.BinaryExpression: {
          const binary = parent as ts.BinaryExpression;
          if (!isFallbackOperator(binary.operatorToken.kind)) break walk;
          if (binary.right === node) (alternatives ??= []).push(binary.left);
          node = binary;
          continue;
        }
        case ts.SyntaxKind.ConditionalExpression: {
          const conditional = parent as ts.ConditionalExpression;
          if (conditional.condition === node) break walk;
          (alternatives ??= []).push(conditional.whenTrue === node ? conditional.whenFalse : conditional.whenTrue);
          node = conditional;
          continue;
        }
        case ts.SyntaxKind.CallExpression:
        case ts.SyntaxKind.NewExpression: {
          const call = parent as ts.CallExpression | ts.NewExpression;
          if (call.arguments?.[0] !== node || !isValueKeepingCall(call)) break walk;
          node = call;
          continue;
        }
        case ts.SyntaxKind.PropertyAccessExpression: {
          // The holder of `['-----BEGIN PRIVATE KEY-----', ...].join('\n')` is the holder of the joined text.
          const access = parent as ts.PropertyAccessExpression;
          const call = access.parent;
          if (access.name.text !== 'join' || !ts.isCallExpression(call) || call.expression !== access) break walk;
          node = call;
          continue;
        }
        default:
          break walk;
      }
    }
    this.node = node;
    this.alternatives = alternatives;

    const parent = node.parent;
    let kind: HolderKind = 'none';
    let rawName: string | undefined;
    let positional: string | undefined;
    switch (parent.kind) {
      case ts.SyntaxKind.VariableDeclaration:
      case ts.SyntaxKind.PropertyDeclaration:
      case ts.SyntaxKind.EnumMember: {
        const declaration = parent as ts.VariableDeclaration | ts.PropertyDeclaration | ts.EnumMember;
        if (declaration.initializer !== node) break;
        kind = 'declaration';
        const name = declaration.name;
        // A private field `#password` is named like a public one.
        rawName = ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isPrivateIdentifier(name) ? name.text : undefined;
        break;
      }
      case ts.SyntaxKind.PropertyAssignment: {
        const property = parent as ts.PropertyAssignment;
        if (property.initializer !== node) break;
        kind = 'property';
        rawName = propertyNameText(property.name);
        break;
      }
      case ts.SyntaxKind.Parameter: {
        const parameter = parent as ts.ParameterDeclaration;
        if (parameter.initializer !== node) break;
        kind = 'parameter';
        rawName = ts.isIdentifier(parameter.name) ? parameter.name.text : undefined;
        break;
      }
      case ts.SyntaxKind.BindingElement: {
        const element = parent as ts.BindingElement;
        if (element.initializer !== node) break;
        kind = 'binding';
        rawName = element.propertyName
          ? propertyNameText(element.propertyName)
          : ts.isIdentifier(element.name)
            ? element.name.text
            : undefined;
        break;
      }
      case ts.SyntaxKind.BinaryExpression: {
        const binary = parent as ts.BinaryExpression;
        const operator = binary.operatorToken.kind;
        if (operator === ts.SyntaxKind.EqualsToken && binary.right === node) {
          kind = 'assignment';
          const left = skipOuterExpressions(binary.left);
          rawName = ts.isIdentifier(left) ? left.text : getMemberName(left);
        } else if (isComparison(operator)) {
          kind = 'comparison';
          const side = skipOuterExpressions(binary.right === node ? binary.left : binary.right);
          rawName = ts.isIdentifier(side) ? side.text : getMemberName(side);
        }
        break;
      }
      case ts.SyntaxKind.CallExpression:
      case ts.SyntaxKind.NewExpression: {
        const call = parent as ts.CallExpression | ts.NewExpression;
        const index = call.arguments ? call.arguments.indexOf(node) : -1;
        if (index === -1) break;
        kind = 'argument';
        if (mayBePositionalCredential(call, index, packages)) positional = getPositionalCredentialName(sem, call, index);
        const callee = skipOuterExpressions(call.expression);
        const calleeName = ts.isIdentifier(callee) ? callee.text : getMemberName(callee);
        rawName = positional ?? calleeName?.replace(/^(?:set|with|use)(?=[A-Z])/, '');
        break;
      }
    }
    this.kind = kind;
    this.rawName = rawName;
    this.name = rawName || undefined;
    this.positional = positional;
  }

  /** The holder's name in messages. */
  get holder(): string {
    this.holderText ??= this.describe();
    return this.holderText;
  }

  /** Set when the literal is a fallback for another value: `||`, `??`, a default parameter. */
  get fallback(): { envName?: string } | undefined {
    if (this.fallbackValue === undefined) this.fallbackValue = this.findFallback() ?? null;
    return this.fallbackValue ?? undefined;
  }

  /** The literal is the `password` option of a database, cache, broker or mail client. */
  get isClientPassword(): boolean {
    if (this.clientPassword === undefined) {
      const parent = this.node.parent;
      if (this.kind === 'property' && ts.isPropertyAssignment(parent)) {
        this.clientPassword = isClientPasswordOption(this.sem, parent, this.rawName);
      } else {
        this.clientPassword = this.positional !== undefined;
      }
    }
    return this.clientPassword;
  }

  private findFallback(): { envName?: string } | undefined {
    // The outermost alternative that is not constant decides, as it is the last one met on the way up.
    const alternatives = this.alternatives ?? [];
    for (let index = alternatives.length - 1; index >= 0; index--) {
      const value = this.sem.evaluate(alternatives[index]!);
      if (!isConstant(value)) return { envName: getEnvName(value) };
    }
    const parent = this.node.parent;
    if (this.kind === 'parameter') return {};
    if (this.kind === 'binding' && ts.isBindingElement(parent)) {
      const declaration = parent.parent.parent;
      const fromEnv = ts.isVariableDeclaration(declaration) && isProcessEnv(declaration.initializer);
      return fromEnv && this.name ? { envName: this.name } : {};
    }
    return undefined;
  }

  private describe(): string {
    const parent = this.node.parent;
    const name = this.rawName;
    switch (this.kind) {
      case 'property':
        if (name === undefined || name === '' || !ts.isPropertyAssignment(parent)) return name ?? 'a string literal';
        return getPropertyPath(parent, name);
      case 'assignment': {
        const left = ts.isBinaryExpression(parent) ? skipOuterExpressions(parent.left) : undefined;
        return (left && getDottedName(left)) ?? name ?? 'a string literal';
      }
      case 'comparison': {
        if (!ts.isBinaryExpression(parent)) return 'a string literal';
        const side = skipOuterExpressions(parent.right === this.node ? parent.left : parent.right);
        const dotted = getDottedName(side) ?? name;
        return (dotted ? `a comparison with ${dotted}` : undefined) ?? name ?? 'a string literal';
      }
      case 'argument': {
        if (!ts.isCallExpression(parent) && !ts.isNewExpression(parent)) return 'a string literal';
        const callee = skipOuterExpressions(parent.expression);
        const calleeName = ts.isIdentifier(callee) ? callee.text : getMemberName(callee);
        const receiver = `${ts.isNewExpression(parent) ? 'new ' : ''}${getDottedName(callee) ?? calleeName ?? 'the call'}()`;
        return `the argument of ${receiver}`;
      }
      case 'none':
        return 'a string literal';
      default:
        return name ?? 'a string literal';
    }
  }
}

type HolderKind = 'declaration' | 'property' | 'parameter' | 'binding' | 'assignment' | 'comparison' | 'argument' | 'none';

/** Calls that keep a literal's value, so the holder is what receives the call's result. */
const VALUE_KEEPING_CALLS = new Set(['from', 'encode', 'createSecretKey', 'String', 'trim']);

/**
 * Finds the holder of a literal: the variable, property, class field, parameter
 * default, assigned member, call argument or compared value. Parentheses,
 * `||` and `??`, conditional branches, arrays and `Buffer.from` pass the
 * literal on to their own holder. `packages` holds the package names the file
 * imports or requires.
 */
export function getLiteralContext(sem: FileSemantics, literal: ts.Expression, packages: ReadonlySet<string>): LiteralContext {
  return new LiteralContext(sem, literal, packages);
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

/**
 * True when an argument is where a client of {@link getPositionalCredentialName}
 * takes its credential and the file imports that client, so the origin of
 * the call is asked about such arguments only.
 */
function mayBePositionalCredential(
  call: ts.CallExpression | ts.NewExpression,
  index: number,
  packages: ReadonlySet<string>,
): boolean {
  if (index === 2) return ts.isNewExpression(call) && (packages.has('sequelize') || packages.has('sequelize-typescript'));
  return index === 1 && (packages.has('neo4j-driver') || packages.has('twilio'));
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
