/** The WebSocket subscribers and what is pushed to them: book level deltas, evictions and trade status changes. */
import type { WebSocket } from "ws";

export type StreamMessage =
  | { type: "level"; seriesId: string; side: "buy" | "sell"; price: string; amount: string; orders: number }
  | { type: "order"; hash: string; state: "EVICTED"; reason: string }
  | {
      type: "trade";
      matchId: string;
      txHash: string;
      status: string;
      trades: { makerHash: string; takerHash: string; amount: string; price: string; seriesId: string }[];
    };

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
