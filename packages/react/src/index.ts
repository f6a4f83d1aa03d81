// @osu-chat/react: hooks over @osu-chat/core, which it re-exports so an app installs one package.
export * from '@osu-chat/core';
export { ChatProvider, type ChatProviderProps, useChatClient } from './ChatProvider.js';
export { type ActionState, useAction } from './useAction.js';
export { useChannel } from './useChannel.js';
export { useChannels } from './useChannels.js';
export { type ChatSelectorOptions, useChatSelector } from './useChatSelector.js';
export { useConnection } from './useConnection.js';
export { useJoinChannel } from './useJoinChannel.js';
export { useLeaveChannel } from './useLeaveChannel.js';
export { type UseMessagesResult, useMessages } from './useMessages.js';
export { useOpenPrivateChat } from './useOpenPrivateChat.js';
export { usePublicChannels } from './usePublicChannels.js';
export { type UseReadableOptions, useReadable } from './useReadable.js';
export { type UseSendMessageResult, useSendMessage } from './useSendMessage.js';
export { useUnread } from './useUnread.js';
export { useUser } from './useUser.js';
