import { ts } from '../../typescript.js';
import { memberOf, type Value } from '../../analysis/values.js';
import { hasModifier, propertyNameText, skipOuterExpressions } from '../../analysis/syntax.js';
import type { ProjectContext, ProjectFinding, ReportTarget, RuleContext, Visitors } from '../rule.js';
import {
  getCorsAnalysis,
  getStart,
  type CorsDeferral,
  type CorsFault,
  type CorsFileAnalysis,
  type CorsMessageId,
  type CorsRuleKind,
} from './cors.js';
import { gatherNodes } from './file-nodes.js';
import { classifyOrigin, classifyOriginValue, EVERY_ORIGIN, findOption, hasCredentialsOption, resolveObject } from './cors-options.js';

type FactLocation = ProjectFinding['location'];

/** The location of a fact, with the fingerprint key a per-file finding on that line would have. */
interface FactPlace {
  location: FactLocation;
  fingerprintKey: string;
}

/**
 * Plain data for the project step of the CORS rules:
 * - `use`: options of a CORS set-up imported from another module;
 * - `origin`: an `origin` option whose value is imported;
 * - `export`: an exported object that may serve as CORS options, with the
 *   description of its weak `origin` (null when it has no `origin`) and
 *   whether the per-file step already reported it.
 */
export type CorsFact =
  | { kind: 'use'; specifier: string; path: string[]; subject: string; place: FactPlace }
  | { kind: 'origin'; specifier: string; path: string[]; subject: string; credentials: boolean; place: FactPlace }
  | { kind: 'export'; paths: string[][]; origin: string | null; reach: string; credentials: boolean; place: FactPlace; reported: boolean };

const MAX_EXPORT_FACTS = 40;
const MAX_IMPORT_HOPS = 4;

/**
 * Creates the visitors of a CORS rule. Both rules judge the same nodes
 * through the file's shared analysis, once the walk has gathered them, and
 * each reports the faults of its own kind.
 */
export function createCorsVisitors<MessageId extends CorsMessageId>(context: RuleContext<MessageId>, kind: CorsRuleKind): Visitors {
  const { nodes, visitors } = gatherNodes(context, ['invocations', 'properties', 'objects', 'assignments']);
  const reportAll = (faults: CorsFault[]): void => {
    const reported = new Set<number>();
    for (const fault of faults) {
      const start = getStart(fault.node);
      if (reported.has(start) || (fault.preflight && faults.some((other) => isSameFault(other, fault)))) continue;
      reported.add(start);
      // Faults of a kind only carry message ids that the rule of that kind declares.
      context.report({ node: fault.node, messageId: fault.messageId as MessageId, data: fault.data });
    }
  };
  return {
    ...visitors,
    onEnd: () => {
      const analysis = getCorsAnalysis(context.semantics, nodes);
      const faults: CorsFault[] = [];
      for (const result of analysis.judgeFile()) {
        for (const fault of result.faults) if (fault.kind === kind) faults.push(fault);
        for (const deferral of result.deferrals) context.addFact(toUseFact(context.sourceFile, deferral));
      }
      for (const fault of analysis.getTypedFaults()) if (fault.kind === kind) faults.push(fault);
      reportAll(faults);
      for (const fact of getExportFacts(analysis)) context.addFact(fact);
    },
  };
}

/** True when `other` is the main set-up that a preflight fault repeats: the same message about the same values. */
function isSameFault(other: CorsFault, preflight: CorsFault): boolean {
  if (other.preflight || other.messageId !== preflight.messageId) return false;
  const keys = Object.keys(preflight.data);
  return keys.length === Object.keys(other.data).length && keys.every((key) => other.data[key] === preflight.data[key]);
}

function toUseFact(sourceFile: ts.SourceFile, deferral: CorsDeferral): CorsFact {
  const place = toPlace(sourceFile, deferral.node);
  if (deferral.kind === 'options') return { kind: 'use', specifier: deferral.specifier, path: deferral.path, subject: deferral.subject, place };
  return {
    kind: 'origin',
    specifier: deferral.specifier,
    path: deferral.path,
    subject: deferral.subject,
    credentials: deferral.credentials,
    place,
  };
}

