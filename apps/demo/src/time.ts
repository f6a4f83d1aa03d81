// Dates as a chat shows them: day separators ("Today", "Yesterday", "Mon 3 Mar") and message times.

const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const shortFormat = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });

/** Local calendar day of a timestamp, comparable with `===`. */
export function dayKey(timestamp: number): string {
  const date = new Date(timestamp);
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

export function dayLabel(timestamp: number, now = Date.now()): string {
  if (dayKey(timestamp) === dayKey(now)) return 'Today';
  if (dayKey(timestamp) === dayKey(now - 86_400_000)) return 'Yesterday';
  return dayFormat.format(timestamp);
}

export function timeLabel(timestamp: number): string {
  return timeFormat.format(timestamp);
}

/** `21:05`: short enough for the gutter of a grouped message. */
export function shortTimeLabel(timestamp: number): string {
  return shortFormat.format(timestamp);
}

export function fullTimeLabel(timestamp: number): string {
  return fullFormat.format(timestamp);
}
