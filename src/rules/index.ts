import type { Rule } from './rule.js';

/** Every rule, sorted by id. */
export const allRules: readonly Rule[] = [];
