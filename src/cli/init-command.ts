import fs from 'node:fs';
import path from 'node:path';
import { createDefaultConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { allRules } from '../rules/index.js';
import { makeFolder } from '../files/make-folder.js';

/**
 * The commented config that `keney-audit init` writes: every key with its
 * default value, so that loading the file unchanged gives the defaults.
 */
export function renderInitialConfig(): string {
  const defaults = createDefaultConfig();
  const ruleLines = allRules.map((rule) => `  # ${rule.meta.id}: on  # ${rule.meta.severity}`);
  return `# keney-audit configuration. Every key below is set to its default; see
# docs/configuration.md for the details of each.

# Rules: on, off, a severity (critical, high, medium, low) to change the rule's
# severity, or { enabled, severity }. Every rule is on by default.
rules:
${ruleLines.join('\n')}

# Globs of files to scan and to leave out, relative to this file's folder.
# node_modules, dist, build, coverage, .next, vendored and minified files and
# type declarations are always left out.
include: []
exclude: []

# Files larger than this are skipped with a warning: bytes, or a size such as 512KB or 2MB.
maxFileSize: ${defaults.maxFileSize}

# Field and variable names that hold sensitive data, besides the built-in ones
# (passwords, tokens, SSNs, dates of birth, diagnoses, ...), in any case style.
sensitiveFields: []

# Route path patterns (regular expressions) that need a rate limiter, besides
# login, sign-in, register, password reset, token and OTP/MFA routes.
authRoutes: []

# JWT and session secrets shorter than this many characters are weak.
minSecretLength: ${defaults.minSecretLength}

# The longest token lifetime accepted: seconds, or a duration such as 15m, 12h or 1d.
maxTokenLifetime: ${defaults.maxTokenLifetime}

# The project's own building blocks, by module and export name. A module is a
# package name or a path relative to this file, such as ./src/http/limiter.
wrappers:
  # Middleware that limits request rates, such as { module: ./src/limiter, export: withLimiter }.
  rateLimiters: []
  # Functions that mask or redact what they return before it is logged.
  redactors: []
  # Functions that make a value safe; kind is one of number, html, sql, path,
  # url, shell, allowlist, validated or redacted.
  sanitizers: []
  # Query helpers that always bind their parameters.
  sqlHelpers: []

# Literal secrets in these files (globs) or matching these patterns (regular
# expressions) are known test values, not leaks.
testSecrets:
  paths: []
  patterns: []
`;
}

/** Writes the commented config file; refuses to overwrite one unless forced. */
export function runInitCommand(options: { output: string; force?: boolean }, cwd = process.cwd()): number {
  const target = path.resolve(cwd, options.output);
  if (fs.existsSync(target) && !options.force) {
    throw new UsageError(`'${options.output}' already exists.`, 'Pass --force to overwrite it, or --output to write elsewhere.');
  }
  makeFolder(path.dirname(target));
  fs.writeFileSync(target, renderInitialConfig());
  process.stderr.write(`Wrote ${path.relative(cwd, target) || target}.\n`);
  return 0;
}
