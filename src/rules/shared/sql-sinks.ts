import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { CALL, NEW, packageName, type Origin } from '../../analysis/origin.js';
import { findProperty, getCalleeName, getPropertyValue, skipOuterExpressions } from '../../analysis/syntax.js';
import { getConstantText } from '../../analysis/values.js';
import type { DeferredCheck } from '../../engine/facts.js';

/** A call that runs SQL text, and the argument that holds the text. */
export interface SqlSink {
  call: ts.CallExpression;
  /** The expression holding the query text. */
  text: ts.Expression;
  /** The library, such as `pg` or `knex`, or `unknown` when recognised by name and shape only. */
  library: string;
  /** The method called, for messages: `query`, `raw`, `$queryRawUnsafe`. */
  method: string;
  /** The receiver of a call recognised by its name and shape alone, whose type can confirm or clear it. */
  guessedReceiver?: ts.Expression;
}

/** Packages whose clients run SQL text. */
const SQL_PACKAGES = new Set([
  'pg',
  'pg-pool',
  'pg-promise',
  'postgres',
  'mysql',
  'mysql2',
  'sqlite3',
  'sqlite',
  'better-sqlite3',
  'knex',
  'sequelize',
  'sequelize-typescript',
  'typeorm',
  '@nestjs/typeorm',
  '@prisma/client',
  'mssql',
  'tedious',
  'oracledb',
  '@databases/pg',
  '@databases/mysql',
  'drizzle-orm',
  'kysely',
  '@mikro-orm/core',
  '@mikro-orm/postgresql',
  '@mikro-orm/mysql',
  'objection',
  'slonik',
  '@vercel/postgres',
  '@neondatabase/serverless',
  '@planetscale/database',
  'duckdb',
  'snowflake-sdk',
]);

/** Methods that take SQL text as their first argument, on any SQL client. */
const QUERY_METHODS = new Set(['query', 'execute', 'raw', 'unsafe', '$queryRawUnsafe', '$executeRawUnsafe']);

/** Knex and Objection methods whose first argument is raw SQL. */
const RAW_METHODS = new Set([
  'whereRaw',
  'orWhereRaw',
  'andWhereRaw',
  'havingRaw',
  'orHavingRaw',
  'andHavingRaw',
  'orderByRaw',
  'groupByRaw',
  'joinRaw',
  'fromRaw',
  'selectRaw',
  'onRaw',
  'columnsRaw',
  'literal',
]);

/** TypeORM query builder methods whose first argument is an SQL fragment. */
const QUERY_BUILDER_METHODS = new Set([
  'where',
  'andWhere',
  'orWhere',
  'having',
  'andHaving',
  'orHaving',
  'orderBy',
  'addOrderBy',
  'groupBy',
  'addGroupBy',
  'select',
  'addSelect',
]);

/** TypeORM join methods whose third argument is an SQL condition. */
const QUERY_BUILDER_JOINS = new Set(['innerJoin', 'leftJoin', 'innerJoinAndSelect', 'leftJoinAndSelect', 'innerJoinAndMapOne', 'leftJoinAndMapOne']);

/** SQLite and pg-promise methods that run SQL text. */
const DRIVER_METHODS = new Set(['run', 'all', 'get', 'each', 'exec', 'prepare', 'any', 'none', 'one', 'oneOrNone', 'many', 'manyOrNone', 'result', 'multi', 'map', 'each']);

/** Receiver names that suggest an SQL client when the receiver's origin is unknown. */
const CLIENT_NAME = /(^|[^a-z])(db|pool|client|conn|connection|sequelize|knex|database|pg|mysql|sqlite|sql|manager|entityManager|dataSource|datasource|repository|repo|prisma|trx|tx|transaction|queryRunner)([^a-z]|$)/i;

