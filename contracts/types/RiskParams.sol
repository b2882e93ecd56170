// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Risk parameters of one underlying, set by governance within PortfolioMargin's hard bounds.
/// @param volWad Annualised volatility (1e18 = 100%).
/// @param spotShocksWad Relative spot shocks of the scenario grid (-0.3e18 = -30%); 1..MAX_SPOT_SHOCKS, include 0.
/// @param volShockUpWad Relative upward volatility shock: scenario vol σ·(1 + up).
/// @param volShockDownWad Relative downward volatility shock: scenario vol σ·(1 - down).
/// @param minPerShortSpotWad Minimum requirement per short contract, as a fraction of spot.
/// @param initialBufferWad Initial margin = maintenance · (1 + buffer).
struct RiskParams {
    uint256 volWad;
    int256[] spotShocksWad;
    uint256 volShockUpWad;
    uint256 volShockDownWad;
    uint256 minPerShortSpotWad;
    uint256 initialBufferWad;
}
