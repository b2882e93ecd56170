/** A refused request: its HTTP status, the field at fault and why. Serialised as `{ error, field }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly field: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
