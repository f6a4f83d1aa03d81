import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type MessageLink, type ParsedMessage, parseMessage } from '../index.js';

/** Each link as the reader sees it: its label in the display text, plus what it points at. */
function shown(parsed: ParsedMessage) {
  return parsed.links.map(({ start, end, ...rest }) => ({ label: parsed.text.slice(start, end), ...rest }));
}

function only(parsed: ParsedMessage): MessageLink {
  expect(parsed.links).toHaveLength(1);
  return parsed.links[0] as MessageLink;
}

describe('parseMessage: osu! link formats', () => {
  it('turns a lazer /np action into its label, nested difficulty brackets included, linked to the beatmap', () => {
    const parsed = parseMessage(
      'is listening to [https://osu.ppy.sh/beatmapsets/1154158#osu/2768184 Camellia - Exit This Earth [Evolution]]',
    );
    expect(parsed.text).toBe('is listening to Camellia - Exit This Earth [Evolution]');
    expect(shown(parsed)).toEqual([
      {
        label: 'Camellia - Exit This Earth [Evolution]',
        url: 'https://osu.ppy.sh/beatmapsets/1154158#osu/2768184',
        kind: 'beatmap',
        beatmapId: 2768184,
        beatmapsetId: 1154158,
      },
    ]);
  });

  it('reads the classic /np (old /b/ URL, mods after the link) the same way', () => {
    const parsed = parseMessage(
      'is playing [https://osu.ppy.sh/b/75 Kenji Ninuma - DISCO PRINCE [Normal]] +Hidden',
    );
    expect(parsed.text).toBe('is playing Kenji Ninuma - DISCO PRINCE [Normal] +Hidden');
    expect(shown(parsed)).toEqual([
      {
        label: 'Kenji Ninuma - DISCO PRINCE [Normal]',
        url: 'https://osu.ppy.sh/b/75',
        kind: 'beatmap',
        beatmapId: 75,
      },
    ]);
  });

  it('unescapes \\[ and \\] in a new-format label and keeps balanced brackets', () => {
    const parsed = parseMessage('This is a [https://osu.ppy.sh [link [with \\] too many brackets \\[ ]]]');
    expect(parsed.text).toBe('This is a [link [with ] too many brackets [ ]]');
    expect(only(parsed)).toMatchObject({ start: 10, end: 46, url: 'https://osu.ppy.sh', kind: 'external' });
  });

  it('links an osu!direct download (osu://dl/) to its beatmapset, bare or in brackets', () => {
    expect(shown(parseMessage('grab it with osu!direct: osu://dl/1154158'))).toEqual([
      { label: 'osu://dl/1154158', url: 'osu://dl/1154158', kind: 'beatmapset', beatmapsetId: 1154158 },
    ]);
    expect(shown(parseMessage('[osu://dl/1154158 Download (osu!direct)]'))).toEqual([
      { label: 'Download (osu!direct)', url: 'osu://dl/1154158', kind: 'beatmapset', beatmapsetId: 1154158 },
    ]);
  });

  it('links #channel names (including #mp_ channels) but not C# or page#2', () => {
    const parsed = parseMessage('anyone in #osu or #mp_10452 up for C# help? see page#2 or #1');
    expect(parsed.text).toBe('anyone in #osu or #mp_10452 up for C# help? see page#2 or #1');
    expect(shown(parsed)).toEqual([
      { label: '#osu', url: 'osu://chan/#osu', kind: 'channel', channel: '#osu' },
      { label: '#mp_10452', url: 'osu://chan/#mp_10452', kind: 'channel', channel: '#mp_10452' },
    ]);
  });

  it('turns [[Wiki page]] into its label, linked to the wiki under the website root', () => {
    const parsed = parseMessage("new here? read [[Beginner's guide]] first.");
    expect(parsed.text).toBe("new here? read Beginner's guide first.");
    expect(shown(parsed)).toEqual([
      {
        label: "Beginner's guide",
        url: "https://osu.ppy.sh/wiki/Beginner's_guide",
        kind: 'wiki',
        wikiPath: "Beginner's_guide",
      },
    ]);
  });

  it('links a multiplayer invite (osump://) to its match, bare or in brackets', () => {
    expect(shown(parseMessage('Come join my multiplayer match: "[osump://123/ 4* scrims]"'))).toEqual([
      { label: '4* scrims', url: 'osump://123/', kind: 'multiplayer', matchId: 123 },
    ]);
    expect(shown(parseMessage('join osump://123/ now.'))).toEqual([
      { label: 'osump://123/', url: 'osump://123/', kind: 'multiplayer', matchId: 123 },
    ]);
  });

  it('classifies changelog URLs: index, build, stream and ?stream=', () => {
    const parsed = parseMessage(
      'new build https://osu.ppy.sh/home/changelog/lazer/2024.1009.1 (all: https://osu.ppy.sh/home/changelog), ' +
        'https://osu.ppy.sh/home/changelog/2024.1009.1 https://osu.ppy.sh/home/changelog?stream=stable40',
    );
    expect(parsed.links.map((link) => [link.kind, link.changelog])).toEqual([
      ['changelog', { stream: 'lazer', build: '2024.1009.1' }],
      ['changelog', {}],
      ['changelog', { build: '2024.1009.1' }],
      ['changelog', { stream: 'stable40' }],
    ]);
  });

  it('ends bare URLs before trailing . , ) and the like, but keeps balanced parentheses', () => {
    const parsed = parseMessage(
      'see https://example.com/a. also https://example.com/b, (https://example.com/c) ' +
        'and https://en.wikipedia.org/wiki/Osu!_(video_game)! or http://test.io/link#fragment?',
    );
    expect(parsed.links.map((link) => link.url)).toEqual([
      'https://example.com/a',
      'https://example.com/b',
      'https://example.com/c',
      'https://en.wikipedia.org/wiki/Osu!_(video_game)',
      'http://test.io/link#fragment',
    ]);
    expect(parsed.links.every((link) => link.kind === 'external')).toBe(true);
    expect(parsed.text).toContain('(https://example.com/c) and');
  });

  it('reads the old (label)[url] format with balanced and escaped parentheses', () => {
    expect(parseMessage('This is a (simple test)[https://osu.ppy.sh/b/1] of links.').text).toBe(
      'This is a simple test of links.',
    );
    const parsed = parseMessage('This is a (\\)super\\(\\( tricky (one))[https://osu.ppy.sh]!');
    expect(parsed.text).toBe('This is a )super(( tricky (one)!');
    expect(only(parsed)).toMatchObject({ start: 10, end: 31, url: 'https://osu.ppy.sh' });
  });

  it('reads markdown [label](url "title") with balanced, escaped and trailing-backslash labels', () => {
    const titled = parseMessage(
      'I haven\'t seen [this link format](https://osu.ppy.sh "osu! \\"home\\"") before...',
    );
    expect(titled.text).toBe("I haven't seen this link format before...");
    expect(only(titled)).toMatchObject({
      start: 15,
      end: 31,
      url: 'https://osu.ppy.sh',
      title: 'osu! "home"',
    });

    const tricky = parseMessage('This is a [\\]super\\[\\[ tricky [one]](https://osu.ppy.sh)!');
    expect(tricky.text).toBe('This is a ]super[[ tricky [one]!');
    expect(only(tricky)).toMatchObject({ start: 10, end: 31 });

    const backslash = parseMessage('This link [should end with a backslash \\](https://osu.ppy.sh).');
    expect(backslash.text).toBe('This link should end with a backslash \\.');

    const wikipedia = parseMessage('[the game](https://en.wikipedia.org/wiki/Osu!_(video_game)) is fun');
    expect(shown(wikipedia)).toEqual([
      { label: 'the game', url: 'https://en.wikipedia.org/wiki/Osu!_(video_game)', kind: 'external' },
    ]);
  });

  it("applies osu!'s precedence: a formatted link's label is text, never a second link", () => {
    expect(
      shown(parseMessage('This is a [https://osu.ppy.sh/b/1 [[simple test]] #osu https://x.com].')),
    ).toEqual([
      {
        label: '[[simple test]] #osu https://x.com',
        url: 'https://osu.ppy.sh/b/1',
        kind: 'beatmap',
        beatmapId: 1,
      },
    ]);
    const adjacent = parseMessage('https://localhost:8080[https://osu.ppy.sh](https://osu.ppy.sh) two links');
    expect(adjacent.text).toBe('https://localhost:8080https://osu.ppy.sh two links');
    expect(adjacent.links.map((link) => [link.start, link.end, link.url])).toEqual([
      [0, 22, 'https://localhost:8080'],
      [22, 40, 'https://osu.ppy.sh'],
    ]);
  });

  it('leaves other schemes, escaped openers and empty labels as plain text', () => {
    for (const content of [
      '[javascript://%0Aalert(1) click me]',
      '[click](javascript://%0Aalert(1))',
      'This is a gopher://really-old-protocol we do not support.',
      '\\[https://osu.ppy.sh not a link\\]',
      '[https://osu.ppy.sh ] and [](https://osu.ppy.sh) and [[ ]]',
    ]) {
      const parsed = parseMessage(content);
      expect(parsed.text).toBe(content);
      expect(parsed.links.filter((link) => link.url.startsWith('javascript'))).toEqual([]);
    }
    expect(parseMessage('\\[https://osu.ppy.sh not a link\\]').links.map((link) => link.url)).toEqual([
      'https://osu.ppy.sh',
    ]);
  });
});

