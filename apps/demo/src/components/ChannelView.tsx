import { type Channel, useChatClient, useMessages } from '@osu-chat/react';
import { useEffect } from 'react';
import { ChannelHeader } from './ChannelHeader.js';
import { Composer } from './Composer.js';
import { ContinuityBanner } from './ContinuityBanner.js';
import { MessageList } from './MessageList.js';

interface ChannelViewProps {
  channel: Channel;
  onPeople: () => void;
}

/** The open channel: header, continuity banner, messages and composer. */
export function ChannelView({ channel, onPeople }: ChannelViewProps) {
  const client = useChatClient();
  const state = useMessages(channel.id);
  const lastSentId = state.messages.findLast((m) => m.id !== null)?.id ?? null;

  // Reading the open channel marks it read (the engine batches and never moves the marker back).
  useEffect(() => {
    if (channel.draft || lastSentId === null) return;
    const mark = () => {
      if (document.visibilityState === 'visible') client.markAsRead(channel.id, lastSentId);
    };
    mark();
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [client, channel.id, channel.draft, lastSentId]);

  return (
    <section className="channel-view" aria-label={channel.name}>
      <ChannelHeader channel={channel} onPeople={onPeople} />
      <ContinuityBanner continuity={state.continuity} />
      <MessageList channel={channel} state={state} />
      <Composer channel={channel} />
    </section>
  );
}
