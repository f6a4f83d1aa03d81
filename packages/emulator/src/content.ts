// What happens to user-written text before it is stored: a message's PHP trim and CR/LF folding, blank check,
// chat filters and length limit (§4.2 step 5), and an announcement channel's name and description (§2.6).
// Pure functions; the world supplies the filters and the limit.
import { fail } from './errors.js';
import type { ChannelRecord, ChatFilter } from './types.js';

/** `^![^ !]`: "user command" messages, delivered and shown only to their sender. */
const USER_COMMAND = /^![^ !]/;

export function isUserCommand(content: string): boolean {
  return USER_COMMAND.test(content);
}

/** Trim + CR/LF folding (not for ANNOUNCE), blank check, chat filters, length limit. */
export function processContent(
  channel: Pick<ChannelRecord, 'type'>,
  raw: string,
  rules: { filters: readonly ChatFilter[]; lengthLimit: number },
): string {
  let content = raw;
  // PHP `str_replace(["\r", "\n"], ' ', trim($content))`: every CR and every LF becomes one space.
  if (channel.type !== 'ANNOUNCE') content = phpTrim(content).replace(/[\r\n]/g, ' ');
  // `present()`: only the empty string is blank (an untrimmed ANNOUNCE message of spaces is not).
  if (content === '') fail(422, 'Cannot send blank message.');
  if (channel.type !== 'ANNOUNCE') content = applyFilters(content, rules.filters);
  if ([...content].length > rules.lengthLimit) {
    fail(422, 'The message you are trying to send is too long.');
  }
  return content;
}

/**
 * `ChatFilters::filter`: any block filter matching the input → 422 `{"error": null}`; then every plain
 * replace filter in turn (`str_ireplace`: ASCII case-insensitive, literal), then every whole-word one
 * (`/\bterm\b/iu`).
 */
function applyFilters(content: string, filters: readonly ChatFilter[]): string {
  const blocks = filters.filter((f) => f.block);
  if (blocks.some((f) => filterPattern(f).test(content))) fail(422);
  let result = content;
  for (const filter of filters) {
    if (!filter.block && !filter.whitespace_delimited) {
      result = replaceAsciiInsensitive(result, filter.match, filter.replacement);
    }
  }
  for (const filter of filters) {
    if (!filter.block && filter.whitespace_delimited) {
      result = result.replace(filterPattern(filter), () => filter.replacement);
    }
  }
  return result;
}

/** PCRE's `\w` under PHP's `/u` (UCP): letters, digits and underscore. */
const WORD = '[\\p{L}\\p{N}_]';
const WORD_CHAR = new RegExp(`^${WORD}$`, 'u');

/** `/term/iu`, or `/\bterm\b/iu` for a whole-word filter (`\b` spelled out so it follows PCRE's UCP rules). */
function filterPattern(filter: ChatFilter): RegExp {
  const escaped = filter.match.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (!filter.whitespace_delimited) return new RegExp(escaped, 'giu');
  const chars = [...filter.match];
  const firstIsWord = WORD_CHAR.test(chars[0] ?? '');
  const lastIsWord = WORD_CHAR.test(chars[chars.length - 1] ?? '');
  const before = firstIsWord ? `(?<!${WORD})` : `(?<=${WORD})`;
  const after = lastIsWord ? `(?!${WORD})` : `(?=${WORD})`;
  return new RegExp(`${before}${escaped}${after}`, 'giu');
}

const MAX_NAME_LENGTH = 50;
const MAX_DESCRIPTION_LENGTH = 255;

/**
 * An announcement channel's name and description (§2.6): trimmed as `Channel::setNameAttribute` and
 * `setDescriptionAttribute` do, then checked as `isValid` does (errors are its `model_validation.*` strings).
 */
export function announcementFields(channel: { name: string | null; description: string | null }): {
  name: string;
  description: string;
} {
  const name = phpTrim(channel.name ?? '');
  const description = phpTrim(channel.description ?? '');
  if (name === '') fail(422, 'name is required.');
  if ([...name].length > MAX_NAME_LENGTH) {
    fail(422, `name exceeded maximum length - can only be up to ${MAX_NAME_LENGTH} characters.`);
  }
  if ([...description].length > MAX_DESCRIPTION_LENGTH) {
    fail(
      422,
      `description exceeded maximum length - can only be up to ${MAX_DESCRIPTION_LENGTH} characters.`,
    );
  }
  return { name, description };
}

/** PHP `trim()`: only space, tab, LF, CR, NUL and vertical tab (not every Unicode space, as JS `trim`). */
export function phpTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && PHP_TRIMMED.has(text[start] as string)) start++;
  while (end > start && PHP_TRIMMED.has(text[end - 1] as string)) end--;
  return text.slice(start, end);
}

const PHP_TRIMMED = new Set([' ', '\t', '\n', '\r', '\0', '\v']);

/** PHP `str_ireplace` for one pair: literal, ASCII-only case folding, left to right. */
function replaceAsciiInsensitive(text: string, search: string, replacement: string): string {
  if (search === '') return text;
  const lower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const haystack = lower(text);
  const needle = lower(search);
  let result = '';
  let from = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, from)) {
    result += text.slice(from, at) + replacement;
    from = at + search.length;
  }
  return result + text.slice(from);
}
