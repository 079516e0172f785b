#!/usr/bin/env node
// The parse-only baseline: the TypeScript parser that ts-morph bundles, on one
// core, parsing and walking every file that keney-audit would scan. No rules,
// no semantic layer: the floor that a parser-based scanner cannot go below.
//
// Usage: node bench/parse-only.mjs DIR
// Prints one JSON line: { files, lines, ms }.
import fs from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import { discoverFiles } from '../dist/files/discover.js';

const folder = path.resolve(process.argv[2] ?? '.');
const { files } = await discoverFiles({ paths: [folder], cwd: folder, include: [], exclude: [] });
const kinds = { '.tsx': ts.ScriptKind.TSX, '.jsx': ts.ScriptKind.JSX, '.js': ts.ScriptKind.JS, '.mjs': ts.ScriptKind.JS, '.cjs': ts.ScriptKind.JS };

let lines = 0;
let nodes = 0;
const started = performance.now();
for (const file of files) {
  if (path.basename(file).startsWith('.env')) continue;
  const text = fs.readFileSync(file, 'utf8');
  lines += text.split('\n').length;
  const kind = kinds[path.extname(file)] ?? ts.ScriptKind.TS;
  const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const visit = (node) => {
    nodes++;
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
}
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ files: files.length, lines, nodes, ms: Math.round(ms) })}\n`);
