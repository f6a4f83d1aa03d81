// Turns an osu! chat message into display text plus links, understanding every link syntax osu! clients send.
// Pure: no DOM, no I/O, linear time on any input, and it never throws.
import {
  classifyLink,
  type LinkKind,
  type LinkTarget,
  parseWebsiteRoot,
  type WebsiteRoot,
} from './links/classifyLink.js';
import {
  type Candidate,
  type MatchContext,
  type Matcher,
  matchBareUrl,
  matchChannel,
  matchMarkdown,
  matchNewFormat,
  matchOldFormat,
  matchWiki,
  schemeLengthAt,
} from './links/linkFormats.js';
import { buildScanTables } from './links/scanTables.js';

export type { LinkKind } from './links/classifyLink.js';

/** One link in a parsed message. Offsets are JavaScript string indices into `ParsedMessage.text`. */
export interface MessageLink extends LinkTarget {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
  /** The URL as written (wiki links and `#channel` names get the URL osu! gives them). */
  readonly url: string;
  readonly kind: LinkKind;
  /** A markdown link's `"title"`, when it has one. */
  readonly title?: string;
}

/** A message ready to display: `text` with link syntax replaced by labels, and the links, sorted. */
export interface ParsedMessage {
  readonly text: string;
  readonly links: readonly MessageLink[];
}

export interface ParseMessageOptions {
  /** The osu! website whose URLs are classified (beatmaps, wiki, …). Default `https://osu.ppy.sh`. */
  readonly websiteRoot?: string;
}

interface Pass {
  /** Cheap test of the character a match must start with, so matchers run only where they could match. */
  readonly startsAt: (src: string, at: number) => boolean;
  readonly match: Matcher;
}

const at = (char: string) => (src: string, index: number) => src[index] === char;

// osu!'s precedence: each format claims its matches before the next one looks, and a later match may not
// overlap an earlier one. So `[https://x [[not wiki]]]` is one link whose label keeps its `[[…]]`.
const PASSES: readonly Pass[] = [
  { startsAt: at('['), match: matchNewFormat },
  { startsAt: at('['), match: matchMarkdown },
  { startsAt: at('('), match: matchOldFormat },
  { startsAt: at('['), match: matchWiki },
  { startsAt: (src, index) => schemeLengthAt(src, index) > 0, match: matchBareUrl },
  { startsAt: at('#'), match: matchChannel },
];

/**
 * Parses an osu! chat message into display text and links: bare `http(s)://`, `osu://` and `osump://` URLs,
 * `[[Wiki page]]`, the old `(label)[url]`, the new `[url label]`, markdown `[label](url "title")` and `#channel`
 * names. Each link is classified from osu!'s URL shapes; links under `websiteRoot` are recognised.
 *
 * @example
 * const { text, links } = parseMessage('is listening to [https://osu.ppy.sh/b/123 Artist - Title [Insane]]');
 * // text: 'is listening to Artist - Title [Insane]'
 * // links: [{ start: 16, end: 39, url: 'https://osu.ppy.sh/b/123', kind: 'beatmap', beatmapId: 123 }]
 */
export function parseMessage(content: string, options: ParseMessageOptions = {}): ParsedMessage {
  const src = typeof content === 'string' ? content : '';
  const rootOption = options?.websiteRoot; // `?.`: untyped callers pass null
  const root = parseWebsiteRoot(
    typeof rootOption === 'string' && rootOption.trim() !== '' ? rootOption : 'https://osu.ppy.sh',
  );
  if (src === '') return { text: '', links: [] };
  try {
    return assemble(src, findLinks(src, root), root);
  } catch {
    // Unreachable as far as the tests can tell (a property test feeds it arbitrary strings), but this runs in
    // every message render: showing the raw text beats breaking the message list.
    return { text: src, links: [] };
  }
}

/** Runs the passes in osu!'s order; each claims non-overlapping source ranges the later ones must avoid. */
function findLinks(src: string, root: WebsiteRoot): Candidate[] {
  const tables = buildScanTables(src);
  // claimEnd[i] is the end of the claimed link starting at i, or -1: claims never overlap, so a left-to-right
  // walk always meets a claim at its start and can jump over it.
  const claimEnd = new Int32Array(src.length).fill(-1);
  const candidates: Candidate[] = [];
  for (const pass of PASSES) {
    const nextClaim = nextClaimStarts(claimEnd);
    let index = 0;
    while (index < src.length) {
      const claimed = claimEnd[index] as number;
      if (claimed >= 0) {
        index = claimed;
        continue;
      }
      const limit = nextClaim[index] as number;
      const context: MatchContext | null = pass.startsAt(src, index)
        ? { src, tables, limit, wikiOrigin: root.origin }
        : null;
      const found = context ? pass.match(index, context) : null;
      if (found && found.end > found.start && found.end <= limit) {
        candidates.push(found);
        claimEnd[index] = found.end;
        index = found.end;
      } else index += 1;
    }
  }
  return candidates;
}

/** For each position, where the next claimed link starts (or the message length). */
function nextClaimStarts(claimEnd: Int32Array): Int32Array {
  const next = new Int32Array(claimEnd.length + 1);
  next[claimEnd.length] = claimEnd.length;
  for (let i = claimEnd.length - 1; i >= 0; i -= 1)
    next[i] = (claimEnd[i] as number) >= 0 ? i : (next[i + 1] as number);
  return next;
}

/** Builds the display text from the source and its claimed links, and places each link in it. */
function assemble(src: string, candidates: Candidate[], root: WebsiteRoot): ParsedMessage {
  candidates.sort((a, b) => a.start - b.start);
  const pieces: string[] = [];
  const links: MessageLink[] = [];
  let copied = 0;
  let length = 0;
  for (const candidate of candidates) {
    const between = src.slice(copied, candidate.start);
    pieces.push(between, candidate.label);
    length += between.length;
    links.push({
      ...classifyLink(candidate.url, root),
      start: length,
      end: length + candidate.label.length,
      url: candidate.url,
      ...(candidate.title === undefined ? {} : { title: candidate.title }),
    });
    length += candidate.label.length;
    copied = candidate.end;
  }
  pieces.push(src.slice(copied));
  return { text: pieces.join(''), links };
}
