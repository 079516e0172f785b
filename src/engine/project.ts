import type { ResolvedConfig } from '../config/schema.js';
import type { ProjectContext, ProjectFinding, Rule } from '../rules/rule.js';
import { formatMessage, fingerprint } from './analyze-file.js';
import type { DeferredCheck, ExportSummary, FileFinding, FileResult, ModuleSummary } from './facts.js';
import type { ModuleResolver } from './module-resolver.js';
import type { SemanticOptions } from '../analysis/semantics.js';
import { followCallsAcrossFiles, placeKey } from './cross-file.js';
import { isConstant, memberOf, type Value } from '../analysis/values.js';
import { NEW } from '../analysis/origin.js';
import type { Finding, Notification, Severity } from '../types.js';

const MAX_DEPTH = 12;

/**
 * Answers questions about exports across the project: what an imported binding
 * holds, following re-exports, and whether a deferred check holds.
 */
export class ProjectIndex {
  private readonly results = new Map<string, FileResult>();

  constructor(
    results: readonly FileResult[],
    readonly resolver: ModuleResolver,
    private readonly config: ResolvedConfig,
    private readonly typeOracle?: TypeOracle,
    private readonly declaredSanitizers: SemanticOptions['sanitizers'] = [],
  ) {
    for (const result of results) this.results.set(result.file, result);
  }

  summary(file: string): ModuleSummary | undefined {
    return this.results.get(file)?.summary;
  }