describe('parseMessage: classification', () => {
  const cases: Array<[string, Partial<MessageLink>]> = [
    ['https://osu.ppy.sh/b/123', { kind: 'beatmap', beatmapId: 123 }],
    ['https://osu.ppy.sh/b/123&m=0', { kind: 'beatmap', beatmapId: 123 }],
    ['https://osu.ppy.sh/beatmaps/123?mode=taiko', { kind: 'beatmap', beatmapId: 123 }],
    ['https://osu.ppy.sh/beatmapsets/1#mania/2', { kind: 'beatmap', beatmapId: 2, beatmapsetId: 1 }],
    ['https://osu.ppy.sh/beatmapsets/1/2', { kind: 'beatmap', beatmapId: 2, beatmapsetId: 1 }],
    ['osu://b/123', { kind: 'beatmap', beatmapId: 123 }],
    ['https://osu.ppy.sh/beatmapsets/1154158', { kind: 'beatmapset', beatmapsetId: 1154158 }],
    ['http://osu.ppy.sh/s/1', { kind: 'beatmapset', beatmapsetId: 1 }],
    ['https://OSU.ppy.sh/d/1', { kind: 'beatmapset', beatmapsetId: 1 }],
    ['osu://s/1', { kind: 'beatmapset', beatmapsetId: 1 }],
    ['osu://chan/#english', { kind: 'channel', channel: '#english' }],
    ['osump://12346', { kind: 'multiplayer', matchId: 12346 }],
    ['https://osu.ppy.sh/community/matches/111', { kind: 'multiplayer', matchId: 111 }],
    ['https://osu.ppy.sh/mp/111', { kind: 'multiplayer', matchId: 111 }],
    ['https://osu.ppy.sh/wiki/en/Ranking_criteria', { kind: 'wiki', wikiPath: 'en/Ranking_criteria' }],
    ['https://osu.ppy.sh/wiki/Beginner%27s_guide', { kind: 'wiki', wikiPath: "Beginner's_guide" }],
    ['https://osu.ppy.sh/home/changelog/stable40/20240101', { kind: 'changelog' }],
    ['https://osu.ppy.sh/beatmapsets/discussions/123', { kind: 'external' }],
    ['https://osu.ppy.sh/beatmapsets/abc', { kind: 'external' }],
    ['https://osu.ppy.sh/users/2', { kind: 'external' }],
    ['https://osu.ppy.sh/wiki/', { kind: 'external' }],
    ['https://notosu.ppy.sh/b/1', { kind: 'external' }],
    ['https://osu.ppy.sh.evil.example/b/1', { kind: 'external' }],
    ['osu://edit/00:01:234', { kind: 'external' }],
    ['osu://spectate/2', { kind: 'external' }],
    ['osump://lobby', { kind: 'external' }],
  ];
  it.each(cases)('%s → %o', (url, expected) => {
    const link = only(parseMessage(url));
    expect(link.url).toBe(url);
    expect(link).toMatchObject(expected);
    const details = ['beatmapId', 'beatmapsetId', 'channel', 'matchId', 'wikiPath'] as const;
    for (const key of details) if (!(key in expected)) expect(link[key]).toBeUndefined();
  });
});

