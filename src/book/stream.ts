/**
 * The book's WebSocket stream (`/stream`) for the client, over any WebSocket class with the standard `on…` handlers:
 * a browser's or Node 22's global one, or the `ws` package's on Node 20.
 */
import type { BookStreamMessage } from "./types";

/** A handler property, checked bivariantly (as the DOM's are) so that `ws`'s richer event types fit. */
type Handler<E> = { bivarianceHack(event: E): void }["bivarianceHack"] | null;

/** The part of a WebSocket the stream uses (the WHATWG interface; `ws` implements it). */
export interface WebSocketLike {
  onopen: Handler<unknown>;
  onmessage: Handler<{ data: unknown }>;
  onerror: Handler<unknown>;
  onclose: Handler<{ code: number; reason: string }>;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface BookSubscription {
  /** Resolves with the service's greeting (chain and exchange); rejects if the socket fails first. */
  ready: Promise<Extract<BookStreamMessage, { type: "hello" }>>;
  /** Resolves when the socket has closed (by `close()` or by the service). */
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

function defaultWebSocket(): WebSocketConstructor {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global === undefined)
    throw new Error(
      "no global WebSocket in this runtime: pass one (e.g. `ws`'s) as the client's WebSocket option",
    );
  return global;
}

export function subscribeBook(
  baseUrl: string,
  onMessage: (message: BookStreamMessage) => void,
  WebSocketClass: WebSocketConstructor = defaultWebSocket(),
): BookSubscription {
  const socket = new WebSocketClass(`${baseUrl.replace(/^http/, "ws")}/stream`);
  let greeted = false;
  let resolveReady!: (hello: Extract<BookStreamMessage, { type: "hello" }>) => void;
  let rejectReady!: (error: Error) => void;
  const ready = new Promise<Extract<BookStreamMessage, { type: "hello" }>>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  // A subscriber that never awaits `ready` must not see an unhandled rejection.
  ready.catch(() => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.onclose = (event) => {
      if (!greeted) rejectReady(new Error(`the book's stream closed before its greeting (${event.code})`));
      resolve({ code: event.code, reason: String(event.reason) });
    };
  });
  socket.onerror = () => {
    if (!greeted) rejectReady(new Error(`cannot open the book's stream at ${baseUrl}/stream`));
  };
  socket.onmessage = (event) => {
    const message = JSON.parse(String(event.data)) as BookStreamMessage;
    if (message.type === "hello" && !greeted) {
      greeted = true;
      resolveReady(message);
    }
    onMessage(message);
  };
  return { ready, closed, close: () => socket.close(1000, "client done") };
}
