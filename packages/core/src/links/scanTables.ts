// Lookup tables built in one linear sweep over a message, so that every link format can be tried at every
// position in constant time. This is what keeps parsing linear on hostile input (10,000 `[`, say) where a
// backtracking regex with balanced groups would go quadratic or worse.

/** Per-position tables for one message. Indices are JavaScript string indices; -1 means "none". */
export interface ScanTables {
  /** `[` → its matching `]`, nesting counted, `\[` and `\]` treated as plain text. */
  readonly bracketPair: Int32Array;
  /** As `bracketPair`, but backslashes escape nothing (osu! falls back to this: `[ends with \](url)`). */
  readonly bracketPairLiteral: Int32Array;
  /** `(` → its matching `)`, with `\(` and `\)` as plain text. */
  readonly parenPair: Int32Array;
  /** `(` → its matching `)`, backslashes ignored. */
  readonly parenPairLiteral: Int32Array;
  /** First whitespace (or control character) at or after each position; `length` when none. */
  readonly nextSpace: Int32Array;
  /** First `]` at or after each position; `length` when none. */
  readonly nextCloseBracket: Int32Array;
}

/** Whether a UTF-16 code unit ends a URL: ASCII whitespace and controls, and Unicode spaces. */
export function isSpace(code: number): boolean {
  return (
    code <= 0x20 ||
    code === 0x7f ||
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

const BACKSLASH = 0x5c;

/** Pairs `open` with `close` using a stack; unmatched openers keep -1, stray closers are ignored. */
function pairUp(src: string, open: number, close: number, honourEscapes: boolean): Int32Array {
  const pairs = new Int32Array(src.length).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < src.length; i += 1) {
    const code = src.charCodeAt(i);
    if (code !== open && code !== close) continue;
    if (honourEscapes && i > 0 && src.charCodeAt(i - 1) === BACKSLASH) continue;
    if (code === open) stack.push(i);
    else {
      const opener = stack.pop();
      if (opener !== undefined) pairs[opener] = i;
    }
  }
  return pairs;
}

/** Builds every table for `src` in O(length). */
export function buildScanTables(src: string): ScanTables {
  const n = src.length;
  const nextSpace = new Int32Array(n + 1);
  const nextCloseBracket = new Int32Array(n + 1);
  nextSpace[n] = n;
  nextCloseBracket[n] = n;
  for (let i = n - 1; i >= 0; i -= 1) {
    const code = src.charCodeAt(i);
    nextSpace[i] = isSpace(code) ? i : (nextSpace[i + 1] as number);
    nextCloseBracket[i] = code === 0x5d ? i : (nextCloseBracket[i + 1] as number);
  }
  return {
    bracketPair: pairUp(src, 0x5b, 0x5d, true),
    bracketPairLiteral: pairUp(src, 0x5b, 0x5d, false),
    parenPair: pairUp(src, 0x28, 0x29, true),
    parenPairLiteral: pairUp(src, 0x28, 0x29, false),
    nextSpace,
    nextCloseBracket,
  };
}
