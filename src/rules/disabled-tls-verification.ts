import { ts } from '../typescript.js';
import type { FileSemantics } from '../analysis/semantics.js';
import { getCalleeName, getMemberName, getPropertyValue, isFunctionNode, propertyNameText, skipOuterExpressions } from '../analysis/syntax.js';
import { isEnvFile } from '../engine/analyze-file.js';
import { defineRule, type RuleContext, type Visitors } from './rule.js';
import { isEnvironmentDependent } from './shared/environment-guards.js';
import { findOptionMember, isFalse, isTrue } from './shared/option-lookup.js';
import { getCallTarget } from './shared/report-target.js';
import { getTemplateText, isLocalHost, parseUrl } from './shared/remote-hosts.js';
import { gatherWalkLists, WalkPicks } from './shared/walk-lists.js';

/** Options whose value `false` turns certificate checks off. */
const OFF_WHEN_FALSE = new Set(['rejectUnauthorized', 'strictSSL', 'sslValidate', 'verifyCertificate']);

/** MongoDB driver options whose value `true` turns certificate or host name checks off. */
const OFF_WHEN_TRUE = new Set(['tlsAllowInvalidCertificates', 'tlsAllowInvalidHostnames', 'tlsInsecure', 'sslAllowInvalidCertificates', 'sslAllowInvalidHostnames']);

/** Connection string parameters that turn checks off: pg's `sslmode=no-verify` and MongoDB's URI options. */
const URL_PARAMETERS: Record<string, RegExp> = {
  sslmode: /^no-verify$/i,
  tlsallowinvalidcertificates: /^true$/i,
  tlsallowinvalidhostnames: /^true$/i,
  tlsinsecure: /^true$/i,
  sslvalidate: /^false$/i,
};

/** Every option name {@link checkOption} acts on, so that other members cost one lookup. */
const CHECKED_OPTIONS = new Set(['NODE_TLS_REJECT_UNAUTHORIZED', 'checkServerIdentity', ...OFF_WHEN_FALSE, ...OFF_WHEN_TRUE, 'insecure']);

/** The member names of assignments this rule reads. */
const ASSIGNED_OPTIONS = new Set(['NODE_TLS_REJECT_UNAUTHORIZED', ...OFF_WHEN_FALSE]);

/** Keys that make an object a TLS options object, for the generic `insecure: true`. */
const TLS_KEYS = new Set(['ca', 'cert', 'key', 'pfx', 'servername', 'minVersion', 'maxVersion', 'ciphers', 'checkServerIdentity', 'rejectUnauthorized']);
const TLS_HOLDERS = /^(tls|ssl|https|httpsAgent|agent|transport|secureContext|tlsOptions|sslOptions)$/;

/** node:https, node:tls and node:http2 functions that create servers: on them the option concerns client certificates. */
const SERVER_FACTORIES = new Set(['createServer', 'createSecureServer', 'Server']);

