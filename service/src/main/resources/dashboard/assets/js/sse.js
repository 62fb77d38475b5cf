// Server-Sent Events over fetch(): unlike EventSource, fetch can send the Authorization header, so
// the token never has to go into a URL. Parses the text/event-stream format (event, data, id; comments
// and retry ignored) and reconnects after a break, waiting longer after each failed attempt.

/** Splits a text/event-stream into events; feed it chunks of text, it calls onEvent({event, data, id}). */
export class EventStreamParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buffer = '';
    this.reset();
  }

  reset() {
    this.event = '';
    this.data = [];
    this.id = null;
  }

  push(text) {
    this.buffer += text;
    let nl;
    while ((nl = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, nl);
      const sep = this.buffer.startsWith('\r\n', nl) ? 2 : 1;
      if (this.buffer[nl] === '\r' && nl + 1 === this.buffer.length) break;   // a \r that may start a \r\n: wait for more
      this.buffer = this.buffer.slice(nl + sep);
      this.line(line);
    }
  }

  line(line) {
    if (line === '') {
      if (this.data.length > 0) {
        this.onEvent({ event: this.event || 'message', data: this.data.join('\n'), id: this.id });
      }
      this.reset();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id') this.id = value;
  }
}

/** Thrown when the service refuses the token (401). */
export class Unauthorized extends Error {}

/**
 * Opens the stream at url and keeps it open until close() is called.
 * handlers: onEvent({event, data, id}), onStatus('live' | 'reconnecting' | 'closed', detail), onUnauthorized().
 * token: a function returning the token or null.
 */
export function openStream(url, token, handlers) {
  let closed = false;
  let controller = null;
  let delay = 1000;

  async function once() {
    controller = new AbortController();
    const headers = { Accept: 'text/event-stream' };
    const t = token();
    if (t) headers.Authorization = `Bearer ${t}`;
    const response = await fetch(url, { headers, cache: 'no-store', signal: controller.signal, credentials: 'omit' });
    if (response.status === 401) throw new Unauthorized('the service refused the token');
    if (!response.ok || !response.body) throw new Error(`event stream: HTTP ${response.status}`);
    handlers.onStatus('live');
    delay = 1000;
    const parser = new EventStreamParser(handlers.onEvent);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.push(value);
    }
  }

  (async () => {
    while (!closed) {
      try {
        await once();
        if (closed) break;
        handlers.onStatus('reconnecting', 'the stream ended');
      } catch (e) {
        if (closed) break;
        if (e instanceof Unauthorized) {
          handlers.onUnauthorized();
          closed = true;
          break;
        }
        handlers.onStatus('reconnecting', e.message);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 15000);
    }
    handlers.onStatus('closed');
  })();

  return {
    close() {
      closed = true;
      if (controller) controller.abort();
    },
  };
}
