import { type Channel, useUnread } from '@osu-chat/react';
import { Avatar } from './Avatar.js';
import { Icon } from './Icon.js';

interface ChannelItemProps {
  channel: Channel;
  selected: boolean;
  onSelect: () => void;
}

/** One channel in the sidebar, with its unread count and mentions. Re-renders only for its own channel. */
export function ChannelItem({ channel, selected, onSelect }: ChannelItemProps) {
  const unread = useUnread(channel.id);
  const unreadCount = selected ? 0 : (unread?.count ?? (unread?.hasUnread ? -1 : 0));
  const mentions = selected ? 0 : (unread?.mentions ?? 0);
  const classes = [
    'channel-item',
    selected && 'selected',
    unreadCount !== 0 && 'unread',
    mentions > 0 && 'mentioned',
  ];
  return (
    <button
      type="button"
      className={classes.filter(Boolean).join(' ')}
      aria-current={selected ? 'page' : undefined}
      data-channel={channel.name}
      onClick={onSelect}
    >
      {channel.type === 'PM' ? (
        <Avatar url={channel.icon} name={channel.name} size={22} />
      ) : (
        <span className="channel-icon" aria-hidden="true">
          <Icon
            name={channel.type === 'ANNOUNCE' ? 'megaphone' : channel.type === 'PUBLIC' ? 'hash' : 'lock'}
          />
        </span>
      )}
      <span className="channel-name">
        {channel.type === 'PM' ? channel.name : channel.name.replace(/^#/, '')}
      </span>
      {channel.draft && <span className="tag">new</span>}
      {mentions > 0 && (
        <span className="pill mention" title={`${mentions} mentions`}>
          @{mentions}
        </span>
      )}
      {unreadCount !== 0 && mentions === 0 && (
        <span className="pill" title="Unread messages">
          {unreadCount > 0 ? (unreadCount > 99 ? '99+' : unreadCount) : '•'}
        </span>
      )}
    </button>
  );
}
