import { ts } from '../typescript.js';
import type { FileSemantics } from '../analysis/semantics.js';
import { packageName } from '../analysis/origin.js';
import { getPropertyValue, propertyNameText, skipOuterExpressions } from '../analysis/syntax.js';
import { defineRule, type RuleContext } from './rule.js';
import { isEnvironmentDependent } from './shared/environment-guards.js';
import { getStrings, isFalse } from './shared/option-lookup.js';
import { getConcatenationText, getRemoteHosts, getTemplateText, isRemoteHost, parseUrl } from './shared/remote-hosts.js';
import { gatherWalkLists, WalkPicks, type TextNode } from './shared/walk-lists.js';

/** Packages of database clients and ORMs whose options can turn TLS off. */
const DATABASE_PACKAGES = new Set([
  'pg',
  'pg-pool',
  'pg-promise',
  'postgres',
  'mysql',
  'mysql2',
  'mariadb',
  'knex',
  'sequelize',
  'sequelize-typescript',
  'typeorm',
  '@nestjs/typeorm',
  '@nestjs/sequelize',
  '@nestjs/mongoose',
  'mongoose',
  'mongodb',
  'mssql',
  'tedious',
  'oracledb',
  '@mikro-orm/core',
  'slonik',
  'kysely',
  'drizzle-orm',
  'ioredis',
  'redis',
  '@redis/client',
]);

/** Option names whose value `false` sends traffic in the clear. `encrypt` is the SQL Server drivers' name. */
const TLS_OPTIONS = new Set(['ssl', 'tls', 'encrypt', 'useSSL']);

/** Keys that mark an options object as a database configuration when the call is not recognised. */
const DATABASE_KEYS = new Set(['database', 'dialect', 'dialectOptions', 'dbName', 'connectionString', 'replicaSet', 'authSource']);
const DATABASE_TYPES = /^(postgres|postgresql|pg|mysql|mysql2|mariadb|mssql|sqlserver|mongodb|cockroachdb|oracle|oracledb)$/i;

/** Option names that name the server. */
const HOST_KEYS = ['host', 'hostname', 'server', 'url', 'uri', 'connectionString', 'connection'];

/** Connection string schemes of databases. */
/**
 * Schemes of caches and message brokers whose TLS form has a scheme of its
 * own (`rediss://`, `amqps://`, `mqtts://`). Like `mongodb://`, they connect
 * without TLS unless a parameter turns it on, so their password crosses the
 * network in the clear.
 */
const CLEARTEXT_SCHEMES = new Set(['redis', 'amqp', 'mqtt']);

const DATABASE_SCHEMES = /^(postgres|postgresql|mysql|mysqlx|mariadb|mongodb|mongodb\+srv|sqlserver|mssql|cockroachdb|jdbc:postgresql|jdbc:mysql)$/;

/** Connection string parameters that turn TLS off, by lower-case name. */
const PLAINTEXT_PARAMETERS: Record<string, RegExp> = {
  sslmode: /^disable$/i,
  'ssl-mode': /^disabled$/i,
  ssl: /^false$/i,
  tls: /^false$/i,
  usessl: /^false$/i,
  encrypt: /^false$/i,
};

/** ADO.NET-style SQL Server strings: `Server=tcp:db.example.com,1433;Encrypt=False;...`. */
const ADO_SERVER = /(?:^|;)\s*(?:server|data source|address|addr)\s*=\s*(?:tcp:)?([^;,]+)/i;
const ADO_PLAINTEXT = /(?:^|;)\s*encrypt\s*=\s*(false|no|optional)\s*(?:;|$)/i;

const MAX_DEPTH = 4;

type MessageId = 'option' | 'connectionString';

