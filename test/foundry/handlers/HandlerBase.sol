// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICircuitBreaker} from "../../../contracts/interfaces/ICircuitBreaker.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IOptionsClearing} from "../../../contracts/interfaces/IOptionsClearing.sol";
import {Scopes} from "../../../contracts/libraries/Scopes.sol";
import {MockChainlinkFeed} from "../../../contracts/mocks/MockChainlinkFeed.sol";
import {InvariantsSpec} from "../invariants/InvariantsSpec.sol";
import {World} from "../base/World.sol";
import {WithVm} from "../utils/Vm.sol";

/// @notice What every handler shares. A handler call that fails reverts with the protocol's error, so forge's
/// metrics count calls and reverts per handler; a call that breaks an action invariant records the violation in
/// the World and returns, so the record survives and the matching `invariant_…` check fails.
abstract contract HandlerBase is WithVm, InvariantsSpec {
    uint256 internal constant WAD = 1e18;
    /// @dev Longest time step of one call (feeds have a one-hour heartbeat and are refreshed after every step).
    uint256 internal constant MAX_STEP_SECONDS = 6 hours;

    World internal immutable world;

    constructor(World world_) {
        world = world_;
    }

    // ------------------------------------------------------------------------------------------------ breaker
    /// @dev `scope` or GLOBAL tripped: what `checkScope` refuses.
    function _blocked(bytes32 scope) internal view returns (bool) {
        ICircuitBreaker b = world.breaker();
        return b.isTripped(scope) || b.isTripped(Scopes.GLOBAL);
    }

    function _inGrace(bytes32 scope) internal view returns (bool) {
        return world.breaker().graceEndsAt(scope) > block.timestamp;
    }

    function _wethScope() internal view returns (bytes32) {
        return Scopes.asset(address(world.weth()));
    }

    /// @dev The account is valued at WETH's price: it has a position or debt (else nothing is priced) and holds WETH
    /// collateral or a position in an unsettled series (every series is on WETH).
    function _pricedInWeth(uint256 accountId) internal view returns (bool) {
        IOptionsClearing c = IOptionsClearing(address(world.clearing()));
        uint256[] memory ids = c.seriesOf(accountId);
        if (ids.length == 0 && c.debtOf(accountId) == 0) return false;
        if (c.collateralOf(accountId, address(world.wethVault())) != 0) return true;
        for (uint256 i; i < ids.length; ++i) if (!c.series(ids[i]).settled) return true;
        return false;
    }

    // ------------------------------------------------------------------------------------------------ errors
    function _selector(bytes memory err) internal pure returns (bytes4 s) {
        if (err.length >= 4) {
            assembly ("memory-safe") {
                s := mload(add(err, 32))
            }
        }
    }

    function _isBreakerError(bytes memory err) internal pure returns (bool) {
        bytes4 s = _selector(err);
        return s == ICircuitBreaker.ScopeTripped.selector || s == ICircuitBreaker.ScopeInGracePeriod.selector;
    }

    /// @dev Fail the handler call with the protocol's error (forge counts it as a revert of this handler).
    function _rethrow(bytes memory err) internal pure {
        assembly ("memory-safe") {
            revert(add(err, 32), mload(err))
        }
    }

    function _violate(string memory name, string memory detail) internal {
        world.recordViolation(name, detail);
    }

    // ------------------------------------------------------------------------------------------------ bounds
    function _bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        if (hi <= lo) return lo;
        return lo + (x % (hi - lo + 1));
    }

    // ------------------------------------------------------------------------------------------------ search
    /// @dev From the seeds' starting points, the first (actor, series) whose long tokens are nonzero.
    function _findLongTokens(uint256 actorSeed, uint256 seriesSeed, bool settledOnly)
        internal
        view
        returns (address holder, uint256 seriesId, uint256 balance)
    {
        IOptionsClearing c = IOptionsClearing(address(world.clearing()));
        address[] memory actors = world.actors();
        uint256[] memory ids = world.series();
        for (uint256 i; i < ids.length; ++i) {
            seriesId = ids[(seriesSeed + i) % ids.length];
            if (settledOnly && !c.series(seriesId).settled) continue;
            for (uint256 a; a < actors.length; ++a) {
                holder = actors[(actorSeed + a) % actors.length];
                balance = IERC1155(address(c)).balanceOf(holder, seriesId);
                if (balance != 0) return (holder, seriesId, balance);
            }
        }
        revert("no long tokens");
    }

    /// @dev From the seeds' starting points, the first (actor, series) whose account position has the wanted sign.
    function _findPosition(uint256 actorSeed, uint256 seriesSeed, bool long)
        internal
        view
        returns (address owner, uint256 seriesId, uint256 amount)
    {
        IOptionsClearing c = IOptionsClearing(address(world.clearing()));
        address[] memory actors = world.actors();
        uint256[] memory ids = world.series();
        for (uint256 i; i < ids.length; ++i) {
            seriesId = ids[(seriesSeed + i) % ids.length];
            for (uint256 a; a < actors.length; ++a) {
                owner = actors[(actorSeed + a) % actors.length];
                int256 p = c.positionOf(world.accountOf(owner), seriesId);
                if (long ? p > 0 : p < 0) return (owner, seriesId, uint256(long ? p : -p));
            }
        }
        revert("no such position");
    }

    // ------------------------------------------------------------------------------------------------ time, feeds
    /// @dev Let `dt` seconds pass and re-report every feed that is up at its current answer (a live feed does), so
    /// only the oracle handler's failures make sources stale.
    function _warp(uint256 dt) internal {
        vm.warp(block.timestamp + dt);
        _refreshFeeds();
    }

    function _refreshFeeds() internal {
        for (uint256 i; i < 3; ++i) {
            if (world.feedDown(i)) continue;
            MockChainlinkFeed f = world.feed(i);
            (, int256 answer, , , ) = f.latestRoundData();
            f.setAnswer(answer, block.timestamp);
        }
        try world.oracle().poke(address(world.weth())) {} catch {}
    }
}
