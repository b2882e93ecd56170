// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {IInsuranceStaking} from "../../../contracts/interfaces/IInsuranceStaking.sol";
import {MockERC20} from "../../../contracts/mocks/tokens/MockERC20.sol";
import {HandlerBase} from "./HandlerBase.sol";
import {World} from "../base/World.sol";

/// @notice Insurance stakers: stakes, withdrawal requests, cancellations and exits after the cooldown (time passes
/// to the request's claimable time when the staker exits early).
contract InsuranceHandler is HandlerBase {
    address[2] internal _stakers = [address(0x57a1), address(0x57a2)];

    constructor(World world_) HandlerBase(world_) {}

    function stake(uint256 stakerSeed, uint256 assets) external {
        address staker = _stakers[stakerSeed % 2];
        assets = _bound(assets, 1e6, 20_000e6);
        MockERC20 usdc = world.usdc();
        IERC4626 vault = IERC4626(address(world.insurance()));
        usdc.mint(staker, assets);
        vm.startPrank(staker);
        usdc.approve(address(vault), assets);
        vault.deposit(assets, staker);
        vm.stopPrank();
    }

    function requestWithdraw(uint256 stakerSeed, uint256 fractionBps) external {
        address staker = _stakers[stakerSeed % 2];
        IERC4626 vault = IERC4626(address(world.insurance()));
        uint256 shares = (vault.balanceOf(staker) * _bound(fractionBps, 1, 10_000)) / 10_000;
        vm.prank(staker);
        IInsuranceStaking(address(vault)).requestWithdraw(shares);
    }

    function cancelWithdraw(uint256 stakerSeed) external {
        IInsuranceStaking staking = IInsuranceStaking(address(world.insurance()));
        address staker = _stakers[stakerSeed % 2];
        if (staking.withdrawalRequest(staker).shares == 0) staker = _stakers[(stakerSeed + 1) % 2];
        vm.prank(staker);
        staking.cancelWithdraw();
    }

    function exit(uint256 stakerSeed) external {
        IInsuranceStaking staking = IInsuranceStaking(address(world.insurance()));
        address staker = _stakers[stakerSeed % 2];
        IInsuranceStaking.WithdrawalRequest memory q = staking.withdrawalRequest(staker);
        if (q.shares == 0 || q.expiresAt <= block.timestamp) {
            staker = _stakers[(stakerSeed + 1) % 2];
            q = staking.withdrawalRequest(staker);
        }
        if (q.shares == 0 || q.expiresAt <= block.timestamp) {
            // No live request: the staker asks for half its stake now and waits out the cooldown.
            uint256 shares = IERC4626(address(staking)).balanceOf(staker) / 2;
            vm.prank(staker);
            staking.requestWithdraw(shares);
            q = staking.withdrawalRequest(staker);
        }
        if (q.claimableAt > block.timestamp) _warp(q.claimableAt - block.timestamp);
        vm.prank(staker);
        IERC4626(address(staking)).redeem(q.shares, staker, staker);
    }

    function stakers() external view returns (address[2] memory) {
        return _stakers;
    }
}
