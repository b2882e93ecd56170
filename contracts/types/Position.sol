// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice One signed option position of an account on one underlying, as the margin engine values it.
/// @param strikeWad Strike, WAD quote per one whole unit of the underlying.
/// @param expiry Unix expiry; at or after it the position is valued at intrinsic.
/// @param isCall Call or put.
/// @param amount Contracts with 18 decimals (1e18 = one option on one whole unit); > 0 long, < 0 short.
struct Position {
    uint256 strikeWad;
    uint64 expiry;
    bool isCall;
    int256 amount;
}
