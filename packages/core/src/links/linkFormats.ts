// The link syntaxes osu! chat understands, each as a matcher tried at one position of the raw message.
// Matchers read the precomputed tables (scanTables.ts) and scan only what the candidate link itself spans.
import type { ScanTables } from './scanTables.js';

/** A link found in the raw message: `[start, end)` in the source, replaced by `label` in the display text. */
export interface Candidate {
  readonly start: number;
  readonly end: number;
  readonly label: string;
  readonly url: string;
  readonly title?: string;
}

/** Everything a matcher may read; `limit` is where the next already-claimed link starts. */
export interface MatchContext {
  readonly src: string;
  readonly tables: ScanTables;
  readonly limit: number;
  /** Origin wiki links resolve against, e.g. `https://osu.ppy.sh`. */
  readonly wikiOrigin: string;
}

export type Matcher = (at: number, context: MatchContext) => Candidate | null;

// Only these schemes become links. osu!'s bracket formats take any `[a-z]+://`, but a chat UI that renders
// `javascript://…%0Aalert(1)` as a link would run it, so everything else stays text.
const SCHEMES = ['https://', 'http://', 'osump://', 'osu://'];

/** Length of the allowed `scheme://` starting at `at` (any letter case), or 0. */
export function schemeLengthAt(src: string, at: number): number {
  const first = src.charCodeAt(at) | 0x20;
  if (first !== 0x68 /* h */ && first !== 0x6f /* o */) return 0;
  const head = src.slice(at, at + 8).toLowerCase();
  for (const scheme of SCHEMES) if (head.startsWith(scheme)) return scheme.length;
  return 0;
}

const isEscaped = (src: string, at: number): boolean => at > 0 && src.charCodeAt(at - 1) === 0x5c;
const unescapeBrackets = (text: string): string => text.replace(/\\([[\]])/g, '$1');
const unescapeParens = (text: string): string => text.replace(/\\([()])/g, '$1');

/**
 * The closing partner of the opener at `at`: first with backslash escapes honoured, then without (so a label
 * that really ends in a backslash, `[C:\](…)`, still closes, as it does in osu!).
 */
function partnersOf(at: number, escaped: Int32Array, literal: Int32Array): number[] {
  const first = escaped[at] ?? -1;
  const second = literal[at] ?? -1;
  return [first, second].filter((close, index, all) => close >= 0 && all.indexOf(close) === index);
}

/** `[https://osu.ppy.sh/b/123 Artist - Title [Diff]]`: URL, one space, a label with balanced brackets. */
export const matchNewFormat: Matcher = (at, { src, tables, limit }) => {
  if (src[at] !== '[' || isEscaped(src, at)) return null;
  const schemeLength = schemeLengthAt(src, at + 1);
  if (schemeLength === 0) return null;
  const space = tables.nextSpace[at + 1] as number;
  for (const close of partnersOf(at, tables.bracketPair, tables.bracketPairLiteral)) {
    if (close >= limit || space >= close || space - (at + 1) <= schemeLength) continue;
    const label = unescapeBrackets(src.slice(space + 1, close).trim());
    if (label !== '') return { start: at, end: close + 1, label, url: src.slice(at + 1, space) };
  }
  return null;
};

/** `[label](https://… "optional title")`, the label with balanced (or backslash-escaped) brackets. */
export const matchMarkdown: Matcher = (at, { src, tables, limit }) => {
  if (src[at] !== '[' || isEscaped(src, at)) return null;
  for (const close of partnersOf(at, tables.bracketPair, tables.bracketPairLiteral)) {
    if (src[close + 1] !== '(') continue;
    const label = unescapeBrackets(src.slice(at + 1, close).trim());
    const destination = label === '' ? null : readDestination(src, close + 1, tables);
    if (destination && destination.end <= limit) return { start: at, label, ...destination };
  }
  return null;
};

