export * from "../../../src/exchange/order";
