import type { Channel, Message, UseMessagesResult } from '@osu-chat/react';
import { useCallback, useEffect, useRef } from 'react';
import { type Components, Virtuoso, type VirtuosoHandle } from 'react-virtuoso';
import { MessageRow } from './MessageRow.js';

interface MessageListProps {
  channel: Channel;
  state: UseMessagesResult;
}

interface ListContext {
  loadingOlder: boolean;
  hasMore: boolean;
  name: string;
}

/** Virtuoso counts items from here down as older pages are prepended (it must stay positive). */
const START_INDEX = 1_000_000;

/**
 * The channel's messages, windowed: only the rows on screen are in the DOM, so a long history stays cheap.
 * Scrolling to the top loads the previous page; new messages follow when the view is at the bottom.
 */
export function MessageList({ channel, state }: MessageListProps) {
  const { messages, loaded, hasMore, loadingOlder, loadOlder } = state;
  const firstItemIndex = useFirstItemIndex(messages);
  const latest = useRef(messages);
  latest.current = messages;
  const list = useRef<VirtuosoHandle>(null);
  const atBottom = useRef(true);

  // A hidden tab does not lay out, so rows that arrive meanwhile are measured only when it is shown again:
  // if the view was at the bottom when the tab was hidden, put it back there.
  useEffect(() => {
    let wasAtBottom = true;
    const onVisibility = () => {
      if (document.visibilityState === 'hidden') wasAtBottom = atBottom.current;
      else if (wasAtBottom) list.current?.scrollToIndex({ index: 'LAST', align: 'end' });
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, []);

  const followOutput = useCallback((atBottom: boolean) => {
    // Your own message just went out: always show it.
    if (latest.current.at(-1)?.status === 'pending') return 'auto' as const;
    return atBottom ? ('auto' as const) : false;
  }, []);
  const startReached = useCallback(() => {
    if (state.hasMore && !state.loadingOlder) void loadOlder().catch(() => {});
  }, [state.hasMore, state.loadingOlder, loadOlder]);

  if (!loaded) {
    return (
      <div className="message-list loading" aria-busy="true">
        Loading messages…
      </div>
    );
  }
  if (messages.length === 0) {
    return (
      <div className="message-list empty">
        {channel.draft ? `Say hi to ${channel.name}!` : 'No messages here yet.'}
      </div>
    );
  }
  return (
    <Virtuoso<Message, ListContext>
      ref={list}
      className="message-list"
      data={messages}
      context={{ loadingOlder, hasMore, name: channel.name }}
      components={components}
      firstItemIndex={firstItemIndex}
      initialTopMostItemIndex={{ index: messages.length - 1, align: 'end' }}
      computeItemKey={(_, message) => message.key}
      alignToBottom
      followOutput={followOutput}
      atBottomStateChange={(bottom) => {
        atBottom.current = bottom;
      }}
      startReached={startReached}
      increaseViewportBy={{ top: 400, bottom: 200 }}
      itemContent={(index, message) => (
        <MessageRow message={message} previous={messages[index - firstItemIndex - 1]} />
      )}
    />
  );
}

const components: Components<Message, ListContext> = {
  Header: ({ context }) => (
    <div className="list-header">
      {context.loadingOlder
        ? 'Loading older messages…'
        : context.hasMore
          ? ' '
          : `This is the beginning of ${context.name}.`}
    </div>
  ),
};

/**
 * Virtuoso's `firstItemIndex` must drop by the number of rows prepended (older pages) and rise by the number
 * dropped from the top (the engine's message cap), or the view jumps.
 */
function useFirstItemIndex(messages: readonly Message[]): number {
  const ref = useRef({ first: START_INDEX, keys: [] as readonly string[] });
  const { keys } = ref.current;
  const firstKey = messages[0]?.key;
  if (keys.length > 0 && firstKey !== undefined && firstKey !== keys[0]) {
    const prepended = messages.findIndex((m) => m.key === keys[0]);
    const dropped = keys.indexOf(firstKey);
    if (prepended > 0) ref.current.first -= prepended;
    else if (dropped > 0) ref.current.first += dropped;
  }
  ref.current.keys = messages.map((m) => m.key);
  return ref.current.first;
}
