import type { ts } from '../../typescript.js';
import type { ProjectFinding, ReportTarget } from '../rule.js';

/** The place of a project-step finding, recorded by the per-file step: a location and a fingerprint key. */
export interface FactPlace {
  location: ProjectFinding['location'];
  /** The reported line with its whitespace collapsed, so the fingerprint survives line shifts. */
  key: string;
}

/** Computes the 1-based location of a report target, for facts the project step turns into findings. */
export function getFactPlace(sourceFile: ts.SourceFile, target: ReportTarget): FactPlace {
  const start = 'kind' in target ? target.getStart(sourceFile) : target.start;
  const end = 'kind' in target ? target.getEnd() : target.end;
  const begin = sourceFile.getLineAndCharacterOfPosition(start);
  const finish = sourceFile.getLineAndCharacterOfPosition(Math.max(start, end));
  const lineStart = sourceFile.getPositionOfLineAndCharacter(begin.line, 0);
  const lineEnd = sourceFile.getLineEndOfPosition(start);
  return {
    location: {
      startLine: begin.line + 1,
      startColumn: begin.character + 1,
      endLine: finish.line + 1,
      endColumn: finish.character + 1,
    },
    key: sourceFile.text.slice(lineStart, lineEnd).trim().replace(/\s+/g, ' '),
  };
}