function toPlace(sourceFile: ts.SourceFile, target: ReportTarget): FactPlace {
  const start = getStart(target);
  const end = 'kind' in target ? target.getEnd() : target.end;
  const begin = sourceFile.getLineAndCharacterOfPosition(start);
  const finish = sourceFile.getLineAndCharacterOfPosition(end);
  const lineStarts = sourceFile.getLineStarts();
  const lineText = sourceFile.text.slice(lineStarts[begin.line], lineStarts[begin.line + 1] ?? sourceFile.text.length);
  return {
    location: { startLine: begin.line + 1, startColumn: begin.character + 1, endLine: finish.line + 1, endColumn: finish.character + 1 },
    fingerprintKey: lineText.trim().replace(/\s+/g, ' '),
  };
}

const exportFacts = new WeakMap<CorsFileAnalysis, CorsFact[]>();

/** The export facts of a file, found once for both rules. */
function getExportFacts(analysis: CorsFileAnalysis): CorsFact[] {
  let facts = exportFacts.get(analysis);
  if (!facts) {
    facts = collectExportFacts(analysis);
    exportFacts.set(analysis, facts);
  }
  return facts;
}

/**
 * Exported object literals that other modules may pass as CORS options:
 * `export const corsOptions = {...}`, `export default {...}`,
 * `module.exports = {...}` and `exports.corsOptions = {...}`, with objects
 * nested one level below them, such as `config.cors`.
 */
function collectExportFacts(analysis: CorsFileAnalysis): CorsFact[] {
  const sem = analysis.sem;
  const sourceFile = sem.sourceFile;
  const facts: CorsFact[] = [];
  const add = (expression: ts.Expression, paths: string[][], depth: number): void => {
    if (facts.length >= MAX_EXPORT_FACTS) return;
    const ref = resolveObject(sem, expression);
    if (ref.kind !== 'object') return;
    const fact = toExportFact(analysis, ref.node, paths);
    if (fact) facts.push(fact);
    if (depth > 0) return;
    for (const property of ref.node.properties) {
      const name = property.name && propertyNameText(property.name);
      if (!name || !ts.isPropertyAssignment(property)) continue;
      add(property.initializer, paths.map((path) => [...path, name]), depth + 1);
    }
  };

  for (const statement of sourceFile.statements) {
    if (ts.isVariableStatement(statement) && hasModifier(statement, ts.SyntaxKind.ExportKeyword)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.initializer) add(declaration.initializer, [[declaration.name.text]], 0);
      }
    } else if (ts.isExportAssignment(statement)) {
      add(statement.expression, [['default']], 0);
    } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier) {
      const clause = statement.exportClause;
      if (!clause || !ts.isNamedExports(clause)) continue;
      for (const element of clause.elements) {
        const local = element.propertyName ?? element.name;
        if (ts.isIdentifier(local) && ts.isIdentifier(element.name)) add(local, [[element.name.text]], 0);
      }
    } else if (ts.isExpressionStatement(statement)) {
      addCommonJsExport(statement.expression, add);
    }
  }
  return facts;
}

