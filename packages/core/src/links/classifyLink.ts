// What an osu! link points at, read from osu!'s URL shapes. The website's routes and the game's `osu://` and
// `osump://` protocols are the only inputs; anything not recognised is `external` and keeps its URL untouched.

/** What a link in a chat message opens. */
export type LinkKind =
  | 'beatmap'
  | 'beatmapset'
  | 'channel'
  | 'multiplayer'
  | 'wiki'
  | 'changelog'
  | 'external';

/** A link's kind and the ids or names it carries (only the fields its kind uses are set). */
export interface LinkTarget {
  readonly kind: LinkKind;
  readonly beatmapId?: number;
  readonly beatmapsetId?: number;
  /** Channel name as osu! spells it, with its `#` (e.g. `#osu`). */
  readonly channel?: string;
  /** Stable (osu! classic) multiplayer match id, as in `osump://{id}` and `/community/matches/{id}`. */
  readonly matchId?: number;
  /** Wiki path after `/wiki/`, decoded (e.g. `en/Ranking_criteria`, `Beginner's_guide`). */
  readonly wikiPath?: string;
  /** `{}` for the changelog index; a stream and/or build for a stream listing or a build page. */
  readonly changelog?: { readonly stream?: string; readonly build?: string };
}

/** The website a message's links are matched against: host (with port) and an optional path prefix. */
export interface WebsiteRoot {
  /** Origin used to build wiki URLs, e.g. `https://osu.ppy.sh`. */
  readonly origin: string;
  /** Lower-cased `host[:port]`. */
  readonly host: string;
  /** Path the site lives under, without a trailing slash; usually `''`. */
  readonly pathPrefix: string;
}

/** Reads a website root such as `https://osu.ppy.sh`, `http://127.0.0.1:7270/` or a bare `osu.ppy.sh`. */
export function parseWebsiteRoot(root: string): WebsiteRoot {
  const trimmed = root.trim().replace(/\/+$/, '');
  const schemeEnd = trimmed.indexOf('://');
  const scheme = schemeEnd > 0 ? trimmed.slice(0, schemeEnd).toLowerCase() : 'https';
  const rest = schemeEnd > 0 ? trimmed.slice(schemeEnd + 3) : trimmed;
  const slash = rest.indexOf('/');
  const host = (slash === -1 ? rest : rest.slice(0, slash)).toLowerCase();
  const pathPrefix = slash === -1 ? '' : rest.slice(slash);
  return { origin: `${scheme}://${host}${pathPrefix}`, host, pathPrefix };
}

interface UrlParts {
  readonly scheme: string;
  readonly authority: string;
  readonly path: string;
  readonly query: string;
  readonly fragment: string;
}

/** Splits `scheme://authority/path?query#fragment` without normalising anything (no `URL`: it rewrites input). */
function splitUrl(url: string): UrlParts | null {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd <= 0) return null;
  const rest = url.slice(schemeEnd + 3);
  const hash = rest.indexOf('#');
  const beforeHash = hash === -1 ? rest : rest.slice(0, hash);
  const question = beforeHash.indexOf('?');
  const beforeQuery = question === -1 ? beforeHash : beforeHash.slice(0, question);
  const slash = beforeQuery.indexOf('/');
  return {
    scheme: url.slice(0, schemeEnd).toLowerCase(),
    authority: slash === -1 ? beforeQuery : beforeQuery.slice(0, slash),
    path: slash === -1 ? '' : beforeQuery.slice(slash),
    query: question === -1 ? '' : beforeHash.slice(question + 1),
    fragment: hash === -1 ? '' : rest.slice(hash + 1),
  };
}

