// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ITrackedAssetsVault} from "./ITrackedAssetsVault.sol";

/// @title IInsuranceStaking
/// @notice The staking side of the InsuranceVault (the clearing side is `IInsuranceVault`): stakers deposit the
/// quote asset, earn liquidation penalties (`payPenalty` raises the share price; below `MIN_STAKE_SHARES` of supply
/// they are held aside until a penalty arrives with the minimum staked) and absorb bad debt first
/// (`coverBadDebt` lowers it). To exit, a staker requests a withdrawal of some shares, waits the cooldown, then
/// completes it within the window; so nobody can run just before a loss is booked.
/// @dev Shares under a live request are locked: a transfer (or burn) that would leave the owner with fewer shares
/// than the live request reverts `SharesLocked`. So the shares that leave at time t were held continuously by the
/// requester since at least t - cooldown; nobody can pass shares to an account with a ripe request to dodge the
/// cooldown. A request stays live until its window ends (or it is completed or cancelled). Requested shares keep
/// absorbing losses and earning penalties until redeemed: the price is the one at completion.
interface IInsuranceStaking is ITrackedAssetsVault {
    /// @notice One owner's withdrawal request.
    /// @param shares Shares that may be redeemed in the window (reduced as they are redeemed).
    /// @param claimableAt Start of the window: request time + cooldown.
    /// @param expiresAt End of the window (exclusive): `claimableAt` + window length.
    struct WithdrawalRequest {
        uint256 shares;
        uint64 claimableAt;
        uint64 expiresAt;
    }

    // ----------------------------------------------------------------------------------------------- errors
    /// @notice A request for more shares than the owner holds.
    error RequestExceedsBalance(address owner, uint256 shares, uint256 balance);
    /// @notice A transfer or burn that would leave `owner` with `balanceAfter` shares, below its live request
    /// `lockedShares`.
    error SharesLocked(address owner, uint256 lockedShares, uint256 balanceAfter);
    /// @notice Cooldown or window outside governance's bounds.
    error InvalidWithdrawalTimings(uint64 cooldownSeconds, uint64 windowSeconds);
    /// @notice A withdrawal or redemption by `owner` outside its request's window [claimableAt, expiresAt) (no
    /// request: both are 0).
    error WithdrawalNotClaimable(address owner, uint64 claimableAt, uint64 expiresAt, uint256 timestamp);
    /// @notice `cancelWithdraw` without a live request.
    error NoLiveRequest(address owner);

    // ----------------------------------------------------------------------------------------------- events
    /// @notice `owner` requested to withdraw `shares`, claimable in [claimableAt, expiresAt).
    event WithdrawRequested(address indexed owner, uint256 shares, uint64 claimableAt, uint64 expiresAt);
    /// @notice `owner` cancelled its live request.
    event WithdrawRequestCancelled(address indexed owner);
    /// @notice `payer` paid `assets` of liquidation penalty into the vault.
    event PenaltyPaid(address indexed payer, uint256 assets);
    /// @notice `assets` of the penalty just paid are held aside, out of the share price: the vault has less than
    /// `MIN_STAKE_SHARES` of stake.
    event PenaltyHeld(address indexed payer, uint256 assets);
    /// @notice The penalties held aside (`assets`) joined the share price: a penalty arrived with at least
    /// `MIN_STAKE_SHARES` staked.
    event HeldPenaltiesReleased(uint256 assets);
    /// @notice The clearing contract asked for `requested` of bad-debt cover; `covered` went to `to`.
    event BadDebtCovered(address indexed to, uint256 requested, uint256 covered);
    /// @notice Governance set the cooldown and window lengths (apply to new requests only).
    event WithdrawalTimingsSet(uint64 cooldownSeconds, uint64 windowSeconds);

    // ----------------------------------------------------------------------------------------------- staker
    /// @notice Request to withdraw `shares` of the caller's: redeemable from `now + cooldown` until the window
    /// ends. Replaces any previous request (its cooldown restarts).
    /// @dev Reverts `ZeroAmount`, `RequestExceedsBalance`.
    function requestWithdraw(uint256 shares) external;

    /// @notice Cancel the caller's live request, unlocking its shares. Reverts `NoLiveRequest`.
    function cancelWithdraw() external;

    // ----------------------------------------------------------------------------------------------- governance
    /// @notice Set the cooldown and window of new requests, within [0, MAX_COOLDOWN_SECONDS] and
    /// [MIN_WINDOW_SECONDS, MAX_WINDOW_SECONDS].
    /// @dev Restricted (GOVERNOR_ROLE). Reverts `InvalidWithdrawalTimings`.
    function setWithdrawalTimings(uint64 cooldownSeconds, uint64 windowSeconds) external;

    // ----------------------------------------------------------------------------------------------- views
    /// @notice Penalties held aside while the stake was below `MIN_STAKE_SHARES`: booked (backed, first in line as
    /// bad-debt cover and for a booked loss) but not in `totalAssets()`, so not in the share price, until a
    /// penalty arrives with at least `MIN_STAKE_SHARES` staked.
    function heldPenalties() external view returns (uint256);

    /// @notice `owner`'s request as stored (it may be expired or not yet claimable).
    function withdrawalRequest(address owner) external view returns (WithdrawalRequest memory);

    /// @notice Shares of `owner` locked by a live request (0 when there is none or its window has ended).
    function lockedShares(address owner) external view returns (uint256);

    /// @notice The cooldown of new requests, seconds.
    function cooldownSeconds() external view returns (uint64);

    /// @notice The window of new requests, seconds.
    function windowSeconds() external view returns (uint64);
}
