import { ts } from '../../typescript.js';
import { isFunctionNode } from '../../analysis/syntax.js';
import type { RuleContext, Visitors } from '../rule.js';

/**
 * The nodes of one file that the application rules (rate limits, security
 * headers, CORS, cookies, sessions, CSP) read, gathered once while the engine
 * walks the file. Each group of node kinds is subscribed to by the first of
 * these rules that needs it, so a node costs one visitor call however many of
 * the rules run; the rules then read the lists in `onEnd`.
 */
export type NodeGroup = 'invocations' | 'classes' | 'properties' | 'objects' | 'assignments' | 'returns';

/**
 * Lists in walk order, which is source order with an outer node before the
 * nodes inside it, so each list is sorted by `pos` and the nodes inside a
 * given node form one run of it.
 */
export class FileNodes {
  /** Calls and `new` expressions. */
  readonly invocations: Array<ts.CallExpression | ts.NewExpression> = [];
  readonly calls: ts.CallExpression[] = [];
  readonly newExpressions: ts.NewExpression[] = [];
  readonly classes: ts.ClassDeclaration[] = [];
  readonly properties: ts.PropertyAssignment[] = [];
  readonly objects: ts.ObjectLiteralExpression[] = [];
  /** Assignments with `=`. */
  readonly assignments: ts.BinaryExpression[] = [];
  readonly returns: ts.ReturnStatement[] = [];
  /** Every node of the lists above, for rules that act in walk order across kinds. */
  readonly ordered: ts.Node[] = [];
  readonly claimed = new Set<NodeGroup>();
}

const gathered = new WeakMap<ts.SourceFile, FileNodes>();

/**
 * Returns the shared lists of the file, and the visitors that fill the groups
 * no rule has subscribed to yet. A rule must return these visitors from
 * `create` and read the lists only once the walk has ended.
 */
export function gatherNodes(context: RuleContext, groups: readonly NodeGroup[]): { nodes: FileNodes; visitors: Visitors } {
  let nodes = gathered.get(context.sourceFile);
  if (!nodes) {
    nodes = new FileNodes();
    gathered.set(context.sourceFile, nodes);
  }
  const target = nodes;
  const visitors: Visitors = {};
  for (const group of groups) {
    if (target.claimed.has(group)) continue;
    target.claimed.add(group);
    switch (group) {
      case 'invocations':
        visitors.CallExpression = (node) => {
          target.invocations.push(node);
          target.calls.push(node);
          target.ordered.push(node);
        };
        visitors.NewExpression = (node) => {
          target.invocations.push(node);
          target.newExpressions.push(node);
          target.ordered.push(node);
        };
        break;
      case 'classes':
        visitors.ClassDeclaration = (node) => {
          target.classes.push(node);
          target.ordered.push(node);
        };
        break;
      case 'properties':
        visitors.PropertyAssignment = (node) => {
          target.properties.push(node);
          target.ordered.push(node);
        };
        break;
      case 'objects':
        visitors.ObjectLiteralExpression = (node) => {
          target.objects.push(node as ts.ObjectLiteralExpression);
          target.ordered.push(node);
        };
        break;
      case 'assignments':
        visitors.BinaryExpression = (node) => {
          if (node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
          target.assignments.push(node);
          target.ordered.push(node);
        };
        break;
      case 'returns':
        visitors.ReturnStatement = (node) => {
          target.returns.push(node as ts.ReturnStatement);
          target.ordered.push(node);
        };
        break;
    }
  }
  return { nodes: target, visitors };
}

/** Index of the first node of a list sorted by `pos` that starts at or after `pos`. */
function lowerBound(list: readonly ts.Node[], pos: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (list[middle]!.pos < pos) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The nodes of a list that are `container` itself or inside it, in walk order. */
export function nodesWithin<T extends ts.Node>(list: readonly T[], container: ts.Node): T[] {
  const found: T[] = [];
  const end = container.end;
  for (let index = lowerBound(list, container.pos); index < list.length; index++) {
    const node = list[index]!;
    if (node.pos >= end) break;
    // An outer node that starts where the container starts comes first; it does not end inside.
    if (node.end <= end) found.push(node);
  }
  return found;
}

/**
 * The expressions a function returns, not counting nested functions and
 * classes, from the file's return statements.
 */
export function returnedExpressions(nodes: FileNodes, fn: ts.FunctionLikeDeclaration): ts.Expression[] {
  const body = fn.body;
  if (!body) return [];
  if (!ts.isBlock(body)) return [body];
  const returned: ts.Expression[] = [];
  for (const statement of nodesWithin(nodes.returns, body)) {
    if (statement.expression && ownerOf(statement) === fn) returned.push(statement.expression);
  }
  return returned;
}

/** The function or class a return statement belongs to. */
function ownerOf(node: ts.Node): ts.Node | undefined {
  let current = node.parent;
  while (current && !isFunctionNode(current) && !ts.isClassLike(current)) current = current.parent;
  return current;
}
