import { useChatClient, useChatSelector, useConnection, useOpenPrivateChat, useUser } from '@osu-chat/react';
import { useNavigation } from '../navigation.js';
import { Avatar } from './Avatar.js';

/** Sender ids of a channel's loaded messages, newest first, without repeats. */
function recentSenders(messages: readonly { senderId: number }[]): number[] {
  const seen = new Set<number>();
  for (let i = messages.length - 1; i >= 0; i -= 1) seen.add(messages[i]?.senderId ?? 0);
  return [...seen];
}

const sameIds = (a: number[], b: number[]) => a.length === b.length && a.every((id, i) => id === b[i]);

/** Start a PM with someone seen in the open channel. */
export function UserPicker({ channelId }: { channelId: number | null }) {
  const client = useChatClient();
  const me = useConnection().user;
  const open = useOpenPrivateChat();
  const navigation = useNavigation();
  const pick = (userId: number) =>
    void open
      .run(userId)
      .then((channel) => navigation.openChannel(channel.id))
      .catch(() => {});
  const senders = useChatSelector(client.messages(channelId ?? 0), (s) => recentSenders(s.messages), sameIds);
  const people = senders.filter((id) => id !== me?.id && id > 0);
  return (
    <div className="user-picker">
      <p className="muted">People seen in this channel. Pick one to open a private conversation.</p>
      {open.error && <p className="error">{open.error.message}</p>}
      {people.length === 0 && <p className="muted">Nobody yet: open a channel with some messages first.</p>}
      <ul>
        {people.map((id) => (
          <li key={id}>
            <Person userId={id} disabled={open.pending} onPick={pick} />
          </li>
        ))}
      </ul>
    </div>
  );
}

interface PersonProps {
  userId: number;
  disabled: boolean;
  onPick: (userId: number) => void;
}

function Person({ userId, disabled, onPick }: PersonProps) {
  const user = useUser(userId);
  const name = user?.username ?? `user ${userId}`;
  return (
    <button type="button" className="person" disabled={disabled} onClick={() => onPick(userId)}>
      <Avatar url={user?.avatarUrl} name={name} size={28} />
      <span>{name}</span>
      {user?.isBot && <span className="tag">bot</span>}
    </button>
  );
}
