/**
 * The per-file analysis behind the secret rules. Every string literal of a
 * file is judged once, and the verdict names the one rule that reports it.
 * The verdicts are a password in a connection string, a known credential
 * format, a signing key that is weak or falls back to a literal, and a
 * credential-named holder with a secret-looking value. The rules gather the
 * literals and calls during the engine's walk, and the first rule to end
 * judges them; the result is cached per file, so each rule reads the same
 * verdicts.
 */
import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import type { ResolvedConfig } from '../../config/schema.js';
import { packageName } from '../../analysis/origin.js';
import { splitWords } from '../../analysis/sensitive.js';
import { skipOuterExpressions } from '../../analysis/syntax.js';
import type { Visitors } from '../rule.js';
import { findConnectionPasswords, type ConnectionPassword } from './connection-strings.js';
import { findSecretFormat, isPublicKeyMaterial } from './secret-formats.js';
import {
  describeCredentialName,
  isCredentialName,
  isDeclaredTestSecret,
  isEnvironmentVariableName,
  isIdentifierLike,
  isMarkedPlaceholder,
  isPasswordShaped,
  isPathOrAddress,
  isPlaceholder,
  isSecretShaped,
  isSigningSecretName,
} from './secrets.js';
import { getLiteralContext, type LiteralContext } from './literal-holders.js';
import { findSigningUses, traceSecretLeaves, type SigningUse } from './signing-secrets.js';

export interface RelatedPlace {
  node: ts.Node;
  message: string;
}

interface FindingBase {
  /** The report target: the literal, or the password inside a connection string. */
  target: ts.Node | { start: number; end: number };
  /** The secret, for masking only; never shown whole. */
  value: string;
  /** The holder of the secret as messages name it: `credentials.secretAccessKey`, `the argument of jwt.sign()`. */
  holder: string;
  related: RelatedPlace[];
}

export interface HardcodedSecret extends FindingBase {
  rule: 'hardcoded-secret';
  /** The kind of secret: "AWS access key ID", "password", "JWT secret". */
  label: string;
}

export type WeakReason = 'fallback' | 'short' | 'guessable';

export interface WeakSigningSecret extends FindingBase {
  rule: 'weak-signing-secret';
  /** The key's purpose and receiver: "JWT secret of jwt.sign()", "Signing secret in config.jwtSecret". */
  subject: string;
  reason: WeakReason;
  /** The environment variable that the literal replaces when it is unset, if known. */
  envName?: string;
}

export interface ConnectionStringSecret extends FindingBase {
  rule: 'credentials-in-connection-string';
  scheme: string;
}

export type SecretFinding = HardcodedSecret | WeakSigningSecret | ConnectionStringSecret;

/** A signing key imported from another module, which the project step judges. */
export interface ImportedSigningKey {
  specifier: string;
  path: string[];
  /** The key's purpose: "JWT secret". */
  purpose: string;
  subject: string;
  site: ts.Node;
  fallback?: { envName?: string };
}

export interface SecretAnalysis {
  findings: SecretFinding[];
  importedKeys: ImportedSigningKey[];
}

interface SigningRecord {
  uses: SigningUse[];
  fallback?: { envName?: string };
}

/** The nodes of a file that the secret analysis judges, in the order of the walk. */
interface SecretNodes {
  /** String literals with text, and template expressions. */
  literals: Array<ts.StringLiteralLike | ts.TemplateExpression>;
  /** Calls, `new` expressions and `x.keys = ...` assignments: the places where a library may receive a signing key. */
  sites: Array<ts.CallExpression | ts.NewExpression | ts.BinaryExpression>;
  /** Package names of the file's import, export and require specifiers. */
  packages: Set<string>;
}

const gathered = new WeakMap<ts.SourceFile, SecretNodes>();

/**
 * Visitors that gather the nodes the secret analysis judges during the
 * engine's walk. Each secret rule returns them beside its `onEnd`, which
 * calls {@link analyzeSecrets}. Only the first rule to start on a file gets
 * visitors, so whichever rules run, each node is gathered once.
 */
export function gatherSecretNodes(sourceFile: ts.SourceFile): Visitors {
  if (gathered.has(sourceFile)) return {};
  const nodes: SecretNodes = { literals: [], sites: [], packages: new Set() };
  gathered.set(sourceFile, nodes);
  const literal = (node: ts.StringLiteralLike): void => addLiteral(nodes, node);
  const site = (node: ts.CallExpression | ts.NewExpression): void => {
    nodes.sites.push(node);
  };
  return {
    StringLiteral: literal,
    NoSubstitutionTemplateLiteral: literal,
    TemplateExpression(node) {
      nodes.literals.push(node);
    },
    CallExpression: site,
    NewExpression: site,
    BinaryExpression(node) {
      if (isKeysAssignment(node)) nodes.sites.push(node);
    },
  };
}

