import { ts } from '../../typescript.js';

/**
 * Reading hosts out of URLs and connection strings, and deciding whether
 * traffic to a host leaves the machine or its container network.
 */

/** The parts of a URL or connection string that transport rules read. */
export interface ParsedUrl {
  scheme: string;
  username?: string;
  password?: string;
  /** Host names without ports. MongoDB seed lists give several. */
  hosts: string[];
  path: string;
  /** Query parameters, names in lower case. */
  params: Map<string, string>;
}

const URL_PATTERN = /^([a-z][a-z0-9+.-]*):\/\/(?:([^:@/?#]*)(?::([^@/?#]*))?@)?([^/?#]*)([^?#]*)(?:\?([^#]*))?/i;

/** Parses `scheme://user:password@host:port,host2/path?query`, or returns undefined for other text. */
export function parseUrl(text: string): ParsedUrl | undefined {
  const match = URL_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const [, scheme, username, password, authority = '', path = '', query = ''] = match;
  const params = new Map<string, string>();
  for (const pair of query.split('&')) {
    if (!pair) continue;
    const [name = '', value = ''] = pair.split('=');
    params.set(safeDecode(name).toLowerCase(), safeDecode(value));
  }
  const hosts = authority
    .split(',')
    .map(stripPort)
    .filter((host) => host.length > 0);
  const parsed: ParsedUrl = { scheme: scheme!.toLowerCase(), hosts, path, params };
  if (username) parsed.username = safeDecode(username);
  if (password !== undefined) parsed.password = safeDecode(password);
  return parsed;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Removes the port: `db.example.com:5432` gives `db.example.com`, and `[::1]:5432` gives `::1`. */
export function stripPort(authority: string): string {
  const text = authority.trim();
  if (text.startsWith('[')) return text.slice(1, text.indexOf(']') > 0 ? text.indexOf(']') : undefined);
  const colon = text.lastIndexOf(':');
  return (colon > 0 && text.indexOf(':') === colon ? text.slice(0, colon) : text).toLowerCase();
}

/**
 * True when traffic to the host stays on the machine or inside a container
 * network: `localhost` and `*.localhost`, loopback addresses, `0.0.0.0`,
 * Docker's host aliases, Unix socket paths, and names of one label such as
 * `db` or `postgres`, which resolve to docker-compose services and
 * Kubernetes services of the same namespace. Every other name and address is
 * remote, private ranges such as 10.0.0.0/8 included: their traffic crosses
 * a network that other machines share.
 */
export function isLocalHost(host: string): boolean {
  const name = host.trim().toLowerCase().replace(/\.$/, '');
  if (name === '' || name.startsWith('/') || name.startsWith('%2f') || name.startsWith('@')) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (/^127(\.\d{1,3}){3}$/.test(name) || name === '::1' || name === '0.0.0.0' || name === '::') return true;
  if (name === 'host.docker.internal' || name === 'gateway.docker.internal' || name === 'docker.for.mac.localhost')
    return true;
  return !name.includes('.') && !name.includes(':');
}

/** True when the text is a host name or address that {@link isLocalHost} does not cover. */
export function isRemoteHost(host: string): boolean {
  const name = host.trim().toLowerCase();
  if (!/^[a-z0-9.:_-]+$/.test(name) || name.includes('${')) return false;
  return !isLocalHost(name);
}

/** Returns the remote hosts a parsed URL names. */
export function getRemoteHosts(parsed: ParsedUrl): string[] {
  return parsed.hosts.filter(isRemoteHost);
}

/**
 * Returns the text of a template literal with each interpolation replaced by `${}`,
 * so that the constant scheme, host and parameters of a URL can be read:
 * `postgres://${user}@db.example.com/app?sslmode=disable`.
 */
export function getTemplateText(template: ts.TemplateExpression): string {
  return template.head.text + template.templateSpans.map((span) => '${}' + span.literal.text).join('');
}

/**
 * Returns the text of a `+` chain that starts with a string literal, with
 * `${}` for each part that is not a literal, as {@link getTemplateText} does:
 * `'mongodb://app:' + process.env.MONGO_PW + '@db.example.com'`. Returns
 * undefined when the literal is not the first part of such a chain.
 */
export function getConcatenationText(literal: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral): { top: ts.Expression; text: string } | undefined {
  let top: ts.Expression = literal;
  while (ts.isBinaryExpression(top.parent) && top.parent.operatorToken.kind === ts.SyntaxKind.PlusToken && top.parent.left === top) top = top.parent;
  if (top === literal) return undefined;
  const parts: string[] = [];
  const add = (node: ts.Expression): void => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      add(node.left);
      add(node.right);
    } else if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      parts.push(node.text);
    } else if (ts.isTemplateExpression(node)) {
      parts.push(getTemplateText(node));
    } else {
      parts.push('${}');
    }
  };
  add(top);
  return { top, text: parts.join('') };
}