export default defineRule<MessageId>({
  meta: {
    id: 'database-without-tls',
    title: 'Database connection to a remote host without TLS',
    summary:
      'Flags database clients that connect to a remote host with TLS turned off: `ssl: false`, `tls: false`, Sequelize `dialectOptions.ssl: false`, SQL Server `encrypt: false`, connection strings with `sslmode=disable`, `tls=false` or `Encrypt=False`, and `redis://`, `mongodb://`, `amqp://` or `mqtt://` URLs that carry a password without TLS. Queries, messages, results and the login travel in the clear over every network between the service and the database or broker.',
    severity: 'high',
    precision: 'high',
    cwe: [319],
    owasp: 'A02:2021-Cryptographic Failures',
    messages: {
      option: '{{option}}: false sends queries, results and credentials in the clear to {{host}}; enable TLS and verify the server certificate.',
      connectionString: 'The connection string sets {{parameter}}, so traffic to {{host}} is sent in the clear; use sslmode=verify-full, tls=true, rediss:// or amqps://.',
    },
  },
  create(context) {
    const { lists, visitors } = gatherWalkLists(context, ['properties', 'strings']);
    return {
      ...visitors,
      onEnd() {
        const picks = new WalkPicks();
        picks.addWhere(lists.properties, (property, index) => ts.isPropertyAssignment(property) && TLS_OPTIONS.has(lists.propertyNames[index]!));
        picks.addWhere(lists.strings, mayBeConnectionString);
        // In walk order, so that findings come in the order of the code.
        for (const node of picks.inWalkOrder()) {
          switch (node.kind) {
            case ts.SyntaxKind.PropertyAssignment: {
              const property = node as ts.PropertyAssignment;
              const name = propertyNameText(property.name);
              if (!name || !TLS_OPTIONS.has(name) || !isFalse(context.semantics.evaluate(property.initializer))) break;
              checkTlsOption(context, property, name);
              break;
            }
            case ts.SyntaxKind.StringLiteral:
            case ts.SyntaxKind.NoSubstitutionTemplateLiteral: {
              const literal = node as ts.StringLiteral | ts.NoSubstitutionTemplateLiteral;
              const joined = getConcatenationText(literal);
              checkConnectionString(context, joined?.top ?? node, joined?.text ?? literal.text);
              break;
            }
            case ts.SyntaxKind.TemplateExpression:
              checkConnectionString(context, node, getTemplateText(node as ts.TemplateExpression));
              break;
          }
        }
      },
    };
  },
});

/**
 * True when a literal may be a connection string this rule reads: a URL, or
 * text that mentions `encrypt`. A template's placeholders cannot join parts
 * into either, so its parts are searched one by one.
 */
function mayBeConnectionString(node: TextNode): boolean {
  if (!ts.isTemplateExpression(node)) return mayReadAsConnection(node.text);
  return mayReadAsConnection(node.head.text) || node.templateSpans.some((span) => mayReadAsConnection(span.literal.text));
}

function mayReadAsConnection(text: string): boolean {
  return text.includes('://') || ENCRYPT.test(text);
}

const ENCRYPT = /encrypt/i;

function checkTlsOption(context: RuleContext<MessageId>, property: ts.PropertyAssignment, name: string): void {
  const sem = context.semantics;
  const root = getOptionsRoot(property.parent);
  const call = getReceivingCall(sem, root);
  const fromDatabasePackage = call !== undefined && isDatabaseCall(sem, call);
  if (!fromDatabasePackage && !hasDatabaseKeys(sem, root)) return;
  if (name === 'encrypt' && !fromDatabasePackage && !hasKey(root, 'server')) return;

  const host = findRemoteHost(sem, root, call);
  if (!host || isEnvironmentDependent(sem, property)) return;
  context.report({ node: property, messageId: 'option', data: { option: name, host } });
}

/** Returns the outermost object literal that a nested option belongs to: `{ dialectOptions: { ssl: false } }`. */
function getOptionsRoot(object: ts.ObjectLiteralExpression): ts.ObjectLiteralExpression {
  let root = object;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const holder = root.parent;
    if (!ts.isPropertyAssignment(holder) || !ts.isObjectLiteralExpression(holder.parent)) return root;
    root = holder.parent;
  }
  return root;
}

/** Finds the call that receives an options object, directly or through a `const` of this file. */
function getReceivingCall(sem: FileSemantics, root: ts.ObjectLiteralExpression): ts.CallExpression | ts.NewExpression | undefined {
  let node: ts.Node = root;
  while (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent) || ts.isSatisfiesExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(node as ts.Expression)) return parent;
  if (!ts.isVariableDeclaration(parent) || !ts.isIdentifier(parent.name)) return undefined;
  const declaration = sem.resolve(parent.name);
  let found: ts.CallExpression | ts.NewExpression | undefined;
  const visit = (current: ts.Node): void => {
    if (found) return;
    if ((ts.isCallExpression(current) || ts.isNewExpression(current)) && current.arguments) {
      for (const argument of current.arguments) {
        const expression = skipOuterExpressions(argument);
        if (ts.isIdentifier(expression) && sem.resolve(expression) === declaration) found = current;
      }
    }
    ts.forEachChild(current, visit);
  };
  visit(sem.sourceFile);
  return found;
}

