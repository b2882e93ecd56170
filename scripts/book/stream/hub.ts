/** The WebSocket subscribers and what is pushed to them: book level deltas, evictions and trade status changes. */
import type { WebSocket } from "ws";
import type { BookStreamMessage } from "../../../src/book/types";

/** What the hub pushes: the client's stream type (src/book/types.ts) but the greeting, so the two cannot drift. */
export type StreamMessage = Exclude<BookStreamMessage, { type: "hello" }>;

export class StreamHub {
  private readonly sockets = new Set<WebSocket>();

  add(socket: WebSocket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
  }

  publish(message: StreamMessage): void {
    const text = JSON.stringify(message);
    for (const s of this.sockets) if (s.readyState === s.OPEN) s.send(text);
  }

  get size(): number {
    return this.sockets.size;
  }

  closeAll(): void {
    for (const s of this.sockets) s.close(1001, "shutting down");
  }
}
