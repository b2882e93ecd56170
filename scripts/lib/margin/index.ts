/**
 * TypeScript reference of the margin model (contracts/libraries/{NormalCdf,BlackScholes,PortfolioMargin}.sol),
 * used by the differential tests and by keeper scripts. See docs/risk-model.md.
 */
export * from "./normal";
export * from "./blackScholes";
export * from "./portfolioMargin";
export * from "./price";
