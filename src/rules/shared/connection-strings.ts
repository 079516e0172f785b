import { isPlaceholder } from './secrets.js';

/** URL schemes of databases, caches, message brokers and mail servers. */
const SCHEMES = [
  'postgres',
  'postgresql',
  'mysql',
  'mysql2',
  'mariadb',
  'mssql',
  'sqlserver',
  'oracle',
  'cockroachdb',
  'mongodb',
  'mongodb+srv',
  'redis',
  'rediss',
  'amqp',
  'amqps',
  'nats',
  'mqtt',
  'mqtts',
  'kafka',
  'clickhouse',
  'neo4j',
  'neo4j+s',
  'bolt',
  'couchbase',
  'couchbases',
  'smtp',
  'smtps',
  'ldap',
  'ldaps',
  'ftp',
  'sftp',
];

// The password runs to the last `@` before the path, as URL parsers read it, so `p@ss` stays whole.
const CONNECTION_STRING = new RegExp(
  `(?<![A-Za-z0-9+.-])(${SCHEMES.map((scheme) => scheme.replace(/[+.]/g, '\\$&')).join('|')}):\\/\\/([^:/?#@\\s]*):([^/?#\\s]+)@`,
  'gi',
);

/** A password found in the user information of a connection string. */
export interface ConnectionPassword {
  scheme: string;
  user: string;
  password: string;
  /** Offset of the password in the searched text. */
  index: number;
}

/**
 * Finds passwords in connection strings such as
 * `postgres://app:s3cret@db:5432/app` and `redis://:s3cret@cache:6379`.
 * `interpolation` marks where a template inserts a value: a password that
 * contains it comes from elsewhere and is not reported, and neither is a
 * placeholder such as `<password>`, `${DB_PASSWORD}` or `changeme`.
 */
export function findConnectionPasswords(text: string, interpolation = '\u0000'): ConnectionPassword[] {
  if (!text.includes('://')) return [];
  const found: ConnectionPassword[] = [];
  for (const match of text.matchAll(CONNECTION_STRING)) {
    const [whole, scheme, user, password] = match as unknown as [string, string, string, string];
    if (password.includes(interpolation) || isPasswordPlaceholder(password, user)) continue;
    const index = match.index! + whole.length - password.length - 1;
    found.push({ scheme: scheme.toLowerCase(), user, password, index });
  }
  return found;
}

function isPasswordPlaceholder(password: string, user: string): boolean {
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // A stray % is part of the password.
  }
  if (isPlaceholder(decoded)) return true;
  // `user:password@` and `USER:PASS@` in documentation samples.
  return /^(?:pass(?:word)?|pwd|secret)$/i.test(decoded) || (/^user(?:name)?$/i.test(user) && /^pass/i.test(decoded));
}
