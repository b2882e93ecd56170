// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ProtocolTimelock} from "../../../contracts/governance/ProtocolTimelock.sol";
import {CircuitBreaker} from "../../../contracts/breaker/CircuitBreaker.sol";
import {OracleAggregator} from "../../../contracts/oracle/OracleAggregator.sol";
import {InsuranceVault} from "../../../contracts/vaults/InsuranceVault.sol";
import {OptionsClearing} from "../../../contracts/options/OptionsClearing.sol";
import {OptionsExchange} from "../../../contracts/exchange/OptionsExchange.sol";
import {MockERC20} from "../../../contracts/mocks/tokens/MockERC20.sol";
import {MockChainlinkFeed} from "../../../contracts/mocks/MockChainlinkFeed.sol";
import {ICollateralVault} from "../../../contracts/interfaces/ICollateralVault.sol";

/// @notice What the handlers share and the checks read: the deployed suite, the actors and their accounts, the listed
/// series, and the ghost variables (violations of the action invariants each handler checks, outflow records).
/// Not a fuzz target.
contract World {
    struct Flow {
        uint64 at;
        uint256 assets;
    }

    ProtocolTimelock public immutable timelock;
    CircuitBreaker public immutable breaker;
    OracleAggregator public immutable oracle;
    MockERC20 public immutable usdc;
    MockERC20 public immutable weth;
    ICollateralVault public immutable usdcVault;
    ICollateralVault public immutable wethVault;
    InsuranceVault public immutable insurance;
    OptionsClearing public immutable clearing;
    address public immutable governor;
    address public immutable guardian;
    address public immutable lister;
    MockChainlinkFeed[3] internal _feeds;

    /// @dev Traders, then the keeper (the liquidator); each owns one clearing account.
    address[] internal _actors;
    mapping(address actor => uint256 accountId) public accountOf;
    uint256[] internal _series;
    /// @dev Honest depositors of each collateral vault, who never act after their deposit (INV_VAULT_NO_THEFT).
    mapping(address vault => uint256 assets) public honestDeposit;
    address public constant HONEST = address(0x40e57);

    mapping(string name => uint256 count) public violations;
    string public lastViolation;
    uint256 public violationCount;

    /// @dev Feeds the oracle handler took down (stale or reverting): refreshes after a warp leave them down.
    mapping(uint256 index => bool down) public feedDown;

    /// @dev The exchange, its fee account (owned by no actor, summed by the book checks) and the actors' signing keys.
    OptionsExchange public exchange;
    uint256 public feeAccount;
    mapping(address actor => uint256 privateKey) public keyOf;

    /// @dev Every order the exchange handler signed in this run, its amount and what the ghost model says is filled.
    bytes32[] internal _orderHashes;
    mapping(bytes32 orderHash => uint256 amount) public orderAmount;
    mapping(bytes32 orderHash => uint256 amount) public ghostFilled;
    /// @dev Premiums in quote-vault shares over the run: paid by buyers, received by sellers, credited as fees.
    uint256 public premiumsPaid;
    uint256 public premiumsReceived;
    uint256 public feesCredited;

    Flow[] internal _wethOutflows;
    Flow[] internal _wethInflows;
    uint256 public maxWethLiquidity;

    constructor(
        ProtocolTimelock timelock_,
        CircuitBreaker breaker_,
        OracleAggregator oracle_,
        MockERC20 usdc_,
        MockERC20 weth_,
        MockChainlinkFeed[3] memory feeds_,
        ICollateralVault usdcVault_,
        ICollateralVault wethVault_,
        InsuranceVault insurance_,
        OptionsClearing clearing_,
        address[3] memory roles
    ) {
        (timelock, breaker, oracle, usdc, weth) = (timelock_, breaker_, oracle_, usdc_, weth_);
        _feeds = feeds_;
        (usdcVault, wethVault, insurance, clearing) = (usdcVault_, wethVault_, insurance_, clearing_);
        (governor, guardian, lister) = (roles[0], roles[1], roles[2]);
    }

    // ------------------------------------------------------------------------------------------------ set-up
    function addActor(address who, uint256 accountId) external {
        _actors.push(who);
        accountOf[who] = accountId;
    }

    function setKey(address who, uint256 privateKey) external {
        keyOf[who] = privateKey;
    }

    function setExchange(OptionsExchange exchange_, uint256 feeAccount_) external {
        (exchange, feeAccount) = (exchange_, feeAccount_);
    }

    function addSeries(uint256 seriesId) external {
        _series.push(seriesId);
    }

    function setHonestDeposit(address vault, uint256 assets) external {
        honestDeposit[vault] = assets;
    }

    // ------------------------------------------------------------------------------------------------ ghosts
    /// @notice A handler saw an action break invariant `name`: the checks fail on any count.
    function recordViolation(string calldata name, string calldata detail) external {
        violations[name] += 1;
        violationCount += 1;
        lastViolation = string.concat(name, ": ", detail);
    }

    function recordOrder(bytes32 orderHash, uint256 amount) external {
        _orderHashes.push(orderHash);
        orderAmount[orderHash] = amount;
    }

    function recordFill(bytes32 orderHash, uint256 amount) external {
        ghostFilled[orderHash] += amount;
    }

    function recordPremiums(uint256 paid, uint256 received, uint256 fees) external {
        premiumsPaid += paid;
        premiumsReceived += received;
        feesCredited += fees;
    }

    function setFeedDown(uint256 index, bool down) external {
        feedDown[index] = down;
    }

    function recordWethOutflow(uint256 assets) external {
        _wethOutflows.push(Flow(uint64(block.timestamp), assets));
    }

    function recordWethInflow(uint256 assets) external {
        _wethInflows.push(Flow(uint64(block.timestamp), assets));
    }

    function observeWethLiquidity(uint256 liquidity) external {
        if (liquidity > maxWethLiquidity) maxWethLiquidity = liquidity;
    }

    // ------------------------------------------------------------------------------------------------ views
    function feed(uint256 i) external view returns (MockChainlinkFeed) {
        return _feeds[i];
    }

    function actors() external view returns (address[] memory) {
        return _actors;
    }

    function actor(uint256 seed) external view returns (address) {
        return _actors[seed % _actors.length];
    }

    function orderHashes() external view returns (bytes32[] memory) {
        return _orderHashes;
    }

    /// @notice Every clearing account the book checks sum over: the actors' and the exchange's fee account.
    function accounts() external view returns (uint256[] memory ids) {
        uint256 n = _actors.length;
        ids = new uint256[](feeAccount == 0 ? n : n + 1);
        for (uint256 i; i < n; ++i) ids[i] = accountOf[_actors[i]];
        if (feeAccount != 0) ids[n] = feeAccount;
    }

    function series() external view returns (uint256[] memory) {
        return _series;
    }

    function seriesCount() external view returns (uint256) {
        return _series.length;
    }

    function seriesAt(uint256 seed) external view returns (uint256) {
        return _series[seed % _series.length];
    }

    /// @notice WETH left the vault within (`since`, now].
    function wethOutflowSince(uint256 since) external view returns (uint256) {
        return _since(_wethOutflows, since);
    }

    /// @notice WETH deposited into the vault within (`since`, now].
    function wethInflowSince(uint256 since) external view returns (uint256) {
        return _since(_wethInflows, since);
    }

    function _since(Flow[] storage flows, uint256 since) private view returns (uint256 total) {
        for (uint256 i = flows.length; i > 0; --i) {
            Flow memory o = flows[i - 1];
            if (o.at <= since) break;
            total += o.assets;
        }
    }
}
