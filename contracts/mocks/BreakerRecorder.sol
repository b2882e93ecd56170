// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";

/// @notice Test-only stand-in for the CircuitBreaker until it lands on main: records the oracle's reports. Every
/// other function reverts `NotImplemented`.
contract BreakerRecorder is ICircuitBreaker {
    error NotImplemented();

    struct Call {
        TripReason reason;
        address caller;
        address asset;
        uint256 a;
        uint256 b;
    }

    Call[] private _calls;

    event Recorded(TripReason reason, address asset, uint256 a, uint256 b);

    function reportPriceBandBreach(address asset, uint256 referencePriceWad, uint256 newPriceWad) external {
        _calls.push(Call(TripReason.PriceBand, msg.sender, asset, referencePriceWad, newPriceWad));
        emit Recorded(TripReason.PriceBand, asset, referencePriceWad, newPriceWad);
    }

    function reportQuorumLoss(address asset, uint256 freshSources, uint256 quorum) external {
        _calls.push(Call(TripReason.QuorumLost, msg.sender, asset, freshSources, quorum));
        emit Recorded(TripReason.QuorumLost, asset, freshSources, quorum);
    }

    function reportSequencerDown() external {
        _calls.push(Call(TripReason.SequencerDown, msg.sender, address(0), 0, 0));
        emit Recorded(TripReason.SequencerDown, address(0), 0, 0);
    }

    function callCount() external view returns (uint256) {
        return _calls.length;
    }

    function callAt(uint256 i) external view returns (Call memory) {
        return _calls[i];
    }

    function pause(bytes32, string calldata) external pure {
        revert NotImplemented();
    }

    function resume(bytes32) external pure {
        revert NotImplemented();
    }

    function checkScope(bytes32) external pure {
        revert NotImplemented();
    }

    function checkAction(bytes32, address) external pure {
        revert NotImplemented();
    }

    function checkLiquidation(address) external pure {
        revert NotImplemented();
    }

    function recordOutflow(address, uint256) external pure {
        revert NotImplemented();
    }

    function recordInflow(address, uint256) external pure {
        revert NotImplemented();
    }

    function scopeState(bytes32) external pure returns (ScopeState memory) {
        revert NotImplemented();
    }

    function isTripped(bytes32) external pure returns (bool) {
        revert NotImplemented();
    }

    function outflowCapacity(address) external pure returns (uint256) {
        revert NotImplemented();
    }
}