/** The `(url "title")` after a markdown label; parentheses inside the URL must balance, as on Wikipedia. */
function readDestination(src: string, open: number, tables: ScanTables) {
  const close = tables.parenPairLiteral[open] ?? -1;
  const urlStart = open + 1;
  const schemeLength = schemeLengthAt(src, urlStart);
  if (close < 0 || schemeLength === 0) return null;
  const urlEnd = Math.min(tables.nextSpace[urlStart] as number, close);
  if (urlEnd - urlStart <= schemeLength) return null;
  const url = src.slice(urlStart, urlEnd);
  const rest = src.slice(urlEnd, close).trim();
  if (rest === '') return { end: close + 1, url };
  if (rest.length < 2 || !rest.startsWith('"') || !rest.endsWith('"')) return null;
  return { end: close + 1, url, title: rest.slice(1, -1).replace(/\\"/g, '"') };
}

/** The old `(label)[https://…]` format, the label with balanced (or backslash-escaped) parentheses. */
export const matchOldFormat: Matcher = (at, { src, tables, limit }) => {
  if (src[at] !== '(' || isEscaped(src, at)) return null;
  for (const close of partnersOf(at, tables.parenPair, tables.parenPairLiteral)) {
    const urlStart = close + 2;
    const schemeLength = src[close + 1] === '[' ? schemeLengthAt(src, urlStart) : 0;
    if (schemeLength === 0) continue;
    const urlEnd = Math.min(
      tables.nextSpace[urlStart] as number,
      tables.nextCloseBracket[urlStart] as number,
    );
    if (src[urlEnd] !== ']' || urlEnd >= limit || urlEnd - urlStart <= schemeLength) continue;
    const label = unescapeParens(src.slice(at + 1, close).trim());
    if (label !== '') return { start: at, end: urlEnd + 1, label, url: src.slice(urlStart, urlEnd) };
  }
  return null;
};

/** `[[Beginner's guide]]` → the wiki page of that name, spaces as underscores like the wiki's own URLs. */
export const matchWiki: Matcher = (at, { src, tables, limit, wikiOrigin }) => {
  if (src[at] !== '[' || src[at + 1] !== '[' || isEscaped(src, at)) return null;
  const close = tables.nextCloseBracket[at + 2] as number;
  if (src[close + 1] !== ']' || close + 2 > limit) return null;
  const label = src.slice(at + 2, close).trim();
  if (label === '') return null;
  return {
    start: at,
    end: close + 2,
    label,
    url: `${wikiOrigin}/wiki/${encodePath(label.replace(/ /g, '_'))}`,
  };
};

function encodePath(path: string): string {
  try {
    return encodeURI(path);
  } catch {
    return path; // a lone surrogate cannot be percent-encoded; keep the name as typed
  }
}

const HOST_CHAR = /[A-Za-z0-9._-]/;
const URL_CHAR = /[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]/;
// Dropped from the end of a bare URL: sentence punctuation around a link is not part of it.
const TRAILING = new Set(['.', ',', ':', ';', '!', '?', "'", '*', '_', '~']);

/**
 * A bare `http(s)://`, `osu://` or `osump://` URL: host, optional port, then path, query and fragment
 * characters, minus trailing punctuation and any `)` that has no `(` inside the URL.
 */
export const matchBareUrl: Matcher = (at, { src, limit }) => {
  const schemeLength = schemeLengthAt(src, at);
  if (schemeLength === 0) return null;
  const hostStart = at + schemeLength;
  if (hostStart >= limit || !/[A-Za-z0-9]/.test(src[hostStart] as string)) return null;
  let end = hostStart;
  while (end < limit && HOST_CHAR.test(src[end] as string)) end += 1;
  if (src[end] === ':' && end + 1 < limit && /\d/.test(src[end + 1] as string)) {
    end += 1;
    while (end < limit && /\d/.test(src[end] as string)) end += 1;
  }
  if (end < limit && '/?#'.includes(src[end] as string)) {
    while (end < limit && URL_CHAR.test(src[end] as string)) end += 1;
  }
  let unclosed = 0;
  for (let i = hostStart; i < end; i += 1) unclosed += src[i] === ')' ? 1 : src[i] === '(' ? -1 : 0;
  for (;;) {
    const last = src[end - 1] as string;
    if (TRAILING.has(last)) end -= 1;
    else if (last === ')' && unclosed > 0) {
      end -= 1;
      unclosed -= 1;
    } else break;
  }
  const url = src.slice(at, end);
  return { start: at, end, label: url, url };
};

/** `#osu`, `#mp_123`: a channel name after a `#` that does not continue a word (`C#`, `page#2`). */
export const matchChannel: Matcher = (at, { src, limit }) => {
  if (src[at] !== '#' || (at > 0 && /[A-Za-z0-9_&]/.test(src[at - 1] as string))) return null;
  if (!/[A-Za-z]/.test(src[at + 1] ?? '')) return null;
  let end = at + 2;
  while (end < limit && /[A-Za-z0-9_-]/.test(src[end] as string)) end += 1;
  while (end > at + 2 && /[-_]/.test(src[end - 1] as string)) end -= 1;
  if (end > limit || end - at < 3) return null; // osu! needs two characters after the `#`
  const label = src.slice(at, end);
  return { start: at, end, label, url: `osu://chan/${label}` };
};
