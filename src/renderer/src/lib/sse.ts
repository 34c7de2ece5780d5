/**
 * A minimal text/event-stream parser: feed it decoded text chunks as they arrive; it calls
 * `onData` with each complete event's data (multi-line data joined with "\n"). Comments and
 * fields other than `data` are ignored.
 */
export interface SseParser {
  push(chunk: string): void;
}

export function createSseParser(onData: (data: string) => void): SseParser {
  let buffer = '';
  let dataLines: string[] = [];
  const flushEvent = (): void => {
    if (dataLines.length > 0) onData(dataLines.join('\n'));
    dataLines = [];
  };
  const handleLine = (line: string): void => {
    if (line === '') return flushEvent();
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') dataLines.push(value);
  };
  return {
    push(chunk) {
      buffer += chunk;
      let match: RegExpExecArray | null;
      const lineEnd = /\r\n|\r|\n/g;
      let consumed = 0;
      while ((match = lineEnd.exec(buffer)) !== null) {
        // A lone "\r" at the very end may be the first half of "\r\n": wait for more.
        if (match[0] === '\r' && match.index === buffer.length - 1) break;
        handleLine(buffer.slice(consumed, match.index));
        consumed = match.index + match[0].length;
      }
      buffer = buffer.slice(consumed);
    },
  };
}