/** A numeric id at the start of a path segment; `123&m=0` (old site) counts, `123abc` does not. */
function idOf(segment: string | undefined): number | undefined {
  const match = segment === undefined ? null : /^(\d{1,15})(?![0-9A-Za-z])/.exec(segment);
  return match ? Number(match[1]) : undefined;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const EXTERNAL: LinkTarget = { kind: 'external' };

/**
 * Classifies a URL found in a chat message: website links under `root` by osu-web's routes, `osu://` actions,
 * `osump://` invites. Never throws.
 *
 * @example
 * classifyLink('https://osu.ppy.sh/beatmapsets/123#osu/456', parseWebsiteRoot('https://osu.ppy.sh'));
 * // → { kind: 'beatmap', beatmapId: 456, beatmapsetId: 123 }
 */
export function classifyLink(url: string, root: WebsiteRoot): LinkTarget {
  const parts = splitUrl(url);
  if (!parts) return EXTERNAL;
  switch (parts.scheme) {
    case 'osump': {
      const matchId = idOf(parts.authority);
      return matchId === undefined ? EXTERNAL : { kind: 'multiplayer', matchId };
    }
    case 'osu':
      return classifyGameAction(parts);
    case 'http':
    case 'https':
      return classifyWebsite(parts, root);
    default:
      return EXTERNAL;
  }
}

/**
 * `osu://{action}/{argument}`. Actions the chat UI cannot act on itself (`edit`, `spectate`, `u`, …) stay
 * `external`: handing the URL to the browser opens the game through its protocol handler, which is right.
 */
function classifyGameAction(parts: UrlParts): LinkTarget {
  const argument = `${parts.path.slice(1)}${parts.fragment === '' ? '' : `#${parts.fragment}`}`;
  switch (parts.authority.toLowerCase()) {
    case 'chan': {
      // `osu://chan/#english`: the `#` starts a "fragment" to a URL parser, but it is the channel name.
      const name = argument.split('/')[0] ?? '';
      if (name.replace(/^#/, '') === '') return EXTERNAL;
      return { kind: 'channel', channel: name.startsWith('#') ? name : `#${name}` };
    }
    case 'b': {
      const beatmapId = idOf(argument);
      return beatmapId === undefined ? EXTERNAL : { kind: 'beatmap', beatmapId };
    }
    case 's':
    case 'dl': {
      const beatmapsetId = idOf(argument);
      return beatmapsetId === undefined ? EXTERNAL : { kind: 'beatmapset', beatmapsetId };
    }
    default:
      return EXTERNAL;
  }
}

function classifyWebsite(parts: UrlParts, root: WebsiteRoot): LinkTarget {
  if (parts.authority.toLowerCase() !== root.host) return EXTERNAL;
  if (root.pathPrefix !== '' && !`${parts.path}/`.startsWith(`${root.pathPrefix}/`)) return EXTERNAL;
  const segments = parts.path
    .slice(root.pathPrefix.length)
    .split('/')
    .filter((segment) => segment !== '');
  const [section, first, second] = segments;
  switch (section) {
    case 'b':
    case 'beatmaps': {
      const beatmapId = idOf(first);
      return beatmapId === undefined ? EXTERNAL : { kind: 'beatmap', beatmapId };
    }
    case 's':
    case 'd':
    case 'beatmapsets': {
      const beatmapsetId = idOf(first);
      if (beatmapsetId === undefined) return EXTERNAL; // e.g. /beatmapsets/discussions
      // `/beatmapsets/{set}#{mode}/{beatmap}` is how the site links one difficulty.
      const fragmentBeatmap = /^[a-z]+\/(\d{1,15})$/.exec(parts.fragment)?.[1];
      const beatmapId = fragmentBeatmap !== undefined ? Number(fragmentBeatmap) : idOf(second);
      return beatmapId === undefined
        ? { kind: 'beatmapset', beatmapsetId }
        : { kind: 'beatmap', beatmapId, beatmapsetId };
    }
    case 'community':
    case 'mp': {
      const matchId = section === 'mp' ? idOf(first) : first === 'matches' ? idOf(second) : undefined;
      return matchId === undefined ? EXTERNAL : { kind: 'multiplayer', matchId };
    }
    case 'wiki':
      return segments.length > 1 ? { kind: 'wiki', wikiPath: decode(segments.slice(1).join('/')) } : EXTERNAL;
    case 'home':
      return first === 'changelog'
        ? { kind: 'changelog', changelog: changelogOf(segments.slice(2), parts) }
        : EXTERNAL;
    default:
      return EXTERNAL;
  }
}

/**
 * `/home/changelog[/{stream}/{build}]`. A single segment is a build version (`/home/changelog/2024.1009.1`,
 * osu-web's `changelog.show`) when it starts with a digit, otherwise a stream; `?stream=` also names a stream.
 */
function changelogOf(rest: string[], parts: UrlParts): { stream?: string; build?: string } {
  const [a, b] = rest.map(decode);
  if (a !== undefined && b !== undefined) return { stream: a, build: b };
  if (a !== undefined) return /^\d/.test(a) ? { build: a } : { stream: a };
  const stream = /(?:^|&)stream=([^&]+)/.exec(parts.query)?.[1];
  return stream === undefined ? {} : { stream: decode(stream) };
}
