// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";
import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IVaultFactory} from "../interfaces/IVaultFactory.sol";
import {CollateralVault} from "./CollateralVault.sol";

/// @title VaultFactory
/// @notice Creates the CollateralVault of each approved asset with CREATE2 (salt = the asset), wired to the
/// factory's breaker and its AccessManager; at most one per asset.
/// @dev Embeds the vault's creation code; see `docs/vaults.md` for its size against EIP-170.
contract VaultFactory is AccessManaged, IVaultFactory {
    /// @notice The breaker every vault of this factory obeys.
    ICircuitBreaker public immutable BREAKER;

    mapping(address asset => address vault) private _vaults;

    constructor(ICircuitBreaker breaker, address authority) AccessManaged(authority) {
        BREAKER = breaker;
    }

    /// @inheritdoc IVaultFactory
    function createVault(
        address asset,
        string calldata name,
        string calldata symbol,
        uint256 depositCap,
        bool permissioned
    ) external restricted returns (address vault) {
        address existing = _vaults[asset];
        if (existing != address(0)) revert VaultAlreadyExists(asset, existing);
        vault = address(
            new CollateralVault{salt: _salt(asset)}(
                IERC20(asset),
                BREAKER,
                authority(),
                name,
                symbol,
                depositCap,
                permissioned
            )
        );
        _vaults[asset] = vault;
        emit VaultCreated(asset, vault, depositCap, permissioned);
    }

    /// @inheritdoc IVaultFactory
    function vaultOf(address asset) external view returns (address) {
        return _vaults[asset];
    }

    /// @inheritdoc IVaultFactory
    function predictVault(
        address asset,
        string calldata name,
        string calldata symbol,
        uint256 depositCap,
        bool permissioned
    ) external view returns (address) {
        bytes memory args = abi.encode(asset, BREAKER, authority(), name, symbol, depositCap, permissioned);
        bytes32 initCodeHash = keccak256(abi.encodePacked(type(CollateralVault).creationCode, args));
        return Create2.computeAddress(_salt(asset), initCodeHash);
    }

    function _salt(address asset) private pure returns (bytes32) {
        return bytes32(uint256(uint160(asset)));
    }
}