/** Reads that show the code checks the peer itself: `socket.authorized`, `getPeerCertificate()` for pinning. */
const MANUAL_CHECK = /\.authorized\b|\.authorizationError\b|getPeerCertificate\s*\(/;

type MessageId = 'rejectUnauthorized' | 'optionTrue' | 'environment' | 'checkServerIdentity' | 'connectionString' | 'disableCall' | 'envFile';

export default defineRule<MessageId>({
  meta: {
    id: 'disabled-tls-verification',
    title: 'TLS certificate verification disabled',
    summary:
      'Flags TLS clients that accept any certificate: `rejectUnauthorized: false`, `NODE_TLS_REJECT_UNAUTHORIZED=0`, a `checkServerIdentity` that accepts every host, MongoDB `tlsAllowInvalidCertificates` and `tlsInsecure`, and `sslmode=no-verify`. Anyone on the network path can then read and change the traffic, health data and credentials included.',
    severity: 'critical',
    precision: 'high',
    cwe: [295],
    owasp: 'A07:2021-Identification and Authentication Failures',
    languages: ['code', 'env'],
    messages: {
      rejectUnauthorized: '{{option}}: false accepts any certificate, so a machine in the middle can read and change this traffic; trust the server’s CA with the `ca` option instead.',
      optionTrue: '{{option}}: true accepts invalid certificates or host names; trust the server’s CA with the `tlsCAFile` option instead.',
      environment: 'NODE_TLS_REJECT_UNAUTHORIZED=0 turns certificate checks off for every TLS connection of the process; remove it and trust the needed CA with NODE_EXTRA_CA_CERTS.',
      checkServerIdentity: 'checkServerIdentity accepts every host name, so any valid certificate for any site is accepted; remove it or call tls.checkServerIdentity().',
      connectionString: 'The connection string sets {{parameter}}, which accepts any certificate; use sslmode=verify-full or trust the server’s CA.',
      disableCall: '{{method}}() accepts any certificate; trust the server’s CA with ca() instead.',
      envFile: 'NODE_TLS_REJECT_UNAUTHORIZED=0 in a committed environment file turns certificate checks off for every TLS connection of the process.',
    },
  },
  create(context) {
    // The walk of a code file takes every visitor key as a node kind, so `onEnvFile` is given to .env files only.
    if (isEnvFile(context.file)) {
      const visitors: Visitors & { onEnvFile(text: string): void } = { onEnvFile: (text) => checkEnvFile(context, text) };
      return visitors;
    }
    // Tests talk to local servers with throwaway certificates.
    if (TEST_FILE.test(context.file)) return {};
    const sem = context.semantics;
    let checksPeer: boolean | undefined;
    const checksPeerItself = (): boolean => (checksPeer ??= MANUAL_CHECK.test(context.sourceFile.text));

    const checkMethod = (method: ts.MethodDeclaration): void => {
      if (method.name && propertyNameText(method.name) === 'checkServerIdentity' && ts.isObjectLiteralExpression(method.parent) && acceptsEveryHost(sem, method)) {
        if (!isEnvironmentDependent(sem, method)) context.report({ node: method, messageId: 'checkServerIdentity' });
      }
    };

    const checkAssignment = (binary: ts.BinaryExpression): void => {
      if (binary.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
      const target = skipOuterExpressions(binary.left);
      const name = getMemberName(target);
      if (name === 'NODE_TLS_REJECT_UNAUTHORIZED' && isEnvTarget(target) && isZero(sem, binary.right)) {
        if (!isEnvironmentDependent(sem, binary)) context.report({ node: binary, messageId: 'environment' });
        return;
      }
      if (name && OFF_WHEN_FALSE.has(name) && isFalse(sem.evaluate(binary.right)) && !checksPeerItself() && !isEnvironmentDependent(sem, binary)) {
        context.report({ node: binary, messageId: 'rejectUnauthorized', data: { option: name } });
      }
    };

    const checkCall = (call: ts.CallExpression): void => {
      const name = getCalleeName(call);
      if (name !== 'disableTLSCerts') return;
      if (!isEnvironmentDependent(sem, call)) context.report({ node: getCallTarget(call), messageId: 'disableCall', data: { method: name } });
    };

    const { lists, visitors } = gatherWalkLists(context, ['properties', 'methods', 'assignments', 'invocations', 'strings']);
    return {
      ...visitors,
      onEnd() {
        const picks = new WalkPicks();
        picks.addWhere(lists.properties, (_, index) => CHECKED_OPTIONS.has(lists.propertyNames[index]!));
        picks.addWhere(lists.methods, (method) => method.name !== undefined && propertyNameText(method.name) === 'checkServerIdentity');
        picks.addWhere(lists.assignments, (binary) => ASSIGNED_OPTIONS.has(getMemberName(skipOuterExpressions(binary.left))!));
        picks.addWhere(lists.calls, (_, index) => lists.callNames[index] === 'disableTLSCerts');
        picks.addWhere(lists.strings, (node) => (ts.isTemplateExpression(node) ? mayHaveParameters(getTemplateText(node)) : mayHaveParameters(node.text)));
        // In walk order, so that findings come in the order of the code.
        for (const node of picks.inWalkOrder()) {
          switch (node.kind) {
            case ts.SyntaxKind.PropertyAssignment:
            case ts.SyntaxKind.ShorthandPropertyAssignment:
              checkOption(context, node as ts.PropertyAssignment | ts.ShorthandPropertyAssignment, checksPeerItself);
              break;
            case ts.SyntaxKind.MethodDeclaration:
              checkMethod(node as ts.MethodDeclaration);
              break;
            case ts.SyntaxKind.BinaryExpression:
              checkAssignment(node as ts.BinaryExpression);
              break;
            case ts.SyntaxKind.CallExpression:
              checkCall(node as ts.CallExpression);
              break;
            case ts.SyntaxKind.StringLiteral:
            case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
              checkConnectionString(context, node, (node as ts.StringLiteral | ts.NoSubstitutionTemplateLiteral).text);
              break;
            case ts.SyntaxKind.TemplateExpression:
              checkConnectionString(context, node, getTemplateText(node as ts.TemplateExpression));
              break;
          }
        }
      },
    };
  },
});

const TEST_FILE = /\.(test|spec)\.[cm]?[jt]sx?$|(^|\/)(__tests__|__mocks__)\//;

/** Environment files meant for development, tests or as templates are left alone. */
const DEVELOPMENT_ENV_FILE = /(^|\/)\.env\.(example|sample|template|dist|dev|development|test|testing|local)$/i;

function checkEnvFile(context: RuleContext<MessageId>, text: string): void {
  if (DEVELOPMENT_ENV_FILE.test(context.file)) return;
  const pattern = /^[ \t]*(?:export[ \t]+)?NODE_TLS_REJECT_UNAUTHORIZED[ \t]*=[ \t]*['"]?0['"]?[ \t]*(?:#.*)?$/gm;
  for (const match of text.matchAll(pattern)) {
    context.report({ node: { start: match.index, end: match.index + match[0].trimEnd().length }, messageId: 'envFile' });
  }
}

function checkOption(context: RuleContext<MessageId>, property: ts.PropertyAssignment | ts.ShorthandPropertyAssignment, checksPeerItself: () => boolean): void {
  const sem = context.semantics;
  const name = property.name && propertyNameText(property.name);
  const value = getPropertyValue(property);
  if (!name || !value) return;

  if (name === 'NODE_TLS_REJECT_UNAUTHORIZED') {
    if (isZero(sem, value) && !isEnvironmentDependent(sem, property)) context.report({ node: property, messageId: 'environment' });
    return;
  }
  if (name === 'checkServerIdentity') {
    const fn = skipOuterExpressions(value);
    if (isFunctionNode(fn) && acceptsEveryHost(sem, fn) && !isEnvironmentDependent(sem, property)) {
      context.report({ node: property, messageId: 'checkServerIdentity' });
    }
    return;
  }

  const object = property.parent;
  if (OFF_WHEN_FALSE.has(name) && isFalse(sem.evaluate(value))) {
    if (checksPeerItself() || isEnvironmentDependent(sem, property) || !affectsServerCertificate(sem, object) || targetsLocalHost(sem, object)) return;
    context.report({ node: property, messageId: 'rejectUnauthorized', data: { option: name } });
    return;
  }
  if ((OFF_WHEN_TRUE.has(name) || (name === 'insecure' && isTlsObject(object))) && isTrue(sem.evaluate(value))) {
    if (isEnvironmentDependent(sem, property)) return;
    context.report({ node: property, messageId: 'optionTrue', data: { option: name } });
  }
}

/** Options and URLs that name the server a client connects to. */
const TARGET_KEYS = ['host', 'hostname', 'servername', 'url', 'uri', 'baseURL', 'baseUrl', 'prefixUrl'];

/**
 * True when the connection goes to this machine: `{ host: 'localhost',
 * rejectUnauthorized: false }`, or an agent passed to a call whose URL is
 * `https://127.0.0.1:8443`. A development server's self-signed certificate
 * is then the usual reason, and no network is crossed.
 */
function targetsLocalHost(sem: FileSemantics, object: ts.ObjectLiteralExpression): boolean {
  const candidates: ts.Expression[] = [];
  const collect = (options: ts.ObjectLiteralExpression): void => {
    for (const key of TARGET_KEYS) {
      const member = findOptionMember(sem, options, key);
      const value = member && getPropertyValue(member);
      if (value) candidates.push(value);
    }
  };
  collect(object);
  let node: ts.Node = object;
  for (let depth = 0; depth < 4 && node.parent; depth++) {
    node = node.parent;
    if (ts.isObjectLiteralExpression(node)) collect(node);
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) candidates.push(...(node.arguments ?? []));
  }
  return candidates.some((candidate) => {
    const value = sem.evaluate(candidate);
    if (value.kind !== 'string') return false;
    const parsed = value.value.includes('://') ? parseUrl(value.value) : undefined;
    const hosts = parsed ? parsed.hosts : [value.value];
    return hosts.length > 0 && hosts.every((host) => isLocalHost(host) && host !== '' && /localhost|^127\.|^::1$|^0\.0\.0\.0$/.test(host));
  });
}

/**
 * On a server, `rejectUnauthorized` concerns client certificates and matters
 * only with `requestCert: true`. A server that requests client certificates
 * but accepts any is still reported.
 */
function affectsServerCertificate(sem: FileSemantics, object: ts.ObjectLiteralExpression): boolean {
  const requestCert = findOptionMember(sem, object, 'requestCert');
  const call = object.parent;
  const isServer = requestCert !== undefined || (ts.isCallExpression(call) || ts.isNewExpression(call) ? SERVER_FACTORIES.has(getCalleeName(call) ?? '') : false);
  if (!isServer) return true;
  const value = requestCert ? getPropertyValue(requestCert) : undefined;
  return value !== undefined && isTrue(sem.evaluate(value));
}

function isTlsObject(object: ts.ObjectLiteralExpression): boolean {
  const holder = object.parent;
  if (ts.isPropertyAssignment(holder)) {
    const name = propertyNameText(holder.name);
    if (name && TLS_HOLDERS.test(name)) return true;
  }
  return object.properties.some((property) => {
    const name = property.name && propertyNameText(property.name);
    return name !== undefined && TLS_KEYS.has(name);
  });
}

/** `process.env.NODE_TLS_REJECT_UNAUTHORIZED` and `process.env['NODE_TLS_REJECT_UNAUTHORIZED']`. */
function isEnvTarget(target: ts.Expression): boolean {
  if (!ts.isPropertyAccessExpression(target) && !ts.isElementAccessExpression(target)) return false;
  const base = skipOuterExpressions(target.expression);
  return ts.isPropertyAccessExpression(base) && base.name.text === 'env' && base.expression.getText() === 'process';
}

/** Node turns checks off when the variable is the string `'0'`, and an assignment of the number 0 is stored as `'0'`. */
function isZero(sem: FileSemantics, expression: ts.Expression): boolean {
  const value = sem.evaluate(expression);
  return (value.kind === 'string' && value.value.trim() === '0') || (value.kind === 'number' && value.value === 0);
}

/**
 * A `checkServerIdentity` that never returns an error nor throws:
 * `() => undefined`, `() => {}`, or a body that calls
 * `tls.checkServerIdentity()` and drops the error it returns.
 */
function acceptsEveryHost(sem: FileSemantics, fn: ts.FunctionLikeDeclaration): boolean {
  const body = fn.body;
  if (!body) return false;
  if (!ts.isBlock(body)) return isNothing(sem, body);
  let accepts = true;
  const visit = (node: ts.Node): void => {
    if (!accepts || (node !== body && isFunctionNode(node))) return;
    if (ts.isThrowStatement(node)) {
      accepts = false;
      return;
    }
    if (ts.isReturnStatement(node) && node.expression && !isNothing(sem, node.expression)) {
      accepts = false;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return accepts;
}

function isNothing(sem: FileSemantics, expression: ts.Expression): boolean {
  const node = skipOuterExpressions(expression);
  if (ts.isVoidExpression(node)) return true;
  const value = sem.evaluate(node);
  return value.kind === 'undefined' || value.kind === 'null';
}

/** A URL with a query, the only text whose parameters can turn checks off. */
function mayHaveParameters(text: string): boolean {
  return text.includes('://') && text.includes('?');
}

function checkConnectionString(context: RuleContext<MessageId>, node: ts.Node, text: string): void {
  if (!mayHaveParameters(text)) return;
  const parsed = parseUrl(text);
  if (!parsed) return;
  for (const [parameter, pattern] of Object.entries(URL_PARAMETERS)) {
    const value = parsed.params.get(parameter);
    if (value === undefined || !pattern.test(value)) continue;
    if (isEnvironmentDependent(context.semantics, node)) return;
    context.report({ node, messageId: 'connectionString', data: { parameter: `${parameter}=${value}` } });
    return;
  }
}
