import { type Message, mentions, useChatClient, useConnection, useUser } from '@osu-chat/react';
import { memo } from 'react';
import { safeColour } from '../links.js';
import { useNavigation } from '../navigation.js';
import { dayKey, fullTimeLabel, shortTimeLabel, timeLabel } from '../time.js';
import { Avatar } from './Avatar.js';
import { DaySeparator } from './DaySeparator.js';
import { MessageContent } from './MessageContent.js';

interface MessageRowProps {
  message: Message;
  /** The message above, for day separators and grouping a sender's consecutive messages. */
  previous: Message | undefined;
}

const GROUP_MS = 5 * 60_000;

/** One message: a day separator when the day changes, then sender, time and content. */
export const MessageRow = memo(function MessageRow({ message, previous }: MessageRowProps) {
  const client = useChatClient();
  const me = useConnection().user;
  const sender = useUser(message.senderId);
  const navigation = useNavigation();
  const name = sender?.username ?? (message.senderId === me?.id ? me.username : `user ${message.senderId}`);
  const newDay = !previous || dayKey(previous.timestamp) !== dayKey(message.timestamp);
  const grouped =
    !newDay &&
    previous !== undefined &&
    previous.senderId === message.senderId &&
    !previous.isAction &&
    !message.isAction &&
    message.timestamp - previous.timestamp < GROUP_MS;
  const mine = me !== null && message.senderId === me.id;
  const mentioned = !mine && me !== null && mentions(message.content, me.username);
  const classes = [
    'message',
    grouped && 'grouped',
    message.isAction && 'action',
    mentioned && 'mentioned',
    mine && 'mine',
    `status-${message.status}`,
  ];
  const senderButton = (
    <button
      type="button"
      className="sender"
      style={{ color: safeColour(sender?.profileColour) }}
      disabled={mine}
      title={mine ? undefined : `Message ${name}`}
      onClick={() => void navigation.openPrivateChat(message.senderId).catch(() => {})}
    >
      {name}
    </button>
  );

  return (
    <div className="message-row">
      {newDay && <DaySeparator timestamp={message.timestamp} />}
      <article
        className={classes.filter(Boolean).join(' ')}
        data-status={message.status}
        data-key={message.key}
      >
        <div className="message-gutter">
          {grouped ? (
            <time className="message-time-hover" dateTime={new Date(message.timestamp).toISOString()}>
              {shortTimeLabel(message.timestamp)}
            </time>
          ) : (
            <Avatar url={sender?.avatarUrl} name={name} />
          )}
        </div>
        <div className="message-main">
          {!grouped && !message.isAction && (
            <div className="message-meta">
              {senderButton}
              <time
                dateTime={new Date(message.timestamp).toISOString()}
                title={fullTimeLabel(message.timestamp)}
              >
                {timeLabel(message.timestamp)}
              </time>
            </div>
          )}
          <div className="message-body">
            {message.isAction && <>{senderButton} </>}
            <MessageContent content={message.content} />
          </div>
          {message.status === 'pending' && <div className="message-state">Sending…</div>}
          {message.status === 'failed' && message.localId !== null && (
            <div className="message-state failed" role="alert">
              <span>Not sent: {message.error?.message ?? 'unknown error'}</span>
              <button type="button" onClick={() => void client.retry(message.localId ?? '').catch(() => {})}>
                Retry
              </button>
              <button type="button" onClick={() => client.discard(message.localId ?? '')}>
                Discard
              </button>
            </div>
          )}
        </div>
      </article>
    </div>
  );
});
