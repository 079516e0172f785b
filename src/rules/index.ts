import type { Rule } from './rule.js';
import nosqlInjection from './nosql-injection.js';
import sqlInjection from './sql-injection.js';
import unparameterizedSql from './unparameterized-sql.js';

/** Every rule, sorted by id. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const allRules: readonly Rule<any, any>[] = [nosqlInjection, sqlInjection, unparameterizedSql];
