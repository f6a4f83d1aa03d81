// What `client.events$` carries: errors, new messages, and a trace of the wire for logs and devtools.
import type { ChatError } from './errors.js';
import type { Channel, ConnectionState, Message } from './types.js';

export type ChatEvent =
  /** Something went wrong; the engine kept running. */
  | { type: 'error'; error: ChatError; at: number }
  /** The session machine moved. */
  | { type: 'connection'; state: ConnectionState; at: number }
  /** A message arrived over the socket (including echoes of the user's own sends). */
  | { type: 'message'; message: Message; at: number }
  | { type: 'channel.joined'; channel: Channel; at: number }
  | { type: 'channel.left'; channelId: number; at: number }
  /** A socket frame in or out: its event name and size (never its token). */
  | { type: 'frame'; direction: 'in' | 'out'; event: string; bytes: number; at: number }
  /** An HTTP call finished (method, path, status; never headers). */
  | { type: 'http'; method: string; path: string; status: number | null; durationMs: number; at: number };
