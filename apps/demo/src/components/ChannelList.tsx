import { type Channel, useChannels } from '@osu-chat/react';
import { ChannelItem } from './ChannelItem.js';

interface ChannelListProps {
  selected: number | null;
  onSelect: (channelId: number) => void;
}

/** Joined channels in osu-web's order, split into channels and direct messages. */
export function ChannelList({ selected, onSelect }: ChannelListProps) {
  const channels = useChannels();
  const groups: [string, Channel[]][] = [
    ['Channels', channels.filter((c) => c.type !== 'PM')],
    ['Direct messages', channels.filter((c) => c.type === 'PM')],
  ];
  return (
    <nav className="channel-list" aria-label="Channels">
      {groups.map(([title, items]) =>
        items.length === 0 ? null : (
          <section key={title}>
            <h3>{title}</h3>
            <ul>
              {items.map((channel) => (
                <li key={channel.id}>
                  <ChannelItem
                    channel={channel}
                    selected={channel.id === selected}
                    onSelect={() => onSelect(channel.id)}
                  />
                </li>
              ))}
            </ul>
          </section>
        ),
      )}
      {channels.length === 0 && <p className="muted small">No channels yet.</p>}
    </nav>
  );
}
