/**
 * Prices and time: moves within the band, gaps beyond it (the poke trips WETH's scope), source failures (stale or
 * reverting; with quorum lost the oracle refuses and poke trips the scope), and time passing with fresh reports.
 */
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD } from "../../../../scripts/lib/math/wad";
import { errorName } from "../../../shared/campaign/harness";
import { HOUR } from "../../../shared/fixtures/system";
import { INV, assertInvariant } from "../../../shared/invariants";
import { attempt } from "../expectations";
import { emitted, noteTrip, oracleDown, report } from "../model";
import { SPOT_MAX, SPOT_MIN, STALE_SECONDS, stats } from "../world";
import type { Handler } from "./handler";

export const spot: Handler = {
  kind: "spot",
  weight: 3,
  async run(w, p) {
    // A move of -15% .. +15%, kept within [SPOT_MIN, SPOT_MAX]; several within one band window can add up to a
    // breach, which `report` predicts.
    const moveWad = ((BigInt(p.permille) - 500n) * 3n * WAD) / 10_000n;
    let next = (w.spot * (WAD + moveWad)) / WAD;
    next = next < SPOT_MIN ? SPOT_MIN : next > SPOT_MAX ? SPOT_MAX : next;
    await report(w, next);
    stats.inc(stats.ok, "setSpot");
  },
};

export const gap: Handler = {
  kind: "gap",
  weight: 2,
  async run(w, p) {
    // A gap beyond the band: down 55% .. 90% or up 55% .. 150% (vault picks the direction), within
    // [SPOT_MIN, SPOT_MAX]. The poke reports the jump and the breaker trips the asset's scope (unless the clamp
    // kept the move inside the band, which `report` predicts too).
    const up = p.vault === 1;
    const pct = 55n + (BigInt(p.permille) * (up ? 95n : 35n)) / 1000n;
    let next = up ? (w.spot * (100n + pct)) / 100n : (w.spot * (100n - pct)) / 100n;
    next = next < SPOT_MIN ? SPOT_MIN : next > SPOT_MAX ? SPOT_MAX : next;
    stats.gaps++;
    await report(w, next);
  },
};

export const oracleFailure: Handler = {
  kind: "oracleFailure",
  weight: 1,
  async run(w, p) {
    // One to three of the three sources fail: stale (last update two heartbeats ago) or reverting. The keeper pokes:
    // with fewer fresh sources than the quorum, poke reports the loss to the breaker (the asset's scope trips) and
    // getPrice refuses with QuorumNotMet; otherwise the median of the fresh ones is still the price.
    const { oracle, feeds, keeper } = w.book;
    const kind = p.vault === 0 ? "stale" : "revert";
    const count = 1 + (p.permille % w.sources);
    const at = await time.latest();
    for (let k = 0; k < count; k++) {
      const i = (p.series + k) % w.sources;
      if (kind === "revert") {
        await feeds[i].setMode(1);
        w.failed.set(i, "revert");
      } else {
        await feeds[i].setAnswer(w.spot / 10n ** 10n, at - STALE_SECONDS);
        if (w.failed.get(i) !== "revert") w.failed.set(i, "stale");
      }
    }
    stats.oracleFailures++;
    await attempt(w, "poke", () => oracle.connect(keeper).poke(w.weth), { must: "succeed" });
    const events = emitted(w, oracle, await oracle.getAddress());
    let served = "price";
    try {
      const [price] = await oracle.getPrice(w.weth);
      expect(price, "the fresh sources' median").to.equal(w.spot);
    } catch (e) {
      served = errorName(w, e);
    }
    const fresh = w.sources - w.failed.size;
    if (oracleDown(w)) {
      assertInvariant(
        INV.ORACLE_PRICE_VALIDITY,
        served === "QuorumNotMet" && events.includes("QuorumLossReported"),
        () =>
          `${fresh} fresh of quorum ${w.quorum}: getPrice gave ${served}, poke emitted ${events.join(",")}`,
      );
      noteTrip(w, "ASSET", "quorum");
      stats.quorumLost++;
    } else {
      assertInvariant(
        INV.ORACLE_PRICE_VALIDITY,
        served === "price" &&
          !events.includes("QuorumLossReported") &&
          !events.includes("PriceBandBreachReported"),
        () =>
          `${fresh} fresh of quorum ${w.quorum}: getPrice gave ${served}, poke emitted ${events.join(",")}`,
      );
    }
  },
};

export const timePasses: Handler = {
  kind: "time",
  weight: 2,
  async run(w, p) {
    // 10 minutes .. 10 hours; keepers re-report the price afterwards (sources have a one-hour heartbeat).
    const seconds = 600 + Math.floor(((10 * HOUR - 600) * p.permille) / 1000);
    await time.increase(seconds);
    await report(w, w.spot);
    stats.inc(stats.ok, "timePassed");
  },
};
