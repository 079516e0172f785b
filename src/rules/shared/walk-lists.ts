import { ts } from '../../typescript.js';
import { getMemberName, propertyNameText, skipOuterExpressions } from '../../analysis/syntax.js';
import type { RuleContext, Visitors } from '../rule.js';

/**
 * The nodes of one file that the injection, JWT, cryptography and
 * configuration rules read, gathered once while the engine walks the file.
 * The first of these rules that requests a group subscribes to its node
 * kinds, so a node costs one visitor call however many rules read it. Every
 * rule reads the lists in `onEnd`, once the walk is over.
 *
 * A rule that asks for lists must return the visitors it is given, and no
 * visitor of its own that can throw: the engine stops calling the visitors
 * of a rule that failed, and the lists of the other rules would stop growing.
 */
export type WalkGroup =
  | 'invocations'
  | 'assignments'
  | 'comparisons'
  | 'properties'
  | 'methods'
  | 'strings'
  | 'jsxAttributes'
  | 'decorators'
  | 'variables'
  | 'classes';

export type TextNode = ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateExpression;

/** Nodes of some kinds in walk order, each with its place in the walk among every gathered node. */
export class NodeList<T extends ts.Node> {
  readonly nodes: T[] = [];
  /** The place of each node in the walk, at the same index as in `nodes`. */
  readonly order: number[] = [];
}

export class WalkLists {
  /** Calls and `new` expressions. */
  readonly invocations = new NodeList<ts.CallExpression | ts.NewExpression>();
  readonly calls = new NodeList<ts.CallExpression>();
  /** The name each call invokes, as {@link calleeName} gives it, at the same index as in `calls`. */
  readonly callNames: Array<string | undefined> = [];
  /** Assignments with `=` or `+=`. */
  readonly assignments = new NodeList<ts.BinaryExpression>();
  /** Comparisons with `<`, `<=`, `>` or `>=`. */
  readonly comparisons = new NodeList<ts.BinaryExpression>();
  /** Property assignments and shorthand properties of object literals. */
  readonly properties = new NodeList<ts.PropertyAssignment | ts.ShorthandPropertyAssignment>();
  /** The static name of each property, at the same index as in `properties`. */
  readonly propertyNames: Array<string | undefined> = [];
  readonly methods = new NodeList<ts.MethodDeclaration>();
  /** String literals and template literals, with and without substitutions. */
  readonly strings = new NodeList<TextNode>();
  readonly jsxAttributes = new NodeList<ts.JsxAttribute>();
  readonly decorators = new NodeList<ts.Decorator>();
  readonly variables = new NodeList<ts.VariableDeclaration>();
  readonly classes = new NodeList<ts.ClassDeclaration>();
  readonly claimed = new Set<WalkGroup>();
  /** How many nodes have been gathered, which gives each the next place in the walk. */
  gathered = 0;
}

const lists = new WeakMap<ts.SourceFile, WalkLists>();

/** The lists of a file, if a rule asked for some. */
export function getWalkLists(sourceFile: ts.SourceFile): WalkLists | undefined {
  return lists.get(sourceFile);
}

/**
 * Returns the lists of the file, and the visitors that fill the groups no
 * rule has subscribed to yet. Call it last in `create`, and return the visitors.
 */
export function gatherWalkLists(context: RuleContext, groups: readonly WalkGroup[]): { lists: WalkLists; visitors: Visitors } {
  let target = lists.get(context.sourceFile);
  if (!target) {
    target = new WalkLists();
    lists.set(context.sourceFile, target);
  }
  const into = target;
  const add = <T extends ts.Node>(list: NodeList<T>, node: T): void => {
    list.nodes.push(node);
    list.order.push(into.gathered++);
  };
  const visitors: Visitors = {};
  let assignments = false;
  let comparisons = false;
  for (const group of groups) {
    if (into.claimed.has(group)) continue;
    into.claimed.add(group);
    switch (group) {
      case 'invocations':
        visitors.CallExpression = (node) => {
          into.calls.nodes.push(node);
          into.calls.order.push(into.gathered);
          into.callNames.push(calleeName(node.expression));
          add(into.invocations, node);
        };
        visitors.NewExpression = (node) => add(into.invocations, node);
        break;
      case 'assignments':
        assignments = true;
        break;
      case 'comparisons':
        comparisons = true;
        break;
      case 'properties':
        visitors.PropertyAssignment = (node) => {
          into.propertyNames.push(propertyNameText(node.name));
          add(into.properties, node);
        };
        visitors.ShorthandPropertyAssignment = (node) => {
          into.propertyNames.push(node.name.text);
          add(into.properties, node);
        };
        break;
      case 'methods':
        visitors.MethodDeclaration = (node) => add(into.methods, node);
        break;
      case 'strings': {
        const gather = (node: TextNode): void => add(into.strings, node);
        visitors.StringLiteral = gather;
        visitors.NoSubstitutionTemplateLiteral = gather;
        visitors.TemplateExpression = gather;
        break;
      }
      case 'decorators':
        visitors.Decorator = (node) => add(into.decorators, node);
        break;
      case 'variables':
        visitors.VariableDeclaration = (node) => add(into.variables, node);
        break;
      case 'classes':
        visitors.ClassDeclaration = (node) => add(into.classes, node);
        break;
      case 'jsxAttributes':
        visitors.JsxAttribute = (node) => add(into.jsxAttributes, node);
        break;
    }
  }
  // One visitor fills both groups of binary expressions that this rule claims.
  if (assignments || comparisons) {
    visitors.BinaryExpression = (node) => {
      const operator = node.operatorToken.kind;
      if (operator === ts.SyntaxKind.EqualsToken || operator === ts.SyntaxKind.PlusEqualsToken) {
        if (assignments) add(into.assignments, node);
      } else if (
        operator === ts.SyntaxKind.LessThanToken ||
        operator === ts.SyntaxKind.LessThanEqualsToken ||
        operator === ts.SyntaxKind.GreaterThanToken ||
        operator === ts.SyntaxKind.GreaterThanEqualsToken
      ) {
        if (comparisons) add(into.comparisons, node);
      }
    };
  }
  return { lists: into, visitors };
}

/** The name a callee invokes: `f` for `f()`, `c` for `a.b.c()` and `a['c']()`. */
export function calleeName(callee: ts.Expression): string | undefined {
  const expression = skipOuterExpressions(callee);
  if (expression.kind === ts.SyntaxKind.Identifier) return (expression as ts.Identifier).text;
  return getMemberName(expression);
}

/**
 * Nodes that a rule picked from several lists, to be handled in walk order,
 * so that its findings come in the order of the code whatever their kind.
 */
export class WalkPicks {
  private readonly picked: Array<{ order: number; node: ts.Node }> = [];

  add<T extends ts.Node>(list: NodeList<T>, index: number): void {
    this.picked.push({ order: list.order[index]!, node: list.nodes[index]! });
  }

  /** Adds the nodes of a list for which `keep` holds. */
  addWhere<T extends ts.Node>(list: NodeList<T>, keep: (node: T, index: number) => boolean): void {
    const { nodes, order } = list;
    for (let index = 0; index < nodes.length; index++) {
      if (keep(nodes[index]!, index)) this.picked.push({ order: order[index]!, node: nodes[index]! });
    }
  }

  /** The picked nodes in walk order. */
  inWalkOrder(): ts.Node[] {
    return this.picked.sort((a, b) => a.order - b.order).map((pick) => pick.node);
  }
}
