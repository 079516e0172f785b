import { createRequire } from 'node:module';
import type { ts as Ts } from 'ts-morph';

/**
 * The TypeScript compiler API that ts-morph bundles, loaded on first need.
 * Loading it costs about a third of a second, which a scan that takes every
 * file from the cache does not pay. Modules import `ts` from here and use it
 * only inside functions, and every entry point that parses or checks code
 * calls {@link loadTypeScript} first.
 */
export let ts = undefined as unknown as typeof Ts;

const pending: Array<() => void> = [];

/** Loads the compiler API once and returns it. */
export function loadTypeScript(): typeof Ts {
  if (ts === undefined) {
    // The copy ts-morph itself uses, resolved from ts-morph's own folder.
    const fromTsMorph = createRequire(createRequire(import.meta.url).resolve('ts-morph'));
    ts = (fromTsMorph('@ts-morph/common') as { ts: typeof Ts }).ts;
    for (const initialize of pending.splice(0)) initialize();
  }
  return ts;
}

/**
 * Runs `initialize` once the compiler API is loaded, or now if it is. Module
 * tables built from its values (syntax kinds, script kinds) are filled here.
 */
export function whenTypeScriptLoads(initialize: () => void): void {
  if (ts === undefined) pending.push(initialize);
  else initialize();
}

/** The compiler API's type names, so that `ts.Node` reads as it does with ts-morph's namespace. */
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace ts {
  export type ArrayLiteralExpression = Ts.ArrayLiteralExpression;
  export type ArrowFunction = Ts.ArrowFunction;
  export type BinaryExpression = Ts.BinaryExpression;
  export type BindingElement = Ts.BindingElement;
  export type BindingName = Ts.BindingName;
  export type Block = Ts.Block;
  export type CallExpression = Ts.CallExpression;
  export type CatchClause = Ts.CatchClause;
  export type ClassDeclaration = Ts.ClassDeclaration;
  export type ClassExpression = Ts.ClassExpression;
  export type ClassLikeDeclaration = Ts.ClassLikeDeclaration;
  export type ConditionalExpression = Ts.ConditionalExpression;
  export type ConstructorDeclaration = Ts.ConstructorDeclaration;
  export type Decorator = Ts.Decorator;
  export type Diagnostic = Ts.Diagnostic;
  export type ElementAccessExpression = Ts.ElementAccessExpression;
  export type EntityName = Ts.EntityName;
  export type EnumDeclaration = Ts.EnumDeclaration;
  export type EnumMember = Ts.EnumMember;
  export type ExportAssignment = Ts.ExportAssignment;
  export type ExportDeclaration = Ts.ExportDeclaration;
  export type Expression = Ts.Expression;
  export type FunctionDeclaration = Ts.FunctionDeclaration;
  export type FunctionExpression = Ts.FunctionExpression;
  export type FunctionLikeDeclaration = Ts.FunctionLikeDeclaration;
  export type FunctionLikeDeclarationBase = Ts.FunctionLikeDeclarationBase;
  export type Identifier = Ts.Identifier;
  export type InterfaceDeclaration = Ts.InterfaceDeclaration;
  export type JsxAttribute = Ts.JsxAttribute;
  export type MethodDeclaration = Ts.MethodDeclaration;
  export type ModuleBlock = Ts.ModuleBlock;
  export type ModuleExportName = Ts.ModuleExportName;
  export type NewExpression = Ts.NewExpression;
  export type NoSubstitutionTemplateLiteral = Ts.NoSubstitutionTemplateLiteral;
  export type Node = Ts.Node;
  export type NumericLiteral = Ts.NumericLiteral;
  export type ObjectLiteralElementLike = Ts.ObjectLiteralElementLike;
  export type ObjectLiteralExpression = Ts.ObjectLiteralExpression;
  export type ParameterDeclaration = Ts.ParameterDeclaration;
  export type ParenthesizedExpression = Ts.ParenthesizedExpression;
  export type PrefixUnaryExpression = Ts.PrefixUnaryExpression;
  export type PropertyAccessExpression = Ts.PropertyAccessExpression;
  export type PropertyAssignment = Ts.PropertyAssignment;
  export type PropertyDeclaration = Ts.PropertyDeclaration;
  export type PropertyName = Ts.PropertyName;
  export type QualifiedName = Ts.QualifiedName;
  export type RegularExpressionLiteral = Ts.RegularExpressionLiteral;
  export type ReturnStatement = Ts.ReturnStatement;
  export type ScriptKind = Ts.ScriptKind;
  export type ShorthandPropertyAssignment = Ts.ShorthandPropertyAssignment;
  export type SignatureDeclaration = Ts.SignatureDeclaration;
  export type SourceFile = Ts.SourceFile;
  export type Statement = Ts.Statement;
  export type StringLiteral = Ts.StringLiteral;
  export type StringLiteralLike = Ts.StringLiteralLike;
  export type SyntaxKind = Ts.SyntaxKind;
  export type TemplateExpression = Ts.TemplateExpression;
  export type TypeAliasDeclaration = Ts.TypeAliasDeclaration;
  export type TypeNode = Ts.TypeNode;
  export type UnionTypeNode = Ts.UnionTypeNode;
  export type VariableDeclaration = Ts.VariableDeclaration;
  export type VariableDeclarationList = Ts.VariableDeclarationList;
  export type TypeLiteralNode = Ts.TypeLiteralNode;
  export type NodeArray<T extends Ts.Node> = Ts.NodeArray<T>;
}