describe('parseMessage: offsets and website root', () => {
  it('gives offsets as JavaScript string indices into the display text, after emoji and surrogate pairs', () => {
    const parsed = parseMessage(
      "😒🎵👨‍👩‍👧 [[Beginner's guide]] 𝄞 [https://osu.ppy.sh/b/1 a 💥 map] #osu https://x.com/😀",
    );
    expect(parsed.text).toBe("😒🎵👨‍👩‍👧 Beginner's guide 𝄞 a 💥 map #osu https://x.com/😀");
    expect(parsed.links.map((link) => [link.start, link.end])).toEqual([
      [13, 29],
      [33, 41],
      [42, 46],
      [47, 61],
    ]);
    expect(parsed.links.map((link) => parsed.text.slice(link.start, link.end))).toEqual([
      "Beginner's guide",
      'a 💥 map',
      '#osu',
      'https://x.com/',
    ]);
  });

  it('classifies links under a custom website root (the emulator) the same as under osu.ppy.sh', () => {
    const content =
      '[http://127.0.0.1:7270/b/123 Title [Hard]] [[Ranking criteria]] http://127.0.0.1:7270/beatmapsets/5#osu/6 ' +
      'http://127.0.0.1:7270/community/matches/9 http://127.0.0.1:7270/home/changelog https://osu.ppy.sh/b/1';
    for (const websiteRoot of ['http://127.0.0.1:7270', 'http://127.0.0.1:7270/']) {
      const links = parseMessage(content, { websiteRoot }).links;
      expect(links.map(({ start, end, ...rest }) => rest)).toEqual([
        { url: 'http://127.0.0.1:7270/b/123', kind: 'beatmap', beatmapId: 123 },
        { url: 'http://127.0.0.1:7270/wiki/Ranking_criteria', kind: 'wiki', wikiPath: 'Ranking_criteria' },
        { url: 'http://127.0.0.1:7270/beatmapsets/5#osu/6', kind: 'beatmap', beatmapId: 6, beatmapsetId: 5 },
        { url: 'http://127.0.0.1:7270/community/matches/9', kind: 'multiplayer', matchId: 9 },
        { url: 'http://127.0.0.1:7270/home/changelog', kind: 'changelog', changelog: {} },
        // Another site's URL is only a URL: the client opens it, it does not pretend it is local.
        { url: 'https://osu.ppy.sh/b/1', kind: 'external' },
      ]);
    }
    const prefixed = parseMessage('http://localhost/osu/b/1 http://localhost/b/1', {
      websiteRoot: 'http://localhost/osu',
    });
    expect(prefixed.links.map((link) => link.kind)).toEqual(['beatmap', 'external']);
  });
});

