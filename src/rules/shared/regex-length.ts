/**
 * Returns the length of the shortest text a regular expression accepts, for
 * judging password patterns such as `^(?=.*\d)(?=.*[a-z]).{6,}$`.
 * Lookarounds, anchors and word boundaries take no characters, while a class,
 * an escape or `.` takes one. Quantifiers multiply by their lower bound, and
 * alternation takes the shortest branch. Back-references count as empty,
 * which can only make the result smaller than the truth.
 */
export function getRegexMinLength(source: string): number {
  const parser = new Parser(source);
  return parser.parseAlternation();
}

/** True when a pattern must match the whole text: `^...$`, so its length bounds the text's length. */
export function isAnchored(source: string): boolean {
  return source.startsWith('^') && /(^|[^\\])\$$/.test(source);
}

class Parser {
  private index = 0;

  constructor(private readonly source: string) {}

  parseAlternation(): number {
    let best = this.parseSequence();
    while (this.peek() === '|') {
      this.index++;
      best = Math.min(best, this.parseSequence());
    }
    return best;
  }

  private parseSequence(): number {
    let total = 0;
    while (this.index < this.source.length && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.parseAtom();
      total += atom * this.parseQuantifier();
    }
    return total;
  }

  /** Returns the shortest length of one atom: a group, a class, an escape or a character. */
  private parseAtom(): number {
    const char = this.source[this.index++]!;
    switch (char) {
      case '^':
      case '$':
        return 0;
      case '(': {
        const lookaround = /^\?(=|!|<=|<!)/.exec(this.source.slice(this.index));
        if (lookaround) this.index += lookaround[0].length;
        else if (this.source.startsWith('?:', this.index)) this.index += 2;
        else if (this.source.startsWith('?<', this.index)) this.index = this.source.indexOf('>', this.index) + 1;
        const inner = this.parseAlternation();
        if (this.peek() === ')') this.index++;
        return lookaround ? 0 : inner;
      }
      case '[':
        this.skipClass();
        return 1;
      case '\\': {
        const escaped = this.source[this.index++] ?? '';
        if (escaped === 'b' || escaped === 'B') return 0;
        if (/[1-9]/.test(escaped)) return 0;
        if (escaped === 'u' && this.peek() === '{') this.index = this.source.indexOf('}', this.index) + 1;
        else if (escaped === 'u') this.index += 4;
        else if (escaped === 'x') this.index += 2;
        else if ((escaped === 'p' || escaped === 'P') && this.peek() === '{')
          this.index = this.source.indexOf('}', this.index) + 1;
        return 1;
      }
      default:
        return 1;
    }
  }

  private skipClass(): void {
    while (this.index < this.source.length) {
      const char = this.source[this.index++];
      if (char === '\\') this.index++;
      else if (char === ']') return;
    }
  }

  /** Returns the lower bound of a quantifier after an atom, or 1 when there is none. */
  private parseQuantifier(): number {
    const char = this.peek();
    let minimum = 1;
    if (char === '*' || char === '?') {
      this.index++;
      minimum = 0;
    } else if (char === '+') {
      this.index++;
    } else if (char === '{') {
      const match = /^\{(\d+)(,\d*)?\}/.exec(this.source.slice(this.index));
      if (!match) return 1;
      this.index += match[0].length;
      minimum = Number(match[1]);
    } else {
      return 1;
    }
    if (this.peek() === '?' || this.peek() === '+') this.index++;
    return minimum;
  }

  private peek(): string | undefined {
    return this.source[this.index];
  }
}
