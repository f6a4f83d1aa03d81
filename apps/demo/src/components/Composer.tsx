import { type Channel, isChatError, useSendMessage } from '@osu-chat/react';
import { type FormEvent, type KeyboardEvent, useState } from 'react';

/** `/me waves` is sent as the action "waves". */
function parseInput(input: string): { text: string; action: boolean } {
  const match = /^\/me(?:\s+|$)/i.exec(input);
  return match ? { text: input.slice(match[0].length), action: true } : { text: input, action: false };
}

/**
 * The message box: honours the channel's length limit (counted in code points, as osu! counts) and whether
 * the user may write here (disabled with osu!'s reason). A send shows at once in the list as pending; a
 * failure stays there with Retry and Discard.
 */
export function Composer({ channel }: { channel: Channel }) {
  const { send } = useSendMessage(channel.id);
  const [input, setInput] = useState('');
  const [error, setError] = useState<string | null>(null);
  const { text, action } = parseInput(input);
  const length = [...text.trim()].length;
  const limit = channel.messageLengthLimit;
  const blocked = channel.canMessage === false;
  const tooLong = length > limit;
  const canSend = !blocked && !tooLong && length > 0;

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (!canSend) return;
    setInput('');
    setError(null);
    send(text.trim(), { action }).catch((caught: unknown) => {
      // Failed sends stay in the list with Retry; only refusals before sending (invalid input) land here.
      if (isChatError(caught) && caught.kind === 'invalid') setError(caught.message);
    });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) submit(event);
  };

  const placeholder = blocked
    ? (channel.canMessageError ?? 'You cannot send messages in this channel.')
    : `Message ${channel.name}  (/me for actions)`;
  return (
    <form className={blocked ? 'composer blocked' : 'composer'} onSubmit={submit}>
      <textarea
        aria-label="Message"
        rows={1}
        value={blocked ? '' : input}
        placeholder={placeholder}
        disabled={blocked}
        onChange={(event) => setInput(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <span
        className={tooLong ? 'counter over' : 'counter'}
        aria-live="polite"
        title="Characters (code points)"
      >
        {length}/{limit}
      </span>
      <button type="submit" className="primary" disabled={!canSend}>
        Send
      </button>
      {(error || blocked) && (
        <p className="composer-note" role={error ? 'alert' : undefined}>
          {error ?? channel.canMessageError ?? 'You cannot send messages in this channel.'}
        </p>
      )}
    </form>
  );
}