const KINDS = ['beatmap', 'beatmapset', 'channel', 'multiplayer', 'wiki', 'changelog', 'external'];

function expectWellFormed(content: string, parsed: ParsedMessage): void {
  let previousEnd = 0;
  for (const link of parsed.links) {
    expect(Number.isInteger(link.start) && Number.isInteger(link.end)).toBe(true);
    expect(link.start).toBeGreaterThanOrEqual(previousEnd);
    expect(link.end).toBeGreaterThan(link.start);
    expect(link.end).toBeLessThanOrEqual(parsed.text.length);
    expect(parsed.text.slice(link.start, link.end)).not.toBe('');
    expect(KINDS).toContain(link.kind);
    previousEnd = link.end;
  }
  if (parsed.links.length === 0) expect(parsed.text).toBe(content);
}

// Pieces of osu! link syntax, so that generated strings reach every format and its failure paths.
const syntax = fc.constantFrom(
  '[',
  ']',
  '(',
  ')',
  '[[',
  ']]',
  '\\',
  '\\[',
  '\\]',
  '"',
  ' ',
  '#',
  '#osu',
  'a',
  '😀',
  '\uD83D',
  '.',
  ',',
  'https://osu.ppy.sh/b/1',
  'http://x.co',
  'osu://dl/1',
  'osump://1/',
  'osu://chan/#osu',
  '](',
  ')[',
);
const messages = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.array(fc.oneof(syntax, fc.string({ maxLength: 3 })), { maxLength: 60 }).map((parts) => parts.join('')),
);

