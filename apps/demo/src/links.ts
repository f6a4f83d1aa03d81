// Which URLs from messages may become links. Server text is untrusted: only web and osu! client schemes are
// ever put in an href, so `javascript:`, `data:` and friends stay plain text.

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'osu:', 'osump:']);

/** The URL to put in an `href`, or null when it must stay text. */
export function safeHref(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  return SAFE_PROTOCOLS.has(parsed.protocol) ? parsed.href : null;
}

/** A CSS colour from the server (`profile_colour`), only when it is a plain hex colour. */
export function safeColour(colour: string | null | undefined): string | undefined {
  return colour && /^#[0-9a-f]{3,8}$/i.test(colour) ? colour : undefined;
}

/** An image URL from the server (avatars), only over http(s). */
export function safeImage(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  const href = safeHref(url);
  return href?.startsWith('http') ? href : undefined;
}
