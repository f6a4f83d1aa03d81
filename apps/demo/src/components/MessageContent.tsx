import { type MessageLink, parseMessage } from '@osu-chat/react';
import { memo, type ReactNode } from 'react';
import { safeHref } from '../links.js';
import { useNavigation } from '../navigation.js';

/**
 * Message text as React text nodes: nothing from the server is ever parsed as HTML. Links found by core's
 * `parseMessage` become elements: `#channel` opens (or joins) that channel; other links open in a new tab,
 * and only when their scheme is http(s), osu or osump. Anything else (`javascript:`…) stays plain text.
 */
export const MessageContent = memo(function MessageContent({ content }: { content: string }) {
  const { text, links } = parseMessage(content);
  if (links.length === 0) return <span className="message-text">{text}</span>;
  const parts: ReactNode[] = [];
  let copied = 0;
  for (const link of links) {
    if (link.start > copied) parts.push(text.slice(copied, link.start));
    parts.push(<Link key={link.start} link={link} label={text.slice(link.start, link.end)} />);
    copied = link.end;
  }
  if (copied < text.length) parts.push(text.slice(copied));
  return <span className="message-text">{parts}</span>;
});

function Link({ link, label }: { link: MessageLink; label: string }) {
  const navigation = useNavigation();
  if (link.kind === 'channel' && link.channel) {
    const name = link.channel;
    return (
      <button
        type="button"
        className="link channel-link"
        title={`Open ${name}`}
        onClick={() => void navigation.openChannelByName(name).catch(() => {})}
      >
        {label}
      </button>
    );
  }
  const href = safeHref(link.url);
  if (!href) return label;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer" title={link.title ?? href} data-kind={link.kind}>
      {label}
    </a>
  );
}
