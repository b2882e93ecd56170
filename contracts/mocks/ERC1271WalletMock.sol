// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @notice Test-only ERC-1271 wallet: accepts a digest signed by its owner key unless told to refuse everything
/// (a stand-in until the Safe of issue 21).
contract ERC1271WalletMock is IERC1271 {
    address public immutable OWNER;
    bool public refuse;

    constructor(address owner) {
        OWNER = owner;
    }

    function setRefuse(bool refuse_) external {
        refuse = refuse_;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, signature);
        if (refuse || err != ECDSA.RecoverError.NoError || recovered != OWNER) return 0xffffffff;
        return IERC1271.isValidSignature.selector;
    }
}
