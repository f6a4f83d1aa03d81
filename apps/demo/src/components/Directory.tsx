import { useChannels, useJoinChannel, usePublicChannels } from '@osu-chat/react';
import { useState } from 'react';
import { useNavigation } from '../navigation.js';
import { Icon } from './Icon.js';

/** Every public channel, with Join (or Open when already joined). */
export function Directory() {
  const { channels, loading, error, refresh } = usePublicChannels();
  const joined = useChannels();
  const join = useJoinChannel();
  const navigation = useNavigation();
  const [filter, setFilter] = useState('');
  const joinedIds = new Set(joined.map((c) => c.id));
  const shown = (channels ?? []).filter((c) =>
    `${c.name} ${c.description}`.toLowerCase().includes(filter.trim().toLowerCase()),
  );
  return (
    <div className="directory">
      <input
        type="search"
        placeholder="Filter channels"
        aria-label="Filter channels"
        value={filter}
        onChange={(event) => setFilter(event.target.value)}
      />
      {error && (
        <p className="error">
          {error.message}{' '}
          <button type="button" className="link" onClick={() => void refresh()}>
            Try again
          </button>
        </p>
      )}
      {join.error && <p className="error">{join.error.message}</p>}
      {loading && channels === null && <p className="muted">Loading channels…</p>}
      <ul className="directory-list">
        {shown.map((channel) => (
          <li key={channel.id}>
            <span className="channel-icon" aria-hidden="true">
              <Icon name="hash" />
            </span>
            <div className="directory-text">
              <strong>{channel.name}</strong>
              <span className="muted">{channel.description}</span>
            </div>
            {joinedIds.has(channel.id) ? (
              <button type="button" onClick={() => navigation.openChannel(channel.id)}>
                Open
              </button>
            ) : (
              <button
                type="button"
                className="primary"
                aria-label={`Join ${channel.name}`}
                disabled={join.pending}
                onClick={() =>
                  void join
                    .run(channel.id)
                    .then((c) => navigation.openChannel(c.id))
                    .catch(() => {})
                }
              >
                Join
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