/** Query text: starts with an SQL statement keyword. */
const SQL_TEXT = /^\s*\(?\s*(select|insert|update|delete|with|merge|replace|upsert|create|alter|drop|truncate|grant|revoke|call|exec|execute|copy|values|explain|pragma|begin|declare|set|show|desc|describe)\b/i;
/** SQL fragment text, as passed to a query builder or a raw clause. */
const SQL_FRAGMENT = /\b(select|insert|update|delete|from|where|and|or|order\s+by|group\s+by|like|ilike|in|between|values|join|limit|offset|union|case|when)\b|[=<>]|\bis\s+(not\s+)?null\b/i;

/** True for a method name that {@link getSqlSink} can recognise, so that other calls cost one lookup. */
export function isSqlMethodName(name: string | undefined): boolean {
  return name !== undefined && (QUERY_METHODS.has(name) || RAW_METHODS.has(name) || QUERY_BUILDER_METHODS.has(name) || QUERY_BUILDER_JOINS.has(name) || DRIVER_METHODS.has(name));
}

/** The position of the argument that holds the query text, for a method that {@link isSqlMethodName} accepts. */
export function getQueryTextIndex(method: string): number {
  return QUERY_BUILDER_JOINS.has(method) ? 2 : 0;
}

/** Recognises a call that runs SQL text built by the caller. */
export function getSqlSink(sem: FileSemantics, call: ts.CallExpression): SqlSink | undefined {
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  const isQuery = QUERY_METHODS.has(method);
  const isRaw = RAW_METHODS.has(method);
  const isBuilder = QUERY_BUILDER_METHODS.has(method) || QUERY_BUILDER_JOINS.has(method);
  const isDriver = DRIVER_METHODS.has(method);
  if (!isQuery && !isRaw && !isBuilder && !isDriver) return undefined;

  const argument = call.arguments[getQueryTextIndex(method)];
  if (!argument) return undefined;
  const text = getQueryText(sem, argument);
  if (!text) return undefined;

  const receiver = callee.expression;
  const origin = sem.originOf(receiver);
  // The run(), all() and get() of a prepared statement take the bound values: `db.prepare(sql).all(id)`.
  if (isDriver && method !== 'prepare' && origin.path.includes('prepare')) return undefined;
  const library = getSqlLibrary(origin);

  if (isBuilder) {
    if (!isQueryBuilder(sem, receiver, origin)) return undefined;
    return { call, text, library: library ?? 'typeorm', method };
  }
  if (method === 'literal') {
    if (library === 'sequelize' || library === 'sequelize-typescript' || /sequelize/i.test(origin.names.join(' '))) {
      return { call, text, library: 'sequelize', method };
    }
    return undefined;
  }
  if (library) {
    if (isDriver && !['sqlite3', 'sqlite', 'better-sqlite3', 'pg-promise', 'duckdb'].includes(library)) return undefined;
    return { call, text, library, method };
  }
  if (origin.root.kind === 'module' && !sem.isProjectModule(origin)) {
    // A package we do not model: trust it only when the text is plainly SQL.
    return looksLikeSql(sem, text, true) ? { call, text, library: 'unknown', method } : undefined;
  }
  if (method === '$queryRawUnsafe' || method === '$executeRawUnsafe') return { call, text, library: '@prisma/client', method };
  const guessed: SqlSink = { call, text, library: 'unknown', method, guessedReceiver: receiver };
  if (isRaw) return looksLikeSql(sem, text, false) || hasClientName(origin) ? guessed : undefined;
  if (isQuery) {
    const named = hasClientName(origin);
    if (named && looksLikeSql(sem, text, false)) return guessed;
    if (looksLikeSql(sem, text, true)) return guessed;
    return undefined;
  }
  // Driver methods such as `get` and `run` are common names; ask for a client name and SQL text.
  return hasClientName(origin) && looksLikeSql(sem, text, true) ? guessed : undefined;
}

/** Package names that suggest a database client, for types declared in packages this module does not list. */
const DATABASE_PACKAGE_NAME = '(sql|postgres|^pg|maria|oracle|orm|knex|prisma|sequel|db|database|data-api|bigquery|clickhouse|snowflake|duck|neon|supabase)';

/**
 * Builds, for a sink recognised by name and shape alone, a check that clears
 * the finding when the receiver's type comes only from packages that are not
 * database clients, such as a `Map` or a Redis client. A receiver typed by the
 * project alone, or as `any`, keeps the finding. `auto` sets whether
 * `--types auto` runs the check.
 */
export function getReceiverTypeCheck(sink: SqlSink, auto: boolean): DeferredCheck | undefined {
  const receiver = sink.guessedReceiver;
  if (!receiver) return undefined;
  return {
    kind: 'type',
    start: receiver.getStart(),
    end: receiver.getEnd(),
    packages: [...SQL_PACKAGES],
    pattern: DATABASE_PACKAGE_NAME,
    expected: false,
    assume: false,
    auto,
  };
}

/** The query text argument: a string expression, or the `text`/`sql` property of a query config object. */
function getQueryText(sem: FileSemantics, argument: ts.Expression): ts.Expression | undefined {
  const value = ts.isIdentifier(skipOuterExpressions(argument)) ? sem.followSingleValue(argument) : undefined;
  // `const query = { text: 'SELECT ... $1', values: [id] }` passed by name keeps its values bound.
  const expression = value && ts.isObjectLiteralExpression(value) ? value : skipOuterExpressions(argument);
  if (ts.isObjectLiteralExpression(expression)) {
    const property = findProperty(expression, 'text') ?? findProperty(expression, 'sql');
    return property ? getPropertyValue(property) : undefined;
  }
  if (ts.isArrowFunction(expression) || ts.isFunctionExpression(expression)) return undefined;
  if (ts.isTaggedTemplateExpression(expression)) return undefined;
  // An object such as TypeORM's `new Brackets((qb) => ...)` is not text, and the calls inside it are sinks of their own.
  if (ts.isNewExpression(expression) && getCalleeName(expression) !== 'String') return undefined;
  return argument;
}

/** The SQL package an origin starts at, if any. */
export function getSqlLibrary(origin: Origin): string | undefined {
  if (origin.root.kind !== 'module') return undefined;
  const name = packageName(origin.root.specifier);
  return SQL_PACKAGES.has(name) ? name : undefined;
}

function hasClientName(origin: Origin): boolean {
  return origin.names.some((name) => CLIENT_NAME.test(name));
}

/**
 * True when the receiver is a TypeORM query builder: the chain calls
 * `createQueryBuilder`, or the receiver is a `SelectQueryBuilder` and the like.
 */
function isQueryBuilder(sem: FileSemantics, receiver: ts.Expression, origin: Origin): boolean {
  if (origin.path.includes('createQueryBuilder') || origin.names.some((name) => /QueryBuilder$/.test(name))) return true;
  let current: ts.Expression = skipOuterExpressions(receiver);
  for (let hops = 0; hops < 40; hops++) {
    if (ts.isCallExpression(current)) {
      const callee = skipOuterExpressions(current.expression);
      if (ts.isPropertyAccessExpression(callee)) {
        if (callee.name.text === 'createQueryBuilder' || callee.name.text === 'subQuery') return true;
        current = skipOuterExpressions(callee.expression);
        continue;
      }
      return false;
    }
    if (ts.isPropertyAccessExpression(current)) {
      current = skipOuterExpressions(current.expression);
      continue;
    }
    if (ts.isIdentifier(current)) {
      const declaration = sem.resolve(current);
      if (declaration?.kind === 'variable' && declaration.node.initializer) {
        current = skipOuterExpressions(declaration.node.initializer);
        continue;
      }
      // `new Brackets((qb) => qb.where(...))` of TypeORM hands its callback a query builder.
      if (declaration?.kind === 'parameter' && declaration.index === 0) {
        const parent = declaration.fn.parent;
        return ts.isNewExpression(parent) && /^(Not)?Brackets$/.test(getCalleeName(parent) ?? '');
      }
    }
    return false;
  }
  return false;
}

/**
 * True when the constant parts of the text read as SQL. `whole` asks for a
 * full statement (`SELECT ...`); otherwise a fragment such as `id = ` will do.
 */
export function looksLikeSql(sem: FileSemantics, text: ts.Expression, whole: boolean): boolean {
  const prefix = getConstantPrefix(sem, text);
  if (prefix === undefined) return false;
  return whole ? SQL_TEXT.test(prefix) : SQL_TEXT.test(prefix) || SQL_FRAGMENT.test(prefix);
}

/** The constant text an expression starts with, through templates, concatenation and variables. */
function getConstantPrefix(sem: FileSemantics, text: ts.Expression): string | undefined {
  const value = sem.evaluate(text);
  const constant = getConstantText(value);
  if (constant !== undefined) return constant;
  if (value.kind === 'concat') {
    return value.parts.map((part) => getConstantText(part) ?? ' ? ').join('');
  }
  return undefined;
}

export { CALL, NEW };
