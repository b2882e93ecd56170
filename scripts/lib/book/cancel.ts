/** The book's signed soft-cancel lives in the integrator package (src/book/cancel.ts); the service imports it here. */
export * from "../../../src/book/cancel";
