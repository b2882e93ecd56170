/** The order book's client side: the typed HTTP/WebSocket client, its reply types, and the signed soft-cancel. */
export * from "./cancel";
export * from "./client";
export * from "./errors";
export * from "./stream";
export * from "./types";