  /** The export an import refers to, with the file that defines it; undefined when not in the scan. */
  lookup(fromFile: string, specifier: string, path: readonly string[], depth = 0): { file: string; export: ExportSummary; rest: string[] } | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const file = this.resolver.resolve(fromFile, specifier);
    if (!file) return undefined;
    return this.lookupIn(file, path, depth);
  }

  private lookupIn(file: string, path: readonly string[], depth: number): { file: string; export: ExportSummary; rest: string[] } | undefined {
    const summary = this.summary(file);
    if (!summary) return undefined;
    const [name = 'default', ...rest] = path;
    const found = summary.exports[name];
    if (found) return { file, export: found, rest };
    for (const reexport of summary.reexports) {
      if (reexport.names) {
        const original = reexport.names[name];
        if (original === undefined) continue;
        if (original === '*') {
          const target = this.resolver.resolve(file, reexport.specifier);
          return target ? this.lookupIn(target, rest, depth + 1) : undefined;
        }
        return this.lookup(file, reexport.specifier, [original, ...rest], depth + 1);
      }
      const viaStar = this.lookup(file, reexport.specifier, path, depth + 1);
      if (viaStar) return viaStar;
    }
    return undefined;
  }

  /**
   * The file that defines an imported binding and the path within it, through
   * re-exports: `import { find } from './index'` with `export * from './users'`
   * gives `users.ts` and `find`.
   */
  locateExport(fromFile: string, specifier: string, path: readonly string[], depth = 0): { file: string; path: string[] } | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const file = this.resolver.resolve(fromFile, specifier);
    if (!file) return undefined;
    const summary = this.summary(file);
    if (!summary) return undefined;
    const [name = 'default', ...rest] = path;
    if (summary.exports[name] || summary.reexports.length === 0) return { file, path: [name, ...rest] };
    for (const reexport of summary.reexports) {
      if (reexport.names) {
        const original = reexport.names[name];
        if (original === undefined) continue;
        if (original === '*') return rest.length > 0 ? this.locateExport(file, reexport.specifier, rest, depth + 1) : undefined;
        return this.locateExport(file, reexport.specifier, [original, ...rest], depth + 1);
      }
      const viaStar = this.locateExport(file, reexport.specifier, path, depth + 1);
      if (viaStar) return viaStar;
    }
    return { file, path: [name, ...rest] };
  }

  /** Resolves the import parts of a value against the project, as far as the scan allows. */
  resolveValue(fromFile: string, value: Value, depth = 0): Value {
    if (depth > MAX_DEPTH) return { kind: 'unknown' };
    switch (value.kind) {
      case 'import': {
        const found = this.lookup(fromFile, value.specifier, value.path);
        if (!found) return value;
        let resolved = this.resolveValue(found.file, found.export.value, depth + 1);
        for (const step of found.rest) resolved = memberOf(resolved, step);
        return resolved;
      }
      case 'array':
        return { kind: 'array', items: value.items.map((item) => this.resolveValue(fromFile, item, depth + 1)) };
      case 'object': {
        const properties: Record<string, Value> = {};
        for (const [key, item] of Object.entries(value.properties)) properties[key] = this.resolveValue(fromFile, item, depth + 1);
        return { kind: 'object', properties, open: value.open };
      }
      case 'concat':
        return { kind: 'concat', parts: value.parts.map((part) => this.resolveValue(fromFile, part, depth + 1)) };
      case 'choice':
        return { kind: 'choice', options: value.options.map((option) => this.resolveValue(fromFile, option, depth + 1)) };
      default:
        return value;
    }
  }

  /** Whether a deferred check holds; `assume` when the module is not part of the scan. */
  holds(fromFile: string, check: DeferredCheck): boolean {
    if (check.kind === 'type') {
      const packages = this.typeOracle?.(fromFile, check);
      if (!packages) return check.assume;
      const pattern = check.pattern === undefined ? undefined : new RegExp(check.pattern, 'i');
      return packages.some((name) => check.packages.includes(name) || pattern?.test(name)) === check.expected;
    }
    if (check.kind === 'drops-arguments') return this.dropsArguments(fromFile, check);
    const found = this.lookup(fromFile, check.ref.specifier, check.ref.path);
    if (check.kind === 'constant') {
      if (!found) return check.assume;
      let value = this.resolveValue(found.file, found.export.value);
      for (const step of found.rest) value = memberOf(value, step);
      return isConstant(value);
    }
    if (check.kind === 'defined') {
      if (!found) return check.assume;
      let value = this.resolveValue(found.file, found.export.value);
      for (const step of found.rest) value = memberOf(value, step);
      return isDefined(value);
    }
    if (this.isDeclaredSanitizer(fromFile, check.ref.specifier, check.ref.path, check.safe)) return true;
    if (!found) return check.assume;
    const returns = findMember(found.export, found.rest)?.returns;
    if (!returns) return false;
    return returns.constant || returns.sanitized.some((kind) => check.safe.includes(kind));
  }

  private dropsArguments(fromFile: string, check: Extract<DeferredCheck, { kind: 'drops-arguments' }>): boolean {
    if (this.isDeclaredSanitizer(fromFile, check.ref.specifier, check.ref.path, check.safe)) return true;
    const found = this.lookup(fromFile, check.ref.specifier, check.ref.path);
    if (!found) return true;
    const returns = findMember(found.export, found.rest)?.returns;
    if (!returns) return true;
    if (returns.constant || returns.sanitized.some((kind) => check.safe.includes(kind))) return true;
    return !check.indexes.some((index) => returns.passes.includes(index));
  }

  private isDeclaredSanitizer(fromFile: string, specifier: string, path: readonly string[], safe: readonly string[]): boolean {
    const name = path.join('.') || 'default';
    const target = this.resolver.resolve(fromFile, specifier);
    return this.declaredSanitizers.some((declared) => {
      if (declared.export !== name || !safe.includes(declared.kind)) return false;
      if (declared.module === specifier) return true;
      // Declared project modules are relative to the scan root, as if imported from a file there.
      return target !== undefined && this.resolver.resolve('index.ts', declared.module) === target;
    });
  }
}

/**
 * Returns the summary of a member of an export: `['resolve']` of an object, or
 * `['new', 'resolve']` of a class, whose summary lists its methods by name.
 */
function findMember(exported: ExportSummary, path: readonly string[]): ExportSummary | undefined {
  let target: ExportSummary | undefined = exported;
  for (const step of path) {
    if (step === NEW && target?.members) continue;
    target = target?.members?.[step];
  }
  return target;
}

/** False when a value is known to be `undefined`, in every branch of a choice. */
function isDefined(value: Value): boolean {
  if (value.kind === 'undefined') return false;
  if (value.kind === 'choice') return value.options.some(isDefined);
  return true;
}

