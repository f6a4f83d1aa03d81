// @osu-chat/core: the public API, and nothing else.
export { ChatClient, createChatClient } from './ChatClient.js';
export { type ChatClientOptions, type DirectoryState, realClock } from './clientOptions.js';
export { ChatError, type ChatErrorKind, isChatError, redact, redactUrl } from './errors.js';
export type { ChatEvent } from './events.js';
export {
  type LinkKind,
  type MessageLink,
  type ParsedMessage,
  type ParseMessageOptions,
  parseMessage,
} from './parseMessage.js';
export { observeReadable, readableFromSubject, selectReadable } from './readable.js';
export { createSessionMachine, sessionMachine } from './session/sessionMachine.js';
export {
  connectionStateEqual,
  type SessionChart,
  sessionChart,
  toConnectionState,
} from './session/status.js';
export { mentions, sortChannels } from './state/selectors.js';
export { type TokenSource, tokenScopes } from './token.js';
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
  UnreadSummary,
  User,
} from './types.js';
