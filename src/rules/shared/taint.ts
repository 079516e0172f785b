import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import type { Leaf } from '../../analysis/flow.js';
import type { SanitizerKind } from '../../analysis/sanitizers.js';
import type { DeferredCheck } from '../../engine/facts.js';
import type { ReportDescriptor } from '../rule.js';
import { isFunctionNode } from '../../analysis/syntax.js';

type SourceLeaf = Extract<Leaf, { kind: 'source' }>;

/** How the data that reaches a sink was built. */
export interface SinkVerdict {
  /** Client data that reaches the sink, directly or through a caller in this file. */
  sources: SourceLeaf[];
  /** Parts that are neither constant nor made safe, client data included. */
  unsafe: Leaf[];
  /** Questions about imported values; the sink is safe if every one holds. */
  deferred: DeferredCheck[];
  /** Client data passed through functions of other modules, which reaches the sink if those functions return it. */
  carried: CarriedTaint;
}

/** Client data that reaches a sink only if functions of other modules return it; see {@link reportableSources}. */
export interface CarriedTaint {
  sources: SourceLeaf[];
  /** Checks that clear the data once the project is known, one for each function it passed through. */
  checks: DeferredCheck[];
}

export interface JudgeOptions {
  /** Sanitizers that make a value safe for this sink, besides numeric conversion and allowlists. */
  safe: readonly SanitizerKind[];
  /** Count schema-validated data as safe. */
  trustValidated?: boolean;
}

/**
 * Judges what reaches a sink: which parts come from a request, which parts are
 * not constant, and which depend on imported values that the project step must
 * look at. Environment variables count as trusted configuration.
 */
export function judgeSink(sem: FileSemantics, expression: ts.Expression, options: JudgeOptions): SinkVerdict {
  const verdict: SinkVerdict = { sources: [], unsafe: [], deferred: [], carried: { sources: [], checks: [] } };
  const seenCallers = new Set<ts.Node>();
  const visit = (leaves: readonly Leaf[], depth: number): void => {
    for (const leaf of leaves) {
      switch (leaf.kind) {
        case 'sanitized':
          if (isSafe(leaf.sanitizer, options)) break;
          verdict.unsafe.push(leaf);
          break;
        case 'source':
          if (leaf.source === 'env') break;
          verdict.unsafe.push(leaf);
          if (leaf.source === 'request') verdict.sources.push(leaf);
          break;
        case 'import': {
          const ref = { specifier: leaf.specifier, path: leaf.path };
          verdict.deferred.push(leaf.call ? { kind: 'sanitizer', ref, safe: [...options.safe], assume: false } : { kind: 'constant', ref, assume: false });
          const carried = (leaf.carried ?? []).filter((item) => item.source.source === 'request');
          if (carried.length === 0) break;
          verdict.carried.sources.push(...carried.map((item) => item.source));
          verdict.carried.checks.push({ kind: 'drops-arguments', ref, indexes: [...new Set(carried.map((item) => item.index))], safe: [...options.safe] });
          break;
        }
        case 'parameter': {
          verdict.unsafe.push(leaf);
          if (depth > 3 || !isFunctionNode(leaf.fn)) break;
          for (const call of sem.getLocalCallers(leaf.fn)) {
            if (seenCallers.has(call)) continue;
            seenCallers.add(call);
            const argument = call.arguments[leaf.index];
            if (!argument) continue;
            const callerLeaves = sem.flowOf(argument).map((callerLeaf) => ({
              ...callerLeaf,
              trace: [...callerLeaf.trace, call, ...leaf.trace],
            }));
            const callerSources = callerLeaves.filter(
              (callerLeaf): callerLeaf is SourceLeaf => callerLeaf.kind === 'source' && callerLeaf.source === 'request',
            );
            verdict.sources.push(...callerSources);
            if (callerSources.length > 0) continue;
            visit(callerLeaves.filter((callerLeaf) => callerLeaf.kind === 'parameter'), depth + 1);
          }
          break;
        }
        case 'unknown':
          verdict.unsafe.push(leaf);
          break;
      }
    }
  };
  visit(sem.flowOf(expression), 0);
  return verdict;
}

/**
 * The client data to report at a sink, and the checks that must all pass for
 * the finding to be dropped. Data that reaches the sink directly needs no
 * check. Data passed through functions of other modules is reported unless
 * the project step finds that none of those functions returns it.
 */
export function reportableSources(sources: readonly SourceLeaf[], carried: CarriedTaint): { sources: SourceLeaf[]; unless?: DeferredCheck[] } {
  if (sources.length > 0) return { sources: [...sources] };
  if (carried.sources.length === 0) return { sources: [] };
  return { sources: [...carried.sources], unless: [...carried.checks] };
}

function isSafe(kind: SanitizerKind, options: JudgeOptions): boolean {
  if (kind === 'number' || kind === 'allowlist') return true;
  if (kind === 'validated') return Boolean(options.trustValidated);
  return options.safe.includes(kind);
}

/** Related locations and a code flow that show where client data enters and how it reaches the sink. */
export function describeSources(
  sources: readonly SourceLeaf[],
  sink: ts.Node,
): Pick<ReportDescriptor, 'related' | 'flow'> {
  const related = dedupeByNode(sources).map((source) => ({
    node: source.node,
    message: `${source.label} comes from the client's request.`,
  }));
  const first = sources[0];
  if (!first) return { related };
  const steps = first.trace.filter((node, index, all) => all.indexOf(node) === index);
  const flow = steps.map((node, index) => ({
    node,
    message: index === 0 ? `${first.label} enters here.` : `It flows through ${shorten(node.getText())}.`,
  }));
  flow.push({ node: sink, message: 'It reaches the sink here.' });
  return { related, flow: flow.length > 2 ? flow : [] };
}

function dedupeByNode(sources: readonly SourceLeaf[]): SourceLeaf[] {
  const seen = new Set<ts.Node>();
  return sources.filter((source) => {
    if (seen.has(source.node)) return false;
    seen.add(source.node);
    return true;
  });
}

/** The label of the first client source, for messages: `req.query.id`. */
export function firstSourceLabel(sources: readonly SourceLeaf[]): string {
  return sources[0]?.label ?? 'request data';
}

export function shorten(text: string, max = 40): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