function addLiteral(nodes: SecretNodes, node: ts.StringLiteralLike): void {
  if (!isIgnoredLiteral(node)) {
    if (node.text !== '') nodes.literals.push(node);
    return;
  }
  const parent = node.parent;
  if (
    ts.isImportDeclaration(parent) ||
    ts.isExportDeclaration(parent) ||
    ts.isExternalModuleReference(parent) ||
    ts.isCallExpression(parent)
  ) {
    nodes.packages.add(packageName(node.text));
  }
}

/** `app.keys = [...]`, the one assignment where a library receives a signing key. */
function isKeysAssignment(node: ts.BinaryExpression): boolean {
  if (node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const left = skipOuterExpressions(node.left);
  return ts.isPropertyAccessExpression(left) && left.name.text === 'keys';
}

/** Gathers the nodes by a walk of its own, for a caller that did not take part in the engine's walk. */
function gatherByWalking(sourceFile: ts.SourceFile): SecretNodes {
  const visitors = gatherSecretNodes(sourceFile);
  const visit = (node: ts.Node): void => {
    switch (node.kind) {
      case ts.SyntaxKind.StringLiteral:
        visitors.StringLiteral?.(node as ts.StringLiteral);
        break;
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
        visitors.NoSubstitutionTemplateLiteral?.(node as ts.NoSubstitutionTemplateLiteral);
        break;
      case ts.SyntaxKind.TemplateExpression:
        visitors.TemplateExpression?.(node as ts.TemplateExpression);
        break;
      case ts.SyntaxKind.CallExpression:
        visitors.CallExpression?.(node as ts.CallExpression);
        break;
      case ts.SyntaxKind.NewExpression:
        visitors.NewExpression?.(node as ts.NewExpression);
        break;
      case ts.SyntaxKind.BinaryExpression:
        visitors.BinaryExpression?.(node as ts.BinaryExpression);
        break;
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return gathered.get(sourceFile)!;
}

const cache = new WeakMap<FileSemantics, { config: ResolvedConfig; file: string; result: SecretAnalysis }>();

/**
 * Judges every string literal of a file; cached per file and configuration.
 * A rule that returned {@link gatherSecretNodes} calls it once the walk is over.
 */
export function analyzeSecrets(sem: FileSemantics, file: string, config: ResolvedConfig): SecretAnalysis {
  const cached = cache.get(sem);
  if (cached && cached.config === config && cached.file === file) return cached.result;
  const result = computeAnalysis(sem, file, config);
  cache.set(sem, { config, file, result });
  return result;
}

function computeAnalysis(sem: FileSemantics, file: string, config: ResolvedConfig): SecretAnalysis {
  const nodes = gathered.get(sem.sourceFile) ?? gatherByWalking(sem.sourceFile);
  const findings: SecretFinding[] = [];
  const importedKeys: ImportedSigningKey[] = [];
  const signing = new Map<ts.Node, SigningRecord>();

  for (const use of findSigningUses(sem, nodes.sites, nodes.packages)) {
    for (const leaf of traceSecretLeaves(sem, use.expression)) {
      if (leaf.kind === 'literal') {
        const record = signing.get(leaf.node) ?? { uses: [] };
        record.uses.push(use);
        record.fallback ??= leaf.fallback;
        signing.set(leaf.node, record);
      } else if (leaf.kind === 'import') {
        importedKeys.push({
          specifier: leaf.specifier,
          path: leaf.path,
          purpose: use.purpose,
          subject: `${use.purpose} of ${use.receiver}`,
          site: use.site,
          fallback: leaf.fallback,
        });
      }
    }
  }

  const keyLines = new Map<ts.ArrayLiteralExpression, number>();
  for (const node of nodes.literals) {
    const finding = ts.isTemplateExpression(node)
      ? judgeTemplate(sem, node, nodes.packages)
      : judgeLiteral(sem, node, signing.get(node), config, nodes.packages, keyLines);
    if (finding && !isDeclaredTestSecret(config, file, finding.value)) findings.push(finding);
  }
  return { findings, importedKeys };
}

/** Literals that are syntax rather than values: module specifiers, property names, literal types, directives. */
function isIgnoredLiteral(node: ts.StringLiteralLike): boolean {
  const parent = node.parent;
  if (ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent)) return true;
  if (ts.isExternalModuleReference(parent) || ts.isLiteralTypeNode(parent) || ts.isExpressionStatement(parent)) {
    return true;
  }
  if (ts.isElementAccessExpression(parent) && parent.argumentExpression === node) return true;
  if ('name' in parent && (parent as { name?: ts.Node }).name === node) return true;
  if (ts.isCallExpression(parent)) {
    const callee = parent.expression;
    if (callee.kind === ts.SyntaxKind.ImportKeyword) return true;
    if (ts.isIdentifier(callee) && callee.text === 'require') return true;
  }
  return false;
}

function judgeLiteral(
  sem: FileSemantics,
  node: ts.StringLiteralLike,
  signing: SigningRecord | undefined,
  config: ResolvedConfig,
  packages: ReadonlySet<string>,
  keyLines: Map<ts.ArrayLiteralExpression, number>,
): SecretFinding | undefined {
  const value = node.text;
  // The tests that need the value alone come first; the holder is looked up for the literals they leave.
  if (value.includes('://')) {
    const connection = findConnectionPasswords(getRawText(node)).at(0);
    if (connection) {
      const holder = getLiteralContext(sem, node, packages).holder;
      return toConnectionSecret(connection, node.getStart() + 1 + connection.index, holder);
    }
  }
  const format = findSecretFormat(value);
  if (format) return toHardcoded(node, format.token, getLiteralContext(sem, node, packages).holder, format.label);
  if (isPublicKeyMaterial(value) || isInsideKeyBlockArray(node, keyLines)) return undefined;

  const context = getLiteralContext(sem, node, packages);
  const name = context.name;
  if (signing || (name && isSigningSecretName(name))) return judgeSigningKey(node, value, context, signing, config);
  // Client passwords take 4 characters, URL credentials `?k=v` 4 and named secrets 6.
  if (value.length < 4) return undefined;
  if (context.isClientPassword) {
    return isAcceptedClientPassword(value)
      ? toHardcoded(node, value, context.holder, getNamedLabel(name ?? 'password', value))
      : undefined;
  }

  const query = findQueryCredential(value);
  if (query) {
    return toHardcoded(
      node,
      query.value,
      `the ${query.name} parameter of a URL`,
      getNamedLabel(query.name, query.value),
    );
  }
  const command = findCommandLineCredential(value);
  if (command) return toHardcoded(node, command.value, 'a command line', getNamedLabel(command.option, command.value));
  // Node's http.request({ auth: 'user:password' }) and similar client options.
  const basic = name && /^auth$/i.test(name) ? /^[^:\s]+:(\S{4,})$/.exec(value) : null;
  if (basic && !isPlaceholder(basic[1]!)) return toHardcoded(node, basic[1]!, context.holder, getNamedLabel('password', basic[1]!));
  const named = name ? judgeNamedValue(name, value) : undefined;
  return named && toHardcoded(node, named.value, context.holder, named.label);
}

/**
 * Finds a password written into a command line: `curl -u admin:s3cret`,
 * `--user admin:s3cret`, `--password=s3cret`. A variable such as `$DB_PASSWORD`
 * is not a password.
 */
function findCommandLineCredential(text: string): { option: string; value: string } | undefined {
  const user = /(?:^|\s)(?:-u|--user)[\s=]+['"]?[^\s'":]+:([^\s'"]{4,})/.exec(text);
  if (user && !isPlaceholder(user[1]!)) return { option: 'password', value: user[1]! };
  const password = /(?:^|\s)--password[\s=]+['"]?([^\s'"]{6,})/.exec(text);
  if (password && !isPlaceholder(password[1]!)) return { option: 'password', value: password[1]! };
  return undefined;
}

function toHardcoded(
  target: ts.Node,
  value: string,
  holder: string,
  label: string,
  related: RelatedPlace[] = [],
): HardcodedSecret {
  return { rule: 'hardcoded-secret', target, value, holder, related, label };
}

function toConnectionSecret(connection: ConnectionPassword, start: number, holder: string): ConnectionStringSecret {
  return {
    rule: 'credentials-in-connection-string',
    target: { start, end: start + connection.password.length },
    value: connection.password,
    holder,
    related: [],
    scheme: connection.scheme,
  };
}

/**
 * Judges a value by the credential name of its holder, with no other
 * context: a password name takes password-shaped values such as `admin123`,
 * any other credential name takes random-looking values. An `Authorization`
 * value is judged without its `Bearer` scheme.
 */
function judgeNamedValue(name: string, value: string): { label: string; value: string } | undefined {
  const secret = stripAuthorizationScheme(value);
  // Both shapes below take at least 6 characters and no white space; the name is judged after.
  if (secret.length < 6 || /\s/.test(secret) || !isCredentialName(name)) return undefined;
  const label = getNamedLabel(name, secret);
  const isPassword = label === 'password' || label === 'passphrase';
  const accepted = isSecretShaped(secret) || (isPassword && isPasswordShaped(secret));
  return accepted ? { label, value: secret } : undefined;
}

/**
 * True when the file that defines a constant reports it by its name alone,
 * so a module that imports the constant need not report it again.
 */
export function isReportedByName(name: string, value: string): boolean {
  if (value === '' || isPublicKeyMaterial(value)) return false;
  if (findSecretFormat(value) || findConnectionPasswords(value).length > 0) return true;
  if (isSigningSecretName(name)) return isSecretShaped(value) || isValueLike(value, name);
  return judgeNamedValue(name, value) !== undefined;
}

/** Finds a credential in the query of a URL: `https://api.example.com/v1/report?api_key=...`. */
function findQueryCredential(value: string): { name: string; value: string } | undefined {
  if (!value.includes('=') || !/^(?:https?:\/\/|\/|\?)/i.test(value)) return undefined;
  for (const match of value.matchAll(/[?&]([A-Za-z][\w.-]*)=([^&#\s]+)/g)) {
    const [, name, parameter] = match as unknown as [string, string, string];
    if (isCredentialName(name) && isSecretShaped(decodeURIComponentSafely(parameter))) {
      return { name, value: parameter };
    }
  }
  return undefined;
}

function decodeURIComponentSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Judges a literal that a signing API receives (traced) or that a
 * signing-key name holds. A literal fallback is weak whatever its shape. A
 * random literal as long as `minSecretLength` is a hard-coded secret, and a
 * shorter or guessable one is weak. A literal judged by its holder's name
 * alone must also look like a value, not an identifier, path or sentence.
 */
function judgeSigningKey(
  node: ts.StringLiteralLike,
  value: string,
  context: LiteralContext,
  signing: SigningRecord | undefined,
  config: ResolvedConfig,
): SecretFinding | undefined {
  // A key held under a `public` name verifies signatures and is not secret: `publicKey`, `JWT_PUBLIC_KEY`.
  if (value === '' || splitWords(context.name ?? '').includes('public')) return undefined;
  const fallback = signing?.fallback ?? context.fallback;
  const uses = signing?.uses ?? [];
  const related = uses.map((use) => ({ node: use.site, message: `Used as the ${use.purpose} of ${use.receiver}.` }));
  const firstUse = uses[0];
  const weak = (reason: WeakReason): WeakSigningSecret => ({
    rule: 'weak-signing-secret',
    target: node,
    value,
    holder: context.holder,
    related,
    subject: firstUse ? `${firstUse.purpose} of ${firstUse.receiver}` : `Signing secret in ${context.holder}`,
    reason,
    ...(fallback?.envName ? { envName: fallback.envName } : {}),
  });

  if (fallback) return isEnvironmentVariableName(value) ? undefined : weak('fallback');
  if (firstUse?.kind === 'encryption') {
    return isPlaceholder(value)
      ? undefined
      : toHardcoded(node, value, context.holder, toLabel(firstUse.purpose), related);
  }
  if (!signing && !isValueLike(value, context.name ?? '')) return undefined;
  if (isSecretShaped(value) && (value.length >= config.minSecretLength || !signing)) {
    const label = firstUse ? toLabel(firstUse.purpose) : getSigningLabel(context.name ?? '');
    return toHardcoded(node, value, context.holder, label, related);
  }
  return weak(value.length < config.minSecretLength ? 'short' : 'guessable');
}

/**
 * True when a value held under a signing-key name reads as a key: not an
 * identifier, path, placeholder or sentence, and not a label that repeats
 * the name's words, as `JWT_SECRET = 'JWT secret'` does.
 */
function isValueLike(value: string, name: string): boolean {
  if (isPlaceholder(value) || isIdentifierLike(value) || isPathOrAddress(value)) return false;
  const words = value.trim().split(/\s+/);
  if (words.length > 3 || /[.!?:]$/.test(value.trim())) return false;
  // A random part makes a key of words a key: `prod-signing-secret-7Hq2xL9vR4`.
  if (value.split(/[-_.:\s]/).some((chunk) => chunk.length >= 6 && /\d/.test(chunk) && /[a-z]/i.test(chunk))) return true;
  const nameWords = new Set(splitWords(name));
  return !splitWords(value).some((word) => nameWords.has(word));
}

/** Turns a purpose into a label inside a sentence: "session secret", while "JWT secret" and "HMAC key" keep their acronyms. */
export function toLabel(purpose: string): string {
  return /^[A-Z][a-z]+ /.test(purpose) ? purpose.charAt(0).toLowerCase() + purpose.slice(1) : purpose;
}

function getSigningLabel(name: string): string {
  const lower = name.toLowerCase();
  if (lower.includes('jwt')) return 'JWT secret';
  if (lower.includes('session')) return 'session secret';
  if (lower.includes('cookie')) return 'cookie signing secret';
  return describeCredentialName(name);
}

function getNamedLabel(name: string, value: string): string {
  const label = describeCredentialName(name);
  if (label === 'secret access key' && /^[A-Za-z0-9/+]{40}$/.test(value)) return 'AWS secret access key';
  return label;
}

/** True for a password given to a database or mail client: any value but a marked placeholder or a variable name, `root` included. */
function isAcceptedClientPassword(value: string): boolean {
  return value.length >= 4 && !/\s/.test(value) && !isMarkedPlaceholder(value) && !isEnvironmentVariableName(value);
}

function stripAuthorizationScheme(value: string): string {
  return value.replace(/^(?:Bearer|Basic|Token|Bot)\s+/i, '');
}

/** Judges a template literal: connection strings such as `postgres://app:${password}@db/app`, formats and URL queries. */
function judgeTemplate(
  sem: FileSemantics,
  node: ts.TemplateExpression,
  packages: ReadonlySet<string>,
): SecretFinding | undefined {
  const literals = [node.head, ...node.templateSpans.map((span) => span.literal)];
  const texts = literals.map((part) => part.rawText ?? part.text);
  // A connection string needs `://` in one part, a format 20 characters of one part, and a URL query a `=`.
  if (!texts.some((text) => text.length >= 20 || text.includes('://') || text.includes('='))) return undefined;
  // A NUL character stands for each inserted value, so a password that contains one is not written in the template.
  const joined = texts.join('\u0000');

  const connection = findConnectionPasswords(joined).at(0);
  if (connection) {
    const parts = literals.map((part, index) => ({ text: texts[index]!, start: part.getStart() + 1 }));
    const holder = getLiteralContext(sem, node, packages).holder;
    return toConnectionSecret(connection, toSourceOffset(parts, connection.index), holder);
  }
  for (const text of texts) {
    const format = findSecretFormat(text);
    if (format) return toHardcoded(node, format.token, getLiteralContext(sem, node, packages).holder, format.label);
  }
  const query = findQueryCredential(joined.split('\u0000').join('${}'));
  if (!query || query.value.includes('${}')) return undefined;
  return toHardcoded(node, query.value, `the ${query.name} parameter of a URL`, getNamedLabel(query.name, query.value));
}

function toSourceOffset(parts: Array<{ text: string; start: number }>, index: number): number {
  let remaining = index;
  for (const part of parts) {
    if (remaining <= part.text.length) return part.start + remaining;
    remaining -= part.text.length + 1;
  }
  return parts[0]!.start;
}

/**
 * True for a line of a PEM block written as an array of lines, because the
 * `-----BEGIN` line reports the whole key. `keyLines` keeps the number of
 * such lines of each array, which every literal of the array asks about.
 */
function isInsideKeyBlockArray(node: ts.StringLiteralLike, keyLines: Map<ts.ArrayLiteralExpression, number>): boolean {
  const parent = node.parent;
  if (!ts.isArrayLiteralExpression(parent)) return false;
  let count = keyLines.get(parent);
  if (count === undefined) {
    count = 0;
    for (const element of parent.elements) if (isKeyBlockLine(element)) count++;
    keyLines.set(parent, count);
  }
  return count > (isKeyBlockLine(node) ? 1 : 0);
}

function isKeyBlockLine(node: ts.Expression): boolean {
  return ts.isStringLiteralLike(node) && node.text.startsWith('-----BEGIN');
}

/** Returns the literal's text as written between its quotes, so offsets match the file. */
function getRawText(node: ts.StringLiteralLike): string {
  return node.getText().slice(1, -1);
}
