/** One `KEY=value` entry of a `.env` file, with the value's place in the file's text. */
export interface EnvEntry {
  key: string;
  value: string;
  /** Offsets of the value in the text, without quotes. */
  start: number;
  end: number;
}

const ASSIGNMENT = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*/;

/**
 * Reads the entries of a `.env` file as dotenv does: `export` prefixes,
 * single, double and backtick quotes (double and backtick quotes may span
 * lines, as PEM keys do), and `#` comments after unquoted values.
 */
export function parseEnvFile(text: string): EnvEntry[] {
  const entries: EnvEntry[] = [];
  // A byte-order mark before the first name would hide the first variable.
  let offset = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (offset < text.length) {
    const lineEnd = findLineEnd(text, offset);
    const line = text.slice(offset, lineEnd);
    const match = ASSIGNMENT.exec(line);
    if (!match) {
      offset = skipNewline(text, lineEnd);
      continue;
    }
    const valueStart = offset + match[0].length;
    const quote = text[valueStart];
    if (quote === '"' || quote === "'" || quote === '`') {
      const close = findClosingQuote(text, valueStart + 1, quote);
      if (close !== -1) {
        entries.push({ key: match[1]!, value: text.slice(valueStart + 1, close), start: valueStart + 1, end: close });
        offset = skipNewline(text, findLineEnd(text, close));
        continue;
      }
    }
    const raw = text.slice(valueStart, lineEnd);
    const comment = raw.search(/(^|[ \t])#/);
    const value = (comment === -1 ? raw : raw.slice(0, comment)).trimEnd();
    entries.push({ key: match[1]!, value, start: valueStart, end: valueStart + value.length });
    offset = skipNewline(text, lineEnd);
  }
  return entries;
}

function findLineEnd(text: string, from: number): number {
  const newline = text.slice(from).search(/\r\n|\r|\n/);
  return newline === -1 ? text.length : from + newline;
}

function skipNewline(text: string, at: number): number {
  if (text.startsWith('\r\n', at)) return at + 2;
  return at + 1;
}

/** Returns the closing quote's offset. Single quotes end on their own line, as in dotenv. */
function findClosingQuote(text: string, from: number, quote: string): number {
  for (let index = from; index < text.length; index++) {
    const character = text[index];
    if (character === '\\' && quote === '"') {
      index++;
      continue;
    }
    if (character === quote) return index;
    if (quote === "'" && (character === '\n' || character === '\r')) return -1;
  }
  return -1;
}
