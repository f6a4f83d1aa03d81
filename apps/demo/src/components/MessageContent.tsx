/**
 * Message text as React text nodes: nothing from the server is ever parsed as HTML. Line breaks are kept by
 * CSS (`white-space: pre-wrap`).
 */
export function MessageContent({ content }: { content: string }) {
  return <span className="message-text">{content}</span>;
}
