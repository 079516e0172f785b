#!/usr/bin/env node
import v8 from 'node:v8';

// Inlining in V8's optimizing compiler costs a short-lived scan more compile
// time on other cores than it wins back. Set before any scan code runs.
v8.setFlagsFromString('--no-turbo-inlining');

const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv);