function isDatabaseCall(sem: FileSemantics, call: ts.CallExpression | ts.NewExpression): boolean {
  const origin = sem.originOf(call.expression);
  return origin.root.kind === 'module' && DATABASE_PACKAGES.has(packageName(origin.root.specifier));
}

function hasDatabaseKeys(sem: FileSemantics, root: ts.ObjectLiteralExpression): boolean {
  return root.properties.some((property) => {
    const name = property.name && propertyNameText(property.name);
    if (!name) return false;
    if (DATABASE_KEYS.has(name)) return true;
    if (name !== 'type' && name !== 'client' && name !== 'dialect') return false;
    const value = getPropertyValue(property);
    return value !== undefined && getStrings(sem.evaluate(value)).some((text) => DATABASE_TYPES.test(text));
  });
}

function hasKey(root: ts.ObjectLiteralExpression, key: string): boolean {
  return root.properties.some((property) => property.name !== undefined && propertyNameText(property.name) === key);
}

/** Finds the first remote host that the options object or the call's other arguments name. */
function findRemoteHost(sem: FileSemantics, root: ts.ObjectLiteralExpression, call: ts.CallExpression | ts.NewExpression | undefined): string | undefined {
  const candidates: ts.Expression[] = [];
  const collect = (object: ts.ObjectLiteralExpression, depth: number): void => {
    for (const property of object.properties) {
      const name = property.name && propertyNameText(property.name);
      const value = getPropertyValue(property);
      if (!name || !value) continue;
      const inner = skipOuterExpressions(value);
      if (ts.isObjectLiteralExpression(inner) && depth < MAX_DEPTH) collect(inner, depth + 1);
      else if (HOST_KEYS.includes(name)) candidates.push(value);
    }
  };
  collect(root, 0);
  for (const argument of call?.arguments ?? []) if (skipOuterExpressions(argument) !== root) candidates.push(argument);

  for (const candidate of candidates) {
    for (const text of getStrings(sem.evaluate(candidate))) {
      const parsed = text.includes('://') ? parseUrl(text) : undefined;
      const hosts = parsed ? getRemoteHosts(parsed) : isRemoteHost(text) ? [text] : [];
      if (hosts[0]) return hosts[0];
    }
  }
  return undefined;
}

function checkConnectionString(context: RuleContext<MessageId>, node: ts.Node, text: string): void {
  const found = text.includes('://') ? findPlaintextUrl(text) : findPlaintextAdoString(text);
  if (!found || isEnvironmentDependent(context.semantics, node)) return;
  context.report({ node, messageId: 'connectionString', data: found });
}

function findPlaintextUrl(text: string): { parameter: string; host: string } | undefined {
  const parsed = parseUrl(text);
  if (!parsed || !(DATABASE_SCHEMES.test(parsed.scheme) || CLEARTEXT_SCHEMES.has(parsed.scheme))) return undefined;
  const host = getRemoteHosts(parsed)[0];
  if (!host) return undefined;
  for (const [name, value] of parsed.params) {
    const pattern = PLAINTEXT_PARAMETERS[name];
    if (pattern?.test(value)) return { parameter: `${name}=${value}`, host };
  }
  const hasPassword = parsed.password !== undefined && parsed.password !== '';
  const asksForTls = ['tls', 'ssl'].some((name) => /^true$/i.test(parsed.params.get(name) ?? ''));
  if (hasPassword && !asksForTls && (parsed.scheme === 'mongodb' || CLEARTEXT_SCHEMES.has(parsed.scheme))) {
    return { parameter: `${parsed.scheme}:// with a password and no TLS`, host };
  }
  return undefined;
}

function findPlaintextAdoString(text: string): { parameter: string; host: string } | undefined {
  const plaintext = ADO_PLAINTEXT.exec(text);
  if (!plaintext) return undefined;
  const server = ADO_SERVER.exec(text);
  if (!plaintext || !server?.[1] || !isRemoteHost(server[1].trim())) return undefined;
  return { parameter: `Encrypt=${plaintext[1]}`, host: server[1].trim() };
}