describe('parseMessage: robustness', () => {
  it('returns sorted, non-overlapping, in-bounds, non-empty links for any string and root, without throwing', () => {
    fc.assert(
      fc.property(messages, fc.option(fc.string({ maxLength: 30 })), (content, root) => {
        const parsed = parseMessage(content, root === null ? {} : { websiteRoot: root });
        expectWellFormed(content, parsed);
        expect(parseMessage(content, root === null ? {} : { websiteRoot: root })).toEqual(parsed);
      }),
      { numRuns: 2000 },
    );
  });

  it('treats non-string content and null options (from untyped callers) as empty and default', () => {
    expect(parseMessage('#osu', null as unknown as undefined).links).toHaveLength(1);
    expect(parseMessage(undefined as unknown as string)).toEqual({ text: '', links: [] });
    expect(parseMessage(null as unknown as string, { websiteRoot: 42 as unknown as string })).toEqual({
      text: '',
      links: [],
    });
  });

  const n = 10_000;
  const adversarial: Array<[string, string]> = [
    ['open brackets', '['.repeat(n)],
    ['open parens', '('.repeat(n)],
    ['nested new-format links without spaces', '[http://'.repeat(n / 8)],
    ['unclosed markdown links', '[a](http://'.repeat(n / 11)],
    ['unclosed markdown titles', '[a](http://x "'.repeat(n / 14)],
    ['unclosed old-format links', '(a)[http://'.repeat(n / 11)],
    ['unclosed wiki links', '[['.repeat(n / 2)],
    ['escapes', '\\['.repeat(n / 2)],
    ['bare URL prefixes', 'http://'.repeat(n / 7)],
    ['one long URL', `https://x.co/${'a('.repeat(n / 2)}`],
    ['trailing punctuation', `https://x.co/${'.'.repeat(n)}`],
    ['channel hashes', '#a-'.repeat(n / 3)],
    ['deep nesting', `${'['.repeat(n / 2)}${']'.repeat(n / 2)}(http://x)`],
    ['many links', '[https://osu.ppy.sh/b/1 x] '.repeat(n / 27)],
  ];
  it.each(adversarial)('parses 10,000 characters of %s in linear time', (_name, content) => {
    parseMessage(content.slice(0, 1_000)); // compiled first, so the time below is the parse's own
    const started = performance.now();
    const parsed = parseMessage(content);
    const elapsed = performance.now() - started;
    expectWellFormed(content, parsed);
    // Linear parsing takes a few milliseconds here (up to a few hundred on a loaded 2-core CI machine); a
    // backtracking blow-up takes seconds.
    expect(elapsed).toBeLessThan(1_000);
  });
});
