export * from "./cancel";
