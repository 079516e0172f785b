import { ts } from 'ts-morph';
import type { FileSemantics } from '../analysis/semantics.js';
import { CALL } from '../analysis/origin.js';
import type { ReportTarget } from '../rules/rule.js';
import type { Location } from '../types.js';
import type { CallFact } from './facts.js';

const MAX_FACTS = 200;

/**
 * Finds the calls of this file that hand request data, or a parameter of an
 * exported function, to a function of another project module. The project
 * step follows them into that module's parameter sinks.
 */
export function collectCallFacts(
  sem: FileSemantics,
  calls: readonly ts.CallExpression[],
  exportedFunctions: ReadonlyMap<ts.Node, string[]>,
  locate: (target: ReportTarget) => Location,
): CallFact[] {
  const facts: CallFact[] = [];
  for (const call of calls) {
    if (call.arguments.length === 0) continue;
    const origin = sem.originOf(call.expression);
    if (origin.root.kind !== 'module' || !sem.isProjectSpecifier(origin.root.specifier)) continue;
    const path = origin.path.filter((step) => step !== CALL);
    const specifier = origin.root.specifier;
    call.arguments.forEach((argument, index) => {
      if (facts.length >= MAX_FACTS || ts.isSpreadElement(argument)) return;
      for (const leaf of sem.flowOf(argument)) {
        if (leaf.kind === 'source' && leaf.source === 'request') {
          facts.push({ specifier, path, index, call: locate(call), from: { kind: 'source', label: leaf.label, location: locate(leaf.node) } });
        } else if (leaf.kind === 'parameter') {
          const exportPath = exportedFunctions.get(leaf.fn);
          if (exportPath) facts.push({ specifier, path, index, call: locate(call), from: { kind: 'parameter', exportPath, index: leaf.index } });
        }
      }
    });
  }
  return facts;
}
