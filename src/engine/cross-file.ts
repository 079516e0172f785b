import type { Rule } from '../rules/rule.js';
import type { Location, Severity } from '../types.js';
import type { ResolvedConfig } from '../config/schema.js';
import { fingerprint, formatMessage } from './analyze-file.js';
import type { CallFact, FileFinding, FileResult, ParameterSink } from './facts.js';
import type { ProjectIndex } from './project.js';

const MAX_HOPS = 6;

interface Taint {
  /** The file whose call hands the data on. */
  callerFile: string;
  fact: CallFact;
  source: { file: string; label: string; location: Location };
  steps: Array<{ location: Location; message: string }>;
  hops: number;
}

/**
 * Follows request data across modules: a call that passes request data to an
 * exported function reaches that function's parameter sinks, directly or
 * through functions that hand the parameter on to another module (a
 * controller calling a service calling a repository). Returns the findings
 * this proves, and the places whose findings they replace.
 */
export function followCallsAcrossFiles(
  results: readonly FileResult[],
  index: ProjectIndex,
  rules: readonly Rule[],
  config: ResolvedConfig,
): { findings: FileFinding[]; replaced: Set<string> } {
  const rulesById = new Map(rules.map((rule) => [rule.meta.id, rule]));
  const sinks = new Map<string, ParameterSink[]>();
  const forwards = new Map<string, CallFact[]>();
  const queue: Taint[] = [];

  for (const result of results) {
    for (const sink of result.flows.sinks) push(sinks, key(result.file, sink.exportPath, sink.index), sink);
    for (const fact of result.flows.calls) {
      if (fact.from.kind === 'parameter') {
        push(forwards, key(result.file, fact.from.exportPath, fact.from.index), fact);
      } else {
        queue.push({
          callerFile: result.file,
          fact,
          source: { file: result.file, label: fact.from.label, location: fact.from.location },
          steps: [
            { location: fact.from.location, message: `${fact.from.label} enters here.` },
            { location: fact.call, message: 'It is passed to another module here.' },
          ],
          hops: 0,
        });
      }
    }
  }

  const findings = new Map<string, FileFinding>();
  const replaced = new Set<string>();
  const visited = new Set<string>();
  while (queue.length > 0) {
    const taint = queue.shift()!;
    const target = index.locateExport(taint.callerFile, taint.fact.specifier, taint.fact.path);
    if (!target) continue;
    const targetKeys = [key(target.file, target.path, taint.fact.index)];
    if (target.path[0] === 'default' && target.path.length > 1) targetKeys.push(key(target.file, target.path.slice(1), taint.fact.index));
    for (const targetKey of targetKeys) {
      const visitKey = `${targetKey}\0${taint.source.file}:${taint.source.location.startLine}:${taint.source.location.startColumn}`;
      if (visited.has(visitKey)) continue;
      visited.add(visitKey);

      for (const sink of sinks.get(targetKey) ?? []) {
        const rule = rulesById.get(sink.ruleId);
        if (!rule) continue;
        const place = placeKey(target.file, sink.location);
        for (const replacedRule of sink.replaces) replaced.add(`${place}\0${replacedRule}`);
        if (findings.has(`${place}\0${sink.ruleId}`)) continue;
        findings.set(`${place}\0${sink.ruleId}`, toFinding(rule, sink, target.file, taint, config));
      }
      if (taint.hops >= MAX_HOPS) continue;
      for (const forward of forwards.get(targetKey) ?? []) {
        queue.push({
          callerFile: target.file,
          fact: forward,
          source: taint.source,
          steps: [...taint.steps, { location: forward.call, message: 'It is passed on here.' }],
          hops: taint.hops + 1,
        });
      }
    }
  }
  return { findings: [...findings.values()], replaced };
}

function toFinding(rule: Rule, sink: ParameterSink, file: string, taint: Taint, config: ResolvedConfig): FileFinding {
  const template = rule.meta.messages[sink.messageId] ?? sink.messageId;
  const severity: Severity = config.rules[rule.meta.id]?.severity ?? rule.meta.severity;
  const location = { ...sink.location, file };
  return {
    ruleId: rule.meta.id,
    severity,
    message: formatMessage(template, { ...sink.data, source: taint.source.label }),
    location,
    related: [{ location: taint.source.location, message: `${taint.source.label} comes from the client's request.` }],
    flow: [...taint.steps, { location, message: 'It reaches the sink here.' }],
    fingerprint: fingerprint([rule.meta.id, file, sink.fingerprintKey, 'via-call']),
  };
}

/** Identifies a place in the project, for matching findings of different rules at one sink. */
export function placeKey(file: string, location: Pick<Location, 'startLine' | 'startColumn'>): string {
  return `${file}:${location.startLine}:${location.startColumn}`;
}

function key(file: string, path: readonly string[], index: number): string {
  return `${file}\0${path.join('.')}\0${index}`;
}

function push<T>(map: Map<string, T[]>, mapKey: string, value: T): void {
  const list = map.get(mapKey);
  if (list) list.push(value);
  else map.set(mapKey, [value]);
}
