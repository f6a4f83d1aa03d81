// `#platform` in browser builds (bundlers that apply the `browser` condition; see the `imports` map in
// package.json). It has node.ts's exports with the answers a browser needs, as constants a minifier folds
// away, so a browser app does not ship the Node-only code: no run-time Node check, no `ws` ping watchdog, no
// Node network error codes. The types come from node.ts, so the two cannot drift apart.
import type * as NodePlatform from './node.js';

/**
 * Never Node here: the socket carries the token in `?access_token=` (browsers cannot set socket headers), and
 * online/offline and page visibility are watched.
 */
export const isNode: typeof NodePlatform.isNode = false;

/** No watchdog: browsers answer the server's pings invisibly and never show them to the page. */
export const watchPing: typeof NodePlatform.watchPing = undefined;

/** No codes to read: a browser's fetch failure never says why it failed, so only the error's kind decides. */
export const causeProvesNotSent: typeof NodePlatform.causeProvesNotSent = undefined;
