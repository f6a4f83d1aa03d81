import type { ChatClient } from '@osu-chat/core';
import { createContext, type ReactNode, useContext, useEffect } from 'react';

const ChatContext = createContext<ChatClient | null>(null);

export interface ChatProviderProps {
  /** A client from `createChatClient()`, created once (outside render, or in `useState`). */
  client: ChatClient;
  children?: ReactNode;
}

/**
 * Makes a chat client available to the hooks below it, and keeps it connected while mounted. The client's
 * `mount()` is ref-counted and tolerates an unmount followed by a mount in the same tick, so StrictMode's
 * double effects do not reconnect.
 *
 * @example
 * ```tsx
 * const client = createChatClient({ apiUrl, token });
 * root.render(<ChatProvider client={client}><App /></ChatProvider>);
 * ```
 */
export function ChatProvider({ client, children }: ChatProviderProps) {
  useEffect(() => client.mount(), [client]);
  return <ChatContext.Provider value={client}>{children}</ChatContext.Provider>;
}

/**
 * The client of the nearest `ChatProvider`.
 *
 * @example
 * ```tsx
 * const client = useChatClient();
 * await client.markAsRead(channelId);
 * ```
 */
export function useChatClient(): ChatClient {
  const client = useContext(ChatContext);
  if (!client) {
    throw new Error(
      'osu-chat hooks must be used inside <ChatProvider client={…}>: wrap your app (or this part of it) in a ChatProvider with a client from createChatClient().',
    );
  }
  return client;
}