/** The packages that declare the type of an expression in a file, or undefined when unknown. */
export type TypeOracle = (file: string, check: Extract<DeferredCheck, { kind: 'type' }>) => string[] | undefined;

export interface ProjectStepOutput {
  findings: FileFinding[];
  notifications: Notification[];
}

/** Runs the project step: settles deferred checks, then lets project rules judge their facts. */
export function runProjectStep(
  results: readonly FileResult[],
  rules: readonly Rule[],
  index: ProjectIndex,
  config: ResolvedConfig,
  snippetOf: (file: string, line: number) => string | undefined,
): ProjectStepOutput {
  const findings: FileFinding[] = [];
  const notifications: Notification[] = [];

  const crossFile = followCallsAcrossFiles(results, index, rules, config);
  const replaced = new Set(crossFile.replaced);
  const settled: FileFinding[] = [];
  for (const result of results) {
    for (const finding of result.findings) {
      if (finding.unless && finding.unless.every((check) => index.holds(result.file, check))) continue;
      settled.push(finding);
      const place = placeKey(finding.location.file, finding.location);
      for (const rule of finding.replaces ?? []) replaced.add(`${place}\0${rule}`);
    }
  }
  const keptPlaces = new Set<string>();
  for (const finding of settled) {
    const place = `${placeKey(finding.location.file, finding.location)}\0${finding.ruleId}`;
    if (replaced.has(place)) continue;
    keptPlaces.add(place);
    const { unless: _settled, replaces: _replaces, ...rest } = finding;
    findings.push(rest);
  }
  const rulesById = new Map(rules.map((rule) => [rule.meta.id, rule]));
  for (const finding of crossFile.findings) {
    if (keptPlaces.has(`${placeKey(finding.location.file, finding.location)}\0${finding.ruleId}`)) continue;
    const snippet = rulesById.get(finding.ruleId)?.meta.secret ? undefined : snippetOf(finding.location.file, finding.location.startLine);
    findings.push(snippet === undefined ? finding : { ...finding, snippet });
  }

  for (const rule of rules) {
    if (!rule.project) continue;
    const reported: ProjectFinding[] = [];
    const context: ProjectContext = {
      config,
      options: {},
      resolver: index.resolver,
      facts: <Fact>() =>
        results
          .filter((result) => (result.facts[rule.meta.id]?.length ?? 0) > 0)
          .map((result) => ({ file: result.file, facts: result.facts[rule.meta.id] as Fact[] })),
      summary: (file) => index.summary(file),
      resolveValue: (file, value) => index.resolveValue(file, value),
      report: (finding) => reported.push(finding),
    };
    try {
      rule.project(context);
    } catch (error) {
      notifications.push({
        level: 'error',
        kind: 'rule-failed',
        ruleId: rule.meta.id,
        message: `Rule ${rule.meta.id} failed in its project step: ${error instanceof Error ? error.message : String(error)}`,
      });
      continue;
    }
    const occurrences = new Map<string, number>();
    for (const item of reported) {
      const template = rule.meta.messages[item.messageId] ?? item.messageId;
      const key = `${item.file}\0${item.fingerprintKey}`;
      const occurrence = occurrences.get(key) ?? 0;
      occurrences.set(key, occurrence + 1);
      const severity: Severity = config.rules[rule.meta.id]?.severity ?? item.severity ?? rule.meta.severity;
      const snippet = item.snippet ?? snippetOf(item.file, item.location.startLine);
      const finding: Finding = {
        ruleId: rule.meta.id,
        severity,
        message: formatMessage(template, item.data),
        location: { file: item.file, ...item.location },
        related: (item.related ?? []).map((related) => ({
          location: { file: related.file, ...related.location },
          message: related.message,
        })),
        flow: [],
        fingerprint: fingerprint([rule.meta.id, item.file, item.fingerprintKey, String(occurrence)]),
      };
      if (snippet !== undefined && !rule.meta.secret) finding.snippet = snippet;
      findings.push(finding);
    }
  }
  return { findings, notifications };
}
