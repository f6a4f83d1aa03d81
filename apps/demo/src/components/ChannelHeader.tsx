import { type Channel, useLeaveChannel } from '@osu-chat/react';
import { Avatar } from './Avatar.js';
import { Icon } from './Icon.js';

const TYPE_LABELS: Partial<Record<Channel['type'], string>> = {
  PUBLIC: 'public',
  PM: 'direct message',
  ANNOUNCE: 'announcement',
  MULTIPLAYER: 'multiplayer',
  PRIVATE: 'private',
  GROUP: 'group',
  TEAM: 'team',
};

/** Name, description and the leave button of the open channel. */
export function ChannelHeader({ channel, onPeople }: { channel: Channel; onPeople: () => void }) {
  const leave = useLeaveChannel();
  return (
    <header className="channel-header">
      {channel.type === 'PM' ? (
        <Avatar url={channel.icon} name={channel.name} size={32} />
      ) : (
        <span className="channel-header-icon" aria-hidden="true">
          <Icon name={channel.type === 'ANNOUNCE' ? 'megaphone' : 'hash'} size={22} />
        </span>
      )}
      <div className="channel-header-text">
        <h1>{channel.type === 'PM' ? channel.name : channel.name.replace(/^#/, '')}</h1>
        <p>{channel.description || TYPE_LABELS[channel.type] || channel.type.toLowerCase()}</p>
      </div>
      <span className="tag">{TYPE_LABELS[channel.type] ?? channel.type.toLowerCase()}</span>
      {channel.type !== 'PM' && (
        <button type="button" className="ghost" onClick={onPeople} title="Message someone from this channel">
          <Icon name="users" /> People
        </button>
      )}
      <button
        type="button"
        className="ghost danger"
        disabled={leave.pending}
        onClick={() => void leave.run(channel.id).catch(() => {})}
      >
        <Icon name={channel.type === 'PM' ? 'close' : 'leave'} /> {channel.type === 'PM' ? 'Close' : 'Leave'}
      </button>
      {leave.error && <span className="error small">{leave.error.message}</span>}
    </header>
  );
}