/** `module.exports = x` is the default export, and its properties are named exports too. */
function addCommonJsExport(expression: ts.Expression, add: (value: ts.Expression, paths: string[][], depth: number) => void): void {
  if (!ts.isBinaryExpression(expression) || expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
  const left = skipOuterExpressions(expression.left);
  if (!ts.isPropertyAccessExpression(left)) return;
  const base = skipOuterExpressions(left.expression);
  const isModuleExports = (node: ts.Expression): boolean =>
    ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'module' && node.name.text === 'exports';
  if (isModuleExports(left)) {
    const value = skipOuterExpressions(expression.right);
    add(value, [['default']], 0);
    if (!ts.isObjectLiteralExpression(value)) return;
    for (const property of value.properties) {
      const name = property.name && propertyNameText(property.name);
      if (name && ts.isPropertyAssignment(property)) add(property.initializer, [[name]], 1);
    }
    return;
  }
  if ((ts.isIdentifier(base) && base.text === 'exports') || isModuleExports(base)) add(expression.right, [[left.name.text]], 0);
}

function toExportFact(analysis: CorsFileAnalysis, object: ts.ObjectLiteralExpression, paths: string[][]): CorsFact | undefined {
  const sem = analysis.sem;
  const credentials = hasCredentialsOption(sem, object);
  const origin = findOption(sem, object, 'origin');
  if (origin.kind === 'absent') {
    return { kind: 'export', paths, origin: null, reach: EVERY_ORIGIN, credentials, place: toPlace(sem.sourceFile, object), reported: false };
  }
  if (origin.kind !== 'found') return undefined;
  const verdict = classifyOrigin(sem, origin.value);
  if (verdict.verdict !== 'any') return undefined;
  const reported = analysis.faultStarts.has(getStart(origin.property));
  return { kind: 'export', paths, origin: verdict.description, reach: verdict.reach, credentials, place: toPlace(sem.sourceFile, origin.property), reported };
}

type ExportFact = Extract<CorsFact, { kind: 'export' }>;

/**
 * Reports, in the project step of both CORS rules, options and `origin`
 * values that a CORS set-up imports from another module of the project. A
 * weak `origin` is reported where the exporting module sets it, and a
 * missing one where the options are used.
 */
export function reportImportedCors(context: ProjectContext<'anyOrigin'>, kind: CorsRuleKind): void {
  const all = context.facts<CorsFact>();
  const exportsByFile = new Map<string, ExportFact[]>();
  for (const { file, facts } of all) {
    exportsByFile.set(file, facts.filter((fact): fact is ExportFact => fact.kind === 'export'));
  }
  const reported = new Set<string>();
  const report = (file: string, place: FactPlace, credentials: boolean, data: Record<string, string>): void => {
    const key = `${file}:${place.location.startLine}:${place.location.startColumn}`;
    if ((credentials ? 'credentials' : 'permissive') !== kind || reported.has(key)) return;
    reported.add(key);
    context.report({ file, location: place.location, messageId: 'anyOrigin', data, fingerprintKey: place.fingerprintKey });
  };

  for (const { file, facts } of all) {
    for (const fact of facts) {
      if (fact.kind === 'use') {
        const found = findExport(context, exportsByFile, file, fact.specifier, fact.path, 0);
        if (!found) continue;
        const { file: target, fact: match } = found;
        if (match.origin === null) {
          report(file, fact.place, match.credentials, { subject: fact.subject, origin: 'no origin option', reach: EVERY_ORIGIN });
        } else if (!match.reported) {
          report(target, match.place, match.credentials, { subject: fact.subject, origin: match.origin, reach: match.reach });
        }
      } else if (fact.kind === 'origin') {
        const value = resolveImportedValue(context, file, fact.specifier, fact.path, 0);
        const verdict = value ? classifyOriginValue(value) : undefined;
        if (verdict?.verdict === 'any') report(file, fact.place, fact.credentials, { subject: fact.subject, origin: verdict.description, reach: verdict.reach });
      }
    }
  }
}

/** Finds the export fact an import refers to, through `export * from` and `export { name } from`. */
function findExport(
  context: ProjectContext,
  exportsByFile: ReadonlyMap<string, ExportFact[]>,
  fromFile: string,
  specifier: string,
  importPath: readonly string[],
  hops: number,
): { file: string; fact: ExportFact } | undefined {
  const file = context.resolver.resolve(fromFile, specifier);
  if (!file || hops > MAX_IMPORT_HOPS) return undefined;
  const exportPath = importPath.length > 0 ? importPath : ['default'];
  const fact = exportsByFile.get(file)?.find((entry) => entry.paths.some((path) => isSamePath(path, exportPath)));
  if (fact) return { file, fact };
  const [name = 'default', ...rest] = exportPath;
  for (const reexport of context.summary(file)?.reexports ?? []) {
    const original = reexport.names ? reexport.names[name] : name;
    if (original === undefined || original === '*') continue;
    const found = findExport(context, exportsByFile, file, reexport.specifier, [original, ...rest], hops + 1);
    if (found) return found;
  }
  return undefined;
}

function isSamePath(left: readonly string[], right: readonly string[]): boolean {
  return left.length === right.length && left.every((step, index) => step === right[index]);
}

/** Resolves the value an import denotes from the exporting module's summary, through re-exported constants. */
function resolveImportedValue(
  context: ProjectContext,
  fromFile: string,
  specifier: string,
  path: readonly string[],
  hops: number,
): Value | undefined {
  if (hops > MAX_IMPORT_HOPS) return undefined;
  const file = context.resolver.resolve(fromFile, specifier);
  const summary = file ? context.summary(file) : undefined;
  if (!file || !summary) return undefined;
  const [name = 'default', ...rest] = path;
  const exported = summary.exports[name];
  if (!exported) return undefined;
  let value: Value | undefined = exported.value;
  if (value.kind === 'import') value = resolveImportedValue(context, file, value.specifier, value.path, hops + 1);
  for (const step of rest) value = value && memberOf(value, step);
  return value;
}
