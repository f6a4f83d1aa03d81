// @osu-chat/core: the public API, and nothing else.
export { ChatClient, type ChatClientOptions, createChatClient, realClock } from './ChatClient.js';
export { ChatError, type ChatErrorKind, isChatError, redact, redactUrl } from './errors.js';
export type { ChatEvent } from './events.js';
export { observeReadable, readableFromSubject, selectReadable } from './readable.js';
export { sessionMachine } from './session/sessionMachine.js';
export { toConnectionState } from './session/status.js';
export { mentions, sortChannels } from './state/selectors.js';
export type { TokenSource } from './token.js';
export type {
  Channel,
  ChannelMessages,
  ChannelType,
  Clock,
  ConnectionState,
  ConnectionStatus,
  Continuity,
  Message,
  MessageStatus,
  Readable,
  Unread,
  User,
} from './types.js';
