// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {ICircuitBreaker} from "../../../contracts/interfaces/ICircuitBreaker.sol";
import {IOptionsClearing} from "../../../contracts/interfaces/IOptionsClearing.sol";
import {IOptionsExchange} from "../../../contracts/interfaces/IOptionsExchange.sol";
import {OptionsExchange} from "../../../contracts/exchange/OptionsExchange.sol";
import {Scopes} from "../../../contracts/libraries/Scopes.sol";
import {Order, Side} from "../../../contracts/types/Order.sol";
import {HandlerBase} from "./HandlerBase.sol";
import {World} from "../base/World.sol";
import {Vm} from "../utils/Vm.sol";

/// @notice Signed orders through the real exchange: the traders sign with their keys (`vm.sign`), a trader fills
/// another's fresh or resting order, the executor matches one taker order against one to three makers, an owner
/// cancels one order or every order below a new minimum nonce (a later fill must be refused). Inputs are bounded so
/// that most calls trade. After every trade: INV_EXCHANGE_PREMIUM from the clearing's Traded events and the
/// collateral moved, INV_BREAKER_GUARDS for a trade that grew a position, INV_INITIAL_MARGIN_AFTER_ACTION for every
/// account that grew; the ghost premiums and fills feed the state checks (InvariantsSpec's INV_EXCHANGE_PREMIUM and
/// INV_EXCHANGE_FILL_BOUNDS).
contract ExchangeHandler is HandlerBase {
    /// @dev The exchange's smallest fill (MIN_LOT_CONTRACTS_WAD).
    uint256 internal constant MIN_LOT = 1e15;
    uint256 internal constant USDC = 1e6;
    uint256 internal constant MAX_CONTRACTS = 5e18;
    /// @dev At most this many accounts trade in one call (the taker and up to three makers of other traders).
    uint256 internal constant MAX_PARTIES = 4;

    /// @dev One trade of a call, as the exchange hands it to the clearing.
    struct Leg {
        uint256 seller;
        uint256 buyer;
        uint256 amount;
        uint256 price;
        uint256 sellerFee;
        uint256 buyerFee;
    }

    /// @dev The parties' state before a call: quote shares, whether a lazy settlement or a debt repayment can move
    /// collateral in the same call, who grows a position, whether a growing trade meets a tripped guard.
    struct Before {
        uint256[MAX_PARTIES] ids;
        uint256[MAX_PARTIES] shares;
        bool[MAX_PARTIES] grows;
        uint256 n;
        uint256 fee;
        uint256 total;
        bool pending;
        bool blocked;
    }

    /// @dev What a match is drawn from: the taker, the seeds, the series, the taker's side and limit.
    struct MatchSpec {
        address taker;
        uint256 takerAccount;
        uint256 takerSeed;
        uint256 makerSeed;
        uint256 seriesId;
        bool takerSells;
        uint256 amountSeed;
        uint256 limit;
    }

    /// @dev The maker side of one match.
    struct Match {
        Order[] orders;
        bytes[] signatures;
        uint256[] amounts;
        Leg[] legs;
        bytes32[] hashes;
        uint256 total;
    }

    struct Signed {
        Order order;
        bytes signature;
        bytes32 hash;
    }

    IOptionsClearing internal immutable clearing;
    OptionsExchange internal immutable exchange;
    address internal immutable quoteVault;
    address internal immutable executor;
    uint256 internal immutable makerFee;
    uint256 internal immutable takerFee;

    Signed[] internal _orders;
    mapping(address owner => uint256) internal _nonce;

    constructor(World world_, address executor_) HandlerBase(world_) {
        clearing = IOptionsClearing(address(world_.clearing()));
        exchange = world_.exchange();
        quoteVault = address(world_.usdcVault());
        executor = executor_;
        IOptionsExchange.FeeSchedule memory fees = exchange.feeSchedule();
        (makerFee, takerFee) = (fees.makerFeePerContract, fees.takerFeePerContract);
    }

    // ============================================================================================ handlers

    /// @notice A trader takes a fresh order another trader signed, for part or all of it, at the maker's price.
    function fill(
        uint256 makerSeed,
        uint256 takerSeed,
        uint256 seriesSeed,
        bool makerSells,
        uint256 amountSeed,
        uint256 priceSeed
    ) external {
        (address maker, address taker) = _pair(makerSeed, takerSeed);
        uint256 seriesId = _openSeries(seriesSeed);
        uint256 amount = _amount(amountSeed, makerSells ? maker : taker);
        uint256 price = _bound(priceSeed, USDC, 150 * USDC);
        // The order is larger than this fill: what is left rests for `fillResting` and `cancel`.
        Signed storage s = _sign(
            maker,
            seriesId,
            makerSells ? Side.Sell : Side.Buy,
            amount * (2 + (amountSeed % 2)),
            price
        );
        _fill(s, taker, amount);
    }

    /// @notice A trader takes part of what is left of a resting order of the run: from the seed's, the first still
    /// open (unexpired, uncancelled, a lot left), else the seed's own (then refused as expired, cancelled or full).
    function fillResting(uint256 orderSeed, uint256 takerSeed, uint256 fractionBps) external {
        Signed storage s = _resting(orderSeed);
        (, address taker) = _pair(_indexOf(s.order.owner), takerSeed);
        uint256 left = s.order.amount - exchange.filled(s.hash);
        uint256 amount = (left * _bound(fractionBps, 1, 10_000)) / 10_000;
        _fill(s, taker, amount < MIN_LOT ? MIN_LOT : amount);
    }

    /// @notice The executor crosses one taker order against one to three makers of the other traders, each at its own
    /// price within the taker's limit.
    function matchOrders(
        uint256 takerSeed,
        uint256 makerSeed,
        uint256 seriesSeed,
        bool takerSells,
        uint256 amountSeed,
        uint256 priceSeed
    ) external {
        MatchSpec memory spec;
        spec.taker = _trader(takerSeed);
        spec.takerAccount = world.accountOf(spec.taker);
        spec.takerSeed = takerSeed;
        spec.makerSeed = makerSeed;
        spec.seriesId = _openSeries(seriesSeed);
        spec.takerSells = takerSells;
        spec.amountSeed = amountSeed;
        spec.limit = _bound(priceSeed, 20 * USDC, 150 * USDC);
        Match memory m = _makers(spec);
        Signed storage t = _sign(spec.taker, spec.seriesId, takerSells ? Side.Sell : Side.Buy, m.total, spec.limit);
        Before memory b = _before(spec.seriesId, m.legs);
        vm.recordLogs();
        vm.prank(executor);
        try exchange.matchOrders(t.order, t.signature, m.orders, m.signatures, m.amounts) {
            world.recordFill(t.hash, m.total);
            for (uint256 i; i < m.orders.length; ++i) world.recordFill(m.hashes[i], m.amounts[i]);
            _after(m.legs, b, "matchOrders");
        } catch (bytes memory err) {
            _rethrow(err);
        }
    }

    /// @dev The makers of a match: one to three orders of the other traders, better priced for the taker as i grows.
    function _makers(MatchSpec memory spec) private returns (Match memory m) {
        uint256 n = 1 + (spec.makerSeed % 3);
        m.orders = new Order[](n);
        m.signatures = new bytes[](n);
        m.amounts = new uint256[](n);
        m.legs = new Leg[](n);
        m.hashes = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            (, address maker) = _pair(spec.takerSeed, spec.makerSeed + i);
            uint256 amount = _amount(spec.amountSeed >> (i * 20), spec.takerSells ? maker : spec.taker) / n;
            m.amounts[i] = amount < MIN_LOT ? MIN_LOT : amount;
            m.total += m.amounts[i];
            uint256 price = spec.takerSells ? spec.limit + i * USDC : spec.limit - i * USDC;
            // Half the makers sign more than they fill here: the rest rests.
            uint256 signed = m.amounts[i] * (1 + ((spec.makerSeed >> (i + 8)) % 2));
            Signed storage o = _sign(maker, spec.seriesId, spec.takerSells ? Side.Buy : Side.Sell, signed, price);
            (m.orders[i], m.signatures[i], m.hashes[i]) = (o.order, o.signature, o.hash);
            m.legs[i] = _leg(o.order, spec.takerAccount, m.amounts[i]);
        }
    }

    /// @notice The owner cancels a resting order; a fill of it right after must be refused (as cancelled, or expired).
    function cancel(uint256 orderSeed, uint256 takerSeed) external {
        Signed storage s = _resting(orderSeed);
        bytes32[] memory hashes = new bytes32[](1);
        hashes[0] = s.hash;
        vm.prank(s.order.owner);
        exchange.cancel(hashes);
        if (!exchange.cancelled(s.order.owner, s.hash)) {
            return _violate(INV_EXCHANGE_FILL_BOUNDS, "cancel left the order uncancelled");
        }
        (, address taker) = _pair(_indexOf(s.order.owner), takerSeed);
        uint256 takerAccount = world.accountOf(taker);
        vm.prank(taker);
        try exchange.fill(s.order, s.signature, MIN_LOT, takerAccount, takerFee) {
            _violate(INV_EXCHANGE_FILL_BOUNDS, "a cancelled order was filled");
        } catch (bytes memory err) {
            bytes4 sel = _selector(err);
            if (sel != IOptionsExchange.OrderIsCancelled.selector && sel != IOptionsExchange.OrderExpired.selector) {
                _violate(INV_EXCHANGE_FILL_BOUNDS, "a cancelled order was refused for another reason");
            }
        }
    }

    /// @notice An owner cancels all its orders below a new minimum nonce (a resting order's nonce + 1): a fill of that
    /// order right after must be refused (below the minimum; or cancelled or expired before); a minimum that does not
    /// rise must be refused (NonceNotIncreasing) and leave the minimum unchanged.
    function setMinNonce(uint256 orderSeed, uint256 takerSeed) external {
        Signed storage s = _resting(orderSeed);
        address owner = s.order.owner;
        uint256 next = s.order.nonce + 1;
        uint256 current = exchange.minNonce(owner);
        if (next <= current) return _refuseMinNonce(owner, next, current);
        vm.prank(owner);
        exchange.setMinNonce(next);
        if (exchange.minNonce(owner) != next) return _violate(INV_EXCHANGE_FILL_BOUNDS, "setMinNonce did not set it");
        if (_nonce[owner] < next) _nonce[owner] = next;
        (, address taker) = _pair(_indexOf(owner), takerSeed);
        uint256 takerAccount = world.accountOf(taker);
        vm.prank(taker);
        try exchange.fill(s.order, s.signature, MIN_LOT, takerAccount, takerFee) {
            _violate(INV_EXCHANGE_FILL_BOUNDS, "an order below its owner's min nonce was filled");
        } catch (bytes memory err) {
            bytes4 sel = _selector(err);
            if (
                sel != IOptionsExchange.NonceBelowMin.selector && sel != IOptionsExchange.OrderIsCancelled.selector
                    && sel != IOptionsExchange.OrderExpired.selector
            ) {
                _violate(INV_EXCHANGE_FILL_BOUNDS, "an order below the min nonce was refused for another reason");
            }
        }
    }

    /// @dev A minimum nonce that does not rise is refused and changes nothing.
    function _refuseMinNonce(address owner, uint256 next, uint256 current) private {
        vm.prank(owner);
        try exchange.setMinNonce(next) {
            _violate(INV_EXCHANGE_FILL_BOUNDS, "setMinNonce accepted a minimum that does not rise");
        } catch (bytes memory err) {
            if (_selector(err) != IOptionsExchange.NonceNotIncreasing.selector) {
                _violate(INV_EXCHANGE_FILL_BOUNDS, "setMinNonce refused for another reason");
            }
        }
        if (exchange.minNonce(owner) != current) _violate(INV_EXCHANGE_FILL_BOUNDS, "a refused setMinNonce moved it");
    }

    // ============================================================================================ one fill

    /// @dev From the seed's, the first order of the run still open; the seed's own if none is; a fresh order of the
    /// seed's trader if the run has signed none yet.
    function _resting(uint256 seed) private returns (Signed storage) {
        uint256 n = _orders.length;
        if (n == 0) {
            address maker = _trader(seed);
            uint256 price = _bound(seed, USDC, 150 * USDC);
            return _sign(maker, _openSeries(seed), Side(seed % 2), _amount(seed, maker), price);
        }
        for (uint256 k; k < n; ++k) {
            Signed storage s = _orders[(seed + k) % n];
            Order storage o = s.order;
            if (o.expiry <= block.timestamp || exchange.cancelled(o.owner, s.hash)) continue;
            if (o.nonce < exchange.minNonce(o.owner)) continue;
            if (o.amount - exchange.filled(s.hash) >= MIN_LOT) return s;
        }
        return _orders[seed % n];
    }

    function _fill(Signed storage s, address taker, uint256 amount) private {
        uint256 takerAccount = world.accountOf(taker);
        Leg[] memory legs = new Leg[](1);
        legs[0] = _leg(s.order, takerAccount, amount);
        Before memory b = _before(s.order.seriesId, legs);
        vm.recordLogs();
        vm.prank(taker);
        try exchange.fill(s.order, s.signature, amount, takerAccount, takerFee) {
            world.recordFill(s.hash, amount);
            _after(legs, b, "fill");
        } catch (bytes memory err) {
            _rethrow(err);
        }
    }

    /// @dev The clearing's trade of `amount` of maker order `o` against `takerAccount`.
    function _leg(Order memory o, uint256 takerAccount, uint256 amount) private view returns (Leg memory t) {
        bool makerSells = o.side == Side.Sell;
        t.seller = makerSells ? o.accountId : takerAccount;
        t.buyer = makerSells ? takerAccount : o.accountId;
        t.amount = amount;
        t.price = o.limitPremiumPerContract;
        t.sellerFee = makerSells ? makerFee : takerFee;
        t.buyerFee = makerSells ? takerFee : makerFee;
    }

    // ============================================================================================ checks

    function _before(uint256 seriesId, Leg[] memory legs) private view returns (Before memory b) {
        int256[MAX_PARTIES] memory position;
        bool[MAX_PARTIES] memory seen;
        bool growing;
        for (uint256 k; k < legs.length; ++k) {
            Leg memory t = legs[k];
            uint256 s = _party(b, t.seller);
            uint256 u = _party(b, t.buyer);
            if (!seen[s]) (position[s], seen[s]) = (clearing.positionOf(t.seller, seriesId), true);
            if (!seen[u]) (position[u], seen[u]) = (clearing.positionOf(t.buyer, seriesId), true);
            int256 amount = int256(t.amount);
            // A side grows unless it only moves its position toward zero (TradeLogic `_move`).
            if (position[s] < amount) (b.grows[s], growing) = (true, true);
            if (position[u] > -amount) (b.grows[u], growing) = (true, true);
            position[s] -= amount;
            position[u] += amount;
        }
        for (uint256 i; i < b.n; ++i) {
            b.shares[i] = clearing.collateralOf(b.ids[i], quoteVault);
            if (clearing.debtOf(b.ids[i]) != 0) b.pending = true;
            uint256[] memory ids = clearing.seriesOf(b.ids[i]);
            for (uint256 j; j < ids.length; ++j) if (clearing.series(ids[j]).settled) b.pending = true;
        }
        uint256 feeAccount = exchange.feeAccountId();
        b.fee = feeAccount == 0 ? 0 : clearing.collateralOf(feeAccount, quoteVault);
        b.total = clearing.totalCollateral(quoteVault);
        ICircuitBreaker breaker = ICircuitBreaker(address(world.breaker()));
        b.blocked =
            growing &&
            (_blocked(Scopes.TRADE) || breaker.isTripped(Scopes.WRITE) || breaker.isTripped(_wethScope()));
    }

    function _after(Leg[] memory legs, Before memory b, string memory action) private {
        if (b.blocked) return _violate(INV_BREAKER_GUARDS, string.concat(action, " grew a position while guarded"));
        uint256 feeAccount = exchange.feeAccountId();
        if (feeAccount != world.feeAccount()) {
            return _violate(INV_EXCHANGE_PREMIUM, string.concat(action, " credited another fee account"));
        }
        (uint256 paid, uint256 received, int256[MAX_PARTIES] memory moved) = _traded(legs, b, action);
        uint256 feeGain = clearing.collateralOf(feeAccount, quoteVault) - b.fee;
        if (paid != received + feeGain) {
            return _violate(INV_EXCHANGE_PREMIUM, string.concat(action, ": buyers' debits != sellers' credits + fees"));
        }
        world.recordPremiums(paid, received, feeGain);
        if (!b.pending) {
            // Nothing else moved collateral in the call: each party moved its premiums exactly, the total is unchanged.
            if (clearing.totalCollateral(quoteVault) != b.total) {
                return _violate(INV_EXCHANGE_PREMIUM, string.concat(action, " changed the quote totalCollateral"));
            }
            for (uint256 i; i < b.n; ++i) {
                int256 actual = int256(clearing.collateralOf(b.ids[i], quoteVault)) - int256(b.shares[i]);
                if (actual != moved[i]) {
                    return _violate(INV_EXCHANGE_PREMIUM, string.concat(action, ": a party's shares != its trades"));
                }
            }
        }
        for (uint256 i; i < b.n; ++i) if (b.grows[i]) _checkInitial(b.ids[i], action);
    }

    /// @dev The clearing's Traded events of the call, leg by leg: the shares paid and received, each within what the
    /// signed price (with each side's fee) is worth, and each party's net move.
    function _traded(Leg[] memory legs, Before memory b, string memory action)
        private
        returns (uint256 paid, uint256 received, int256[MAX_PARTIES] memory moved)
    {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        IERC4626 vault = IERC4626(quoteVault);
        uint256 k;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(clearing) || logs[i].topics[0] != IOptionsClearing.Traded.selector) continue;
            (uint256 amount, uint256 paidShares, uint256 receivedShares) = abi.decode(
                logs[i].data,
                (uint256, uint256, uint256)
            );
            Leg memory t = legs[k++];
            if (uint256(logs[i].topics[1]) != t.seller || uint256(logs[i].topics[2]) != t.buyer || amount != t.amount) {
                _violate(INV_EXCHANGE_PREMIUM, string.concat(action, ": a trade differs from the orders matched"));
            }
            if (
                vault.convertToAssets(paidShares) < (t.amount * (t.price + t.buyerFee)) / WAD ||
                vault.convertToAssets(receivedShares) > (t.amount * (t.price - t.sellerFee)) / WAD
            ) _violate(INV_EXCHANGE_PREMIUM, string.concat(action, ": a premium off the signed price"));
            paid += paidShares;
            received += receivedShares;
            moved[_index(b, t.buyer)] -= int256(paidShares);
            moved[_index(b, t.seller)] += int256(receivedShares);
        }
        if (k != legs.length) _violate(INV_EXCHANGE_PREMIUM, string.concat(action, ": Traded events != trades"));
    }

    function _checkInitial(uint256 accountId, string memory action) private {
        try clearing.health(accountId) returns (IOptionsClearing.Health memory h) {
            if (h.collateralValueWad < h.initialWad) {
                _violate(INV_INITIAL_MARGIN_AFTER_ACTION, string.concat(action, " left a party below initial margin"));
            }
        } catch {
            if (_pricedInWeth(accountId)) {
                _violate(INV_INITIAL_MARGIN_AFTER_ACTION, string.concat(action, " passed but health() reverts"));
            }
        }
    }

    // ============================================================================================ helpers

    /// @dev Sign a fresh order of `owner`'s account with its key; recorded for the fill-bounds check.
    function _sign(address owner, uint256 seriesId, Side side, uint256 amount, uint256 price)
        private
        returns (Signed storage s)
    {
        Order memory o;
        o.accountId = world.accountOf(owner);
        o.owner = owner;
        o.signer = owner;
        o.seriesId = seriesId;
        o.side = side;
        o.amount = amount;
        o.limitPremiumPerContract = price;
        o.maxFeePerContract = takerFee;
        o.nonce = _nonce[owner]++;
        // Most orders rest three days (every governance resume jumps two days); one in four rests 12 hours.
        o.expiry = uint64(block.timestamp + (o.nonce % 4 == 0 ? 12 hours : 3 days));
        bytes32 hash = exchange.hashOrder(o);
        (uint8 v, bytes32 r, bytes32 sig) = vm.sign(world.keyOf(owner), hash);
        s = _orders.push();
        s.order = o;
        s.signature = abi.encodePacked(r, sig, v);
        s.hash = hash;
        world.recordOrder(hash, amount);
    }

    /// @dev The traders: every actor but the last (the keeper, the executor).
    function _trader(uint256 seed) private view returns (address) {
        address[] memory actors = world.actors();
        return actors[seed % (actors.length - 1)];
    }

    function _indexOf(address trader) private view returns (uint256 i) {
        address[] memory actors = world.actors();
        while (actors[i] != trader) ++i;
    }

    /// @dev Two distinct traders: the first from `a`, the second from `b` among the others.
    function _pair(uint256 a, uint256 b) private view returns (address first, address second) {
        uint256 n = world.actors().length - 1;
        first = _trader(a);
        second = _trader((a % n) + 1 + (b % (n - 1)));
    }

    /// @dev Up to half the contracts the seller's headroom over initial margin roughly carries (40% of spot each), so
    /// most trades pass the margin check and some meet it.
    function _amount(uint256 seed, address seller) private view returns (uint256) {
        uint256 cap = 0.01e18;
        try clearing.health(world.accountOf(seller)) returns (IOptionsClearing.Health memory h) {
            if (h.collateralValueWad > h.initialWad) {
                (, uint256 spot, ) = world.oracle().latestRound(address(world.weth()));
                cap = ((h.collateralValueWad - h.initialWad) * WAD) / ((spot * 4) / 5);
            }
        } catch {}
        if (cap > MAX_CONTRACTS) cap = MAX_CONTRACTS;
        if (cap < 0.01e18) cap = 0.01e18;
        return _bound(seed, 0.01e18, cap);
    }

    /// @dev From the seed's starting point, the first listed series still open for trading.
    function _openSeries(uint256 seed) private view returns (uint256 seriesId) {
        uint256[] memory ids = world.series();
        for (uint256 i; i < ids.length; ++i) {
            seriesId = ids[(seed + i) % ids.length];
            IOptionsClearing.Series memory s = clearing.series(seriesId);
            if (!s.settled && s.expiry > block.timestamp && clearing.writtenOff(seriesId) == 0) return seriesId;
        }
        revert("no open series");
    }

    function _party(Before memory b, uint256 accountId) private pure returns (uint256 i) {
        for (; i < b.n; ++i) if (b.ids[i] == accountId) return i;
        b.ids[b.n] = accountId;
        return b.n++;
    }

    function _index(Before memory b, uint256 accountId) private pure returns (uint256 i) {
        while (b.ids[i] != accountId) ++i;
    }
}
