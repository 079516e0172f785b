#!/usr/bin/env node
// Measures what each rule adds to the per-file step: every file of DIR is
// analysed in this thread with no rule (parsing, module summary and call facts
// only), then with each rule alone. Prints the time of each run minus the
// baseline, most expensive first. Uses the built code in dist/.
//
// Usage: node bench/rule-costs.mjs DIR [--rule ID ...]
import fs from 'node:fs';
import path from 'node:path';
import { discoverFiles } from '../dist/files/discover.js';
import { analyzeFile } from '../dist/engine/analyze-file.js';
import { allRules } from '../dist/rules/index.js';
import { createDefaultConfig } from '../dist/config/schema.js';

const args = process.argv.slice(2);
const folder = path.resolve(args[0] ?? '.');
const only = args.flatMap((arg, index) => (args[index - 1] === '--rule' ? [arg] : []));
const { files } = await discoverFiles({ paths: [folder], cwd: folder, include: [], exclude: [] });
const sources = files.map((file) => ({ file: path.relative(folder, file), text: fs.readFileSync(file, 'utf8') }));
const config = createDefaultConfig();
const knownRuleIds = new Set(allRules.map((rule) => rule.meta.id));

function run(rules) {
  const options = { rules, config, semantic: { sanitizers: [], projectPrefixes: [] }, knownRuleIds };
  const started = performance.now();
  for (const source of sources) analyzeFile(source.file, source.text, options);
  return performance.now() - started;
}

run([]);
const baseline = Math.min(run([]), run([]));
const all = run(allRules);
const rules = only.length > 0 ? allRules.filter((rule) => only.includes(rule.meta.id)) : allRules;
const costs = rules.map((rule) => ({ id: rule.meta.id, ms: run([rule]) - baseline }));
costs.sort((a, b) => b.ms - a.ms);

console.log(`${sources.length} files; no rules: ${baseline.toFixed(0)} ms; all rules: ${all.toFixed(0)} ms`);
for (const cost of costs) console.log(`${cost.ms.toFixed(0).padStart(7)} ms  ${cost.id}`);
