/**
 * Signing keys imported from another module of the project: the per-file
 * step records where a library receives one, and the project step looks the
 * constant up in the exporting module's summary.
 */
import type { ResolvedConfig } from '../../config/schema.js';
import type { ExportSummary } from '../../engine/facts.js';
import { memberOf, type Value } from '../../analysis/values.js';
import type { ProjectContext, ProjectFinding } from '../rule.js';
import { isReportedByName, type SecretAnalysis, type WeakReason } from './secret-analysis.js';
import { isCredentialName, isSecretShaped, isSigningSecretName } from './secrets.js';

/** A signing key that a file receives from another module, as plain data for the project step. */
export interface ImportedKeyFact {
  specifier: string;
  path: string[];
  purpose: string;
  subject: string;
  /** The environment variable read first, when the import is only a fallback. */
  fallback?: { envName?: string };
  location: ProjectFinding['location'];
}

/** The verdict on an imported key: hard-coded, or weak for a reason. */
export interface ImportedKeyVerdict {
  fact: ImportedKeyFact;
  file: string;
  value: string;
  verdict: 'hardcoded' | WeakReason;
  envName?: string;
}

/** Turns the imported keys of a file's analysis into facts. */
export function toImportedKeyFacts(analysis: SecretAnalysis): ImportedKeyFact[] {
  return analysis.importedKeys.map((key) => {
    const sourceFile = key.site.getSourceFile();
    const start = sourceFile.getLineAndCharacterOfPosition(key.site.getStart());
    const end = sourceFile.getLineAndCharacterOfPosition(key.site.getEnd());
    return {
      specifier: key.specifier,
      path: key.path,
      purpose: key.purpose,
      subject: key.subject,
      ...(key.fallback ? { fallback: key.fallback } : {}),
      location: {
        startLine: start.line + 1,
        startColumn: start.character + 1,
        endLine: end.line + 1,
        endColumn: end.character + 1,
      },
    };
  });
}

/**
 * Judges imported keys whose exporting module is part of the scan. A key
 * that its own file already reports by its name is skipped, unless the
 * importing file uses it only as a fallback.
 */
export function judgeImportedKeys(context: ProjectContext, config: ResolvedConfig): ImportedKeyVerdict[] {
  const verdicts: ImportedKeyVerdict[] = [];
  for (const { file, facts } of context.facts<ImportedKeyFact>()) {
    for (const fact of facts) {
      const value = resolveImport(context, file, fact.specifier, fact.path, 0);
      const verdict = value && judgeImportedValue(fact, value, config);
      if (verdict) verdicts.push({ fact, file, ...verdict });
    }
  }
  return verdicts;
}

function judgeImportedValue(
  fact: ImportedKeyFact,
  value: Value,
  config: ResolvedConfig,
): Omit<ImportedKeyVerdict, 'fact' | 'file'> | undefined {
  const exportName = fact.path[fact.path.length - 1] ?? 'default';
  if (value.kind === 'string') {
    if (value.value === '') return undefined;
    if (fact.fallback) {
      return {
        value: value.value,
        verdict: 'fallback',
        ...(fact.fallback.envName ? { envName: fact.fallback.envName } : {}),
      };
    }
    if (isReportedByName(exportName, value.value)) return undefined;
    if (isSecretShaped(value.value) && value.value.length >= config.minSecretLength) {
      return { value: value.value, verdict: 'hardcoded' };
    }
    return { value: value.value, verdict: value.value.length < config.minSecretLength ? 'short' : 'guessable' };
  }
  // A fallback under a credential or signing-key name is reported in its own file.
  if (value.kind === 'choice' && !isSigningSecretName(exportName) && !isCredentialName(exportName)) {
    const literal = value.options.find(
      (option): option is Extract<Value, { kind: 'string' }> => option.kind === 'string' && option.value !== '',
    );
    const env = value.options.find((option): option is Extract<Value, { kind: 'env' }> => option.kind === 'env');
    if (literal && env) return { value: literal.value, verdict: 'fallback', envName: env.name };
  }
  return undefined;
}

const MAX_DEPTH = 8;

/** Resolves the value of an export of a scanned module, following re-exports and imports inside the value. */
function resolveImport(
  context: ProjectContext,
  fromFile: string,
  specifier: string,
  path: readonly string[],
  depth: number,
): Value | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const file = context.resolver.resolve(fromFile, specifier);
  if (!file) return undefined;
  const found = lookupExport(context, file, path, depth);
  if (!found) return undefined;
  let value = resolveValue(context, found.file, found.export.value, depth + 1);
  for (const step of found.rest) value = memberOf(value, step);
  return value;
}

function lookupExport(
  context: ProjectContext,
  file: string,
  path: readonly string[],
  depth: number,
): { file: string; export: ExportSummary; rest: string[] } | undefined {
  const summary = context.summary(file);
  if (!summary || depth > MAX_DEPTH) return undefined;
  const [name = 'default', ...rest] = path;
  const found = summary.exports[name];
  if (found) return { file, export: found, rest };
  for (const reexport of summary.reexports) {
    const target = context.resolver.resolve(file, reexport.specifier);
    if (!target) continue;
    if (!reexport.names) {
      const viaStar = lookupExport(context, target, path, depth + 1);
      if (viaStar) return viaStar;
      continue;
    }
    const original = reexport.names[name];
    if (original === undefined) continue;
    return original === '*'
      ? lookupExport(context, target, rest, depth + 1)
      : lookupExport(context, target, [original, ...rest], depth + 1);
  }
  return undefined;
}

function resolveValue(context: ProjectContext, fromFile: string, value: Value, depth: number): Value {
  if (value.kind === 'import') return resolveImport(context, fromFile, value.specifier, value.path, depth) ?? value;
  if (value.kind === 'choice') {
    return {
      kind: 'choice',
      options: value.options.map((option) => resolveValue(context, fromFile, option, depth + 1)),
    };
  }
  return value;
}
