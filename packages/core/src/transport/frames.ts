// Notification-socket frames → typed server events. The hot path of the engine: one call per frame.
import { ChatError } from '../errors.js';
import type { Channel, Message, User } from '../types.js';
import { decodeChannel, decodeMessage, decodeUser, isId, isObject } from './wire.js';

/** What the notification server can say, decoded. */
export type ServerFrame =
  | { type: 'ready' }
  | { type: 'authFailed' }
  | { type: 'logout' }
  | { type: 'verified' }
  | { type: 'messages'; messages: Message[]; users: User[] }
  /** `uuid` echoes the request that created an announcement. */
  | { type: 'channelJoin'; channel: Channel; uuid: string | null }
  | { type: 'channelPart'; channelId: number }
  /** A frame the engine does not act on (notifications, future events); kept for devtools. */
  | { type: 'other'; event: string };

/** The error for a frame the engine cannot understand. */
function malformed(message: string, cause?: unknown): ChatError {
  return new ChatError('protocol', message, { cause });
}

/**
 * Parses one text frame. Throws `ChatError('protocol')` for malformed JSON or a malformed payload of a known
 * event; unknown events come back as `other`.
 */
export function parseFrame(text: string): ServerFrame {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw malformed('The socket sent a frame that is not JSON', cause);
  }
  if (!isObject(json)) throw malformed('The socket sent a frame that is not an object');
  if (json.error === 'authentication failed') return { type: 'authFailed' };
  const { event, data } = json;
  if (typeof event !== 'string') throw malformed('The socket sent a frame without an event');
  switch (event) {
    case 'connection.ready':
      return { type: 'ready' };
    case 'logout':
    case 'verified':
      return { type: event };
    case 'chat.message.new': {
      if (!isObject(data) || !Array.isArray(data.messages))
        throw malformed('chat.message.new without messages');
      const messages = data.messages.map(decodeMessage);
      const users = Array.isArray(data.users) ? data.users.map(decodeUser) : [];
      return { type: 'messages', messages, users };
    }
    case 'chat.channel.join': {
      const uuid = isObject(data) && typeof data.uuid === 'string' ? data.uuid : null;
      return { type: 'channelJoin', channel: decodeChannel(data), uuid };
    }
    case 'chat.channel.part': {
      const channelId = isObject(data) ? data.channel_id : undefined;
      if (!isId(channelId)) throw malformed('chat.channel.part without a channel id');
      return { type: 'channelPart', channelId };
    }
    default:
      return { type: 'other', event };
  }
}
