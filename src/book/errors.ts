/** A request the order book refused (4xx) or failed (5xx): its status and the service's JSON error, unchanged. */
import type { BookErrorBody } from "./types";

export class BookApiError extends Error {
  override readonly name = "BookApiError";

  constructor(
    readonly status: number,
    readonly body: BookErrorBody,
  ) {
    super(`${status}: ${body.error}`);
  }

  /** The field the service named (`order.expiry`, `signature`, `body`...). */
  get field(): string | null {
    return this.body.field;
  }

  /** The exchange's `validate` verdict, when the exchange refused the order. */
  get reason(): string | undefined {
    return this.body.reason;
  }
}
