/**
 * The engine: one scenario on the deployed suite. Setup (series listed, insurance staked, keepers and writers
 * funded, books written), then per step: the feeds report the path, the oracle is poked, the guardian and
 * governance react, writers top up, keepers flag and liquidate, and the step's state is recorded from views.
 * The caller starts every scenario from the same chain state (an EVM snapshot taken after the deployment).
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { feedAnswer } from "../lib/deploy/mocks";
import { Scopes } from "../lib/scopes";
import { WAD } from "../lib/math/wad";
import {
  Governance,
  Guardian,
  Keeper,
  Writer,
  stake,
  type LiquidationRecord,
  type Listed,
  type Tracked,
} from "./agents";
import { Chain } from "./chain";
import { guardianFor, type LegSpec, type ScenarioSpec, type StressConfig } from "./scenarios";
import {
  breakerTimes,
  checks,
  liquidationJson,
  num,
  readEvents,
  type AccountSnapshot,
  type BreakerState,
  type ScenarioResult,
  type StepRecord,
  type WriterBook,
} from "./metrics";
import { feedQuote, marketPath, scaleWad } from "./paths";
import type { Suite } from "./suite";

type Log = (line: string) => void;

const OUTCOMES = ["recorded", "unchanged", "quorum-loss", "band-breach", "sequencer-down"];

export async function runScenario(
  suite: Suite,
  config: StressConfig,
  scenario: ScenarioSpec,
  log: Log = () => undefined,
): Promise<ScenarioResult> {
  const provider = suite.deployer.provider as unknown as ConstructorParameters<typeof Chain>[0];
  const chain = new Chain(provider);
  const asset = await suite.asset.getAddress();
  const assetScope = Scopes.asset(asset);
  const source = suite.deployConfig.assets[suite.assetSymbol].sources[0];
  const s0Wad = source.initialPriceWad;
  const s0 = num(s0Wad);
  const dt = config.stepSeconds;
  const path = marketPath(scenario.path, scenario.steps, dt, scenario.seed);
  const faults = scenario.faults ?? [];
  const guardianSpec = guardianFor(config, scenario.guardian);
  log(`scenario ${scenario.name}: seed ${scenario.seed}, ${scenario.steps} steps of ${dt} s`);

  // ----------------------------------------------------------------------------------------- setup
  // At the configured start time (at least two hours after the deployment, so every feed has aged out): every
  // feed re-reports the initial price and a poke rolls the band window, so the scenario starts from the same
  // oracle state and the same absolute time whatever the deployment's wall-clock time was.
  const earliest = (await chain.latest()) + 2 * 3600;
  const configured = Math.floor(Date.parse(config.startTime) / 1000);
  await chain.mineAt(earliest <= configured ? configured : Math.ceil(earliest / 86_400) * 86_400);
  const t0 = chain.cursor;
  for (const [i, feed] of suite.feeds.entries()) {
    const answer = feedAnswer(s0Wad, suite.feedDecimals[i]);
    await chain.must("setup", "feed", () => feed.setAnswer(answer, t0));
  }
  await chain.must("setup", "poke", () => suite.oracle.connect(suite.deployer).poke(asset));

  const agents = [...suite.pool];
  const take = (): HardhatEthersSigner => {
    const s = agents.shift();
    if (s === undefined) throw new Error("stress: not enough signers for the agents");
    return s;
  };
  const writerSpecs = scenario.writers ?? config.agents.writers;
  const writers = writerSpecs.map((w) => new Writer(w, take()));
  const keepers = (scenario.keepers ?? config.agents.keepers).map((k) => new Keeper(k, take()));
  const buyers = Array.from({ length: config.agents.buyers }, take);
  const stakers = config.agents.stakers.map((s) => ({ spec: s, signer: take() }));
  const guardian = new Guardian(guardianSpec, suite.guardian);
  const governance = new Governance(config.agents.governance, suite.safeOwners);

  const expiry = BigInt(t0 + Math.round(config.expiryDays * 86_400));
  const listed = new Map<string, Listed>();
  const seriesOf = (leg: LegSpec): Listed => {
    const s = listed.get(`${leg.type}:${leg.strike}`);
    if (s === undefined) throw new Error(`stress: series ${leg.type} ${leg.strike} not listed`);
    return s;
  };
  for (const leg of writerSpecs.flatMap((w) => w.legs)) {
    const key = `${leg.type}:${leg.strike}`;
    if (listed.has(key)) continue;
    const strikeWad = (scaleWad(s0Wad, leg.strike) / (10n * WAD)) * 10n * WAD; // whole tens of quote
    const isCall = leg.type === "call";
    await chain.must("setup", `list ${key}`, () =>
      suite.clearing.connect(suite.lister).listSeries(asset, strikeWad, expiry, isCall),
    );
    const id = await suite.clearing.seriesIdOf(asset, strikeWad, expiry, isCall);
    listed.set(key, { id, label: `${leg.type} ${num(strikeWad)}`, strikeWad, expiry, isCall });
  }
  for (const s of stakers) await stake(suite, chain, s.spec, s.signer);
  for (const k of keepers) await k.open(suite, chain);
  let buyerCursor = 0;
  for (const w of writers) await w.open(suite, chain, seriesOf, buyers, () => buyerCursor++);
  const books: WriterBook[] = [];
  for (const w of writers) {
    const h = await suite.clearing.health(w.account.id);
    const legs = [];
    for (const leg of w.spec.legs) {
      const s = seriesOf(leg);
      legs.push({
        series: s.label,
        contracts: -Number(await suite.clearing.positionOf(w.account.id, s.id)) / 1e18,
      });
    }
    books.push({
      writer: w.spec.name,
      collateral: w.spec.collateral,
      collateralValue: num(h.collateralValueWad),
      initial: num(h.initialWad),
      maintenance: num(h.maintenanceWad),
      legs,
    });
  }

  const tracked: Tracked[] = [...writers.map((w) => w.account), ...keepers.map((k) => k.account)];
  const insuranceStartWad = await insuranceAssetsWad(suite);
  const shareUnit = 10n ** (await suite.insurance.decimals());
  const sharePriceStart = Number(await suite.insurance.convertToAssets(shareUnit));
  const startBlock = await suite.deployer.provider.getBlockNumber();
  const tStart = chain.cursor;

  // ----------------------------------------------------------------------------------------- steps
  const trace: StepRecord[] = [];
  const records: LiquidationRecord[] = [];
  const firstSeen = new Map<bigint, number>();
  const flagged = new Set<bigint>();
  const lastFeed: number[] = suite.feeds.map(() => s0);
  let previous: number | null = s0;
  let refusedStreak = 0;
  let cum = { badDebt: 0n, drawn: 0n, socialised: 0n };

  const snapshot = async (): Promise<AccountSnapshot[]> => {
    const out: AccountSnapshot[] = [];
    for (const a of tracked) {
      try {
        const h = await suite.clearing.health(a.id);
        const c = num(h.collateralValueWad);
        const m = num(h.maintenanceWad);
        out.push({ name: a.name, role: a.role, collateral: c, maintenance: m, ratio: m > 0 ? c / m : null });
      } catch {
        out.push({ name: a.name, role: a.role, collateral: null, maintenance: null, ratio: null });
      }
    }
    return out;
  };
  const below = async (a: Tracked): Promise<boolean | null> => {
    try {
      const h = await suite.clearing.health(a.id);
      return h.collateralValueWad < h.maintenanceWad;
    } catch {
      return null; // no price: nobody can tell
    }
  };

  for (let step = 1; step <= scenario.steps; step++) {
    await chain.mineAt(t0 + step * dt);
    const notes: string[] = [];
    const market = s0 * path[step];

    // 1. The feeds report the market (or their fault), then the oracle keeper pokes.
    for (const [i, feed] of suite.feeds.entries()) {
      const q = feedQuote(faults, i, step);
      if (!q.update) continue;
      const priceWad = scaleWad(s0Wad, path[step] * q.factor);
      const at = chain.cursor;
      await chain.must("setup", `feed ${i}`, () =>
        feed.setAnswer(feedAnswer(priceWad, suite.feedDecimals[i]), at),
      );
      lastFeed[i] = num(priceWad);
    }
    const poke = await chain.send("oracle", () => suite.oracle.connect(keepers[0].signer).poke(asset));
    let oracleOutcome = "refused";
    if (poke.ok && poke.receipt !== undefined) {
      const outcome = await outcomeOf(suite, poke.receipt.logs);
      oracleOutcome = outcome;
      if (outcome === "band-breach" || outcome === "quorum-loss") notes.push(`oracle reports ${outcome}`);
    } else {
      oracleOutcome = `refused: ${(poke.error ?? "").replace(/\(.*$/, "")}`;
    }
    let price: number | null = null;
    try {
      const [p] = await suite.oracle.getPrice(asset);
      price = num(p);
    } catch {
      price = null;
    }
    refusedStreak = price === null ? refusedStreak + 1 : 0;

    // 2. Guardian and governance.
    const tripped = async () => (await suite.breaker.scopeState(assetScope)).reason !== 0n;
    const g = await guardian.act(suite, chain, { price, previous, refusedStreak, tripped: await tripped() });
    if (g !== undefined) notes.push(g);
    notes.push(
      ...(await governance.act(suite, chain, {
        step,
        priceServed: price !== null,
        refusedStreak,
        tripped: await tripped(),
      })),
    );
    if (price !== null) previous = price;

    // 3. Writers top up.
    const before = await snapshot();
    for (const w of writers) {
      const ratio = before.find((a) => a.name === w.spec.name)?.ratio ?? null;
      const n = await w.maybeTopUp(suite, chain, ratio);
      if (n !== undefined) notes.push(n);
    }

    // 4. Keepers: see, wait their latency, flag while blocked, liquidate when allowed.
    for (const a of tracked) {
      const b = await below(a);
      if (b === true) firstSeen.set(a.id, firstSeen.get(a.id) ?? step);
      else if (b === false) firstSeen.delete(a.id);
    }
    let stepLiquidations = 0;
    let stepVolume = 0n;
    const byLatency = [...keepers].sort((x, y) => x.spec.latencySteps - y.spec.latencySteps);
    for (const k of byLatency) {
      for (const a of tracked) {
        const seen = firstSeen.get(a.id);
        if (seen === undefined || step < seen + k.spec.latencySteps || a.owner === k.signer) continue;
        if ((await below(a)) !== true) continue;
        if (!(await Keeper.liquidationsAllowed(suite))) {
          if (!flagged.has(a.id) && (await k.flag(suite, chain, a))) {
            flagged.add(a.id);
            notes.push(`${k.spec.name} flags ${a.name} (liquidations blocked)`);
          }
          continue;
        }
        const rec = await k.liquidate(suite, chain, step, a);
        if (rec === undefined) continue;
        flagged.delete(a.id);
        records.push(rec);
        stepLiquidations++;
        stepVolume += rec.result.liabilityWad;
        cum = {
          badDebt: cum.badDebt + rec.deficitWad,
          drawn: cum.drawn + rec.result.coveredWad,
          socialised: cum.socialised + rec.result.socialisedWad,
        };
        const pct = (Number(rec.result.fractionWad) / 1e16).toFixed(0);
        notes.push(
          `${k.spec.name} liquidates ${pct}% of ${a.name}` +
            (rec.deficitWad > 0n ? ` (bad debt ${num(rec.deficitWad).toFixed(0)})` : ""),
        );
      }
    }

    // 5. Record the step.
    const accounts = await snapshot();
    trace.push({
      step,
      t: chain.cursor - tStart,
      market,
      feeds: [...lastFeed],
      oracle: price,
      oracleOutcome,
      breaker: await breakerState(suite, assetScope, chain.cursor),
      accounts,
      unhealthy: accounts.filter((x) => x.ratio !== null && x.ratio < 1).length,
      liquidations: stepLiquidations,
      liquidatedVolume: num(stepVolume),
      badDebt: num(cum.badDebt),
      insuranceDrawn: num(cum.drawn),
      socialised: num(cum.socialised),
      insuranceAssets: num(await insuranceAssetsWad(suite)),
      notes,
    });
    if (notes.length > 0) log(`  step ${step}: ${notes.join("; ")}`);
  }

  // ----------------------------------------------------------------------------------------- summary
  const endBlock = await suite.deployer.provider.getBlockNumber();
  const events = await readEvents(suite, startBlock + 1, endBlock);
  const insuranceEndWad = await insuranceAssetsWad(suite);
  const openInterest = [];
  for (const s of listed.values()) {
    const [shorts, inAccounts, tokens] = await suite.clearing.openInterest(s.id);
    openInterest.push({
      label: s.label,
      shorts,
      longs: inAccounts + tokens,
      writtenOff: await suite.clearing.writtenOff(s.id),
    });
  }
  const times = breakerTimes(events, tStart, chain.cursor);
  const liquidations = records.map(liquidationJson);
  const failed: Record<string, number> = {};
  for (const k of keepers) for (const [r, n] of Object.entries(k.failures)) failed[r] = (failed[r] ?? 0) + n;
  const firstUnhealthy = trace.find((x) => x.unhealthy > 0);
  const result: ScenarioResult = {
    scenario: scenario.name,
    description: scenario.description,
    seed: scenario.seed,
    steps: scenario.steps,
    stepSeconds: dt,
    initialSpot: s0,
    guardian: guardianSpec.enabled,
    books,
    trace,
    liquidations,
    summary: {
      liquidations: {
        count: records.length,
        insolvent: records.filter((r) => r.deficitWad > 0n).length,
        volume: num(records.reduce((s, r) => s + r.result.liabilityWad, 0n)),
        seized: num(records.reduce((s, r) => s + r.result.seizedValueWad, 0n)),
        discountPaid: num(
          records.reduce((s, r) => s + (r.result.liabilityWad * r.result.discountWad) / WAD, 0n),
        ),
        penalty: num(records.reduce((s, r) => s + r.result.penaltyWad, 0n)),
        failed,
      },
      badDebt: num(cum.badDebt),
      insuranceDrawn: num(cum.drawn),
      socialised: num(cum.socialised),
      socialisedContracts: Number(events.lossSocialisedContracts) / 1e18,
      insurance: {
        start: num(insuranceStartWad),
        end: num(insuranceEndWad),
        sharePriceStart: sharePriceStart / 10 ** Number(await suite.quote.decimals()),
        sharePriceEnd:
          Number(await suite.insurance.convertToAssets(shareUnit)) /
          10 ** Number(await suite.quote.decimals()),
      },
      breaker: {
        trips: events.trips.length,
        guardianPauses: guardian.pauses,
        resumes: events.resumes.length,
        secondsTripped: times.tripped,
        secondsInGrace: times.grace,
        stepsTripped: trace.filter((x) => x.breaker === "tripped").length,
        stepsInGrace: trace.filter((x) => x.breaker === "grace").length,
      },
      unhealthy: {
        max: Math.max(0, ...trace.map((x) => x.unhealthy)),
        accountSteps: trace.reduce((s, x) => s + x.unhealthy, 0),
        firstStep: firstUnhealthy?.step ?? null,
      },
      oracle: {
        refusedSteps: trace.filter((x) => x.oracle === null).length,
        bandBreaches: trace.filter((x) => x.oracleOutcome === "band-breach").length,
        quorumLosses: trace.filter((x) => x.oracleOutcome === "quorum-loss").length,
        sourcesRemoved: governance.sourcesRemoved,
      },
      gas: {
        ...Object.fromEntries(Object.entries(chain.gas).map(([k, v]) => [k, Number(v)])),
        keeperTxs: chain.txCount.keeper,
      } as ScenarioResult["summary"]["gas"],
      payoutHaircut: openInterest.map((o) => ({
        series: o.label,
        shorts: Number(o.shorts) / 1e18,
        writtenOff: Number(o.writtenOff) / 1e18,
        haircut: o.shorts + o.writtenOff === 0n ? 0 : Number(o.writtenOff) / Number(o.shorts + o.writtenOff),
      })),
      exact: {
        badDebtWad: cum.badDebt.toString(),
        coveredWad: cum.drawn.toString(),
        socialisedWad: cum.socialised.toString(),
      },
    },
    checks: checks({
      records,
      events,
      insuranceStartWad,
      insuranceEndWad,
      stakedWad: 0n,
      quoteUnitWad: 10n ** (18n - (await suite.quote.decimals())),
      openInterest,
    }),
  };
  return result;
}

async function insuranceAssetsWad(suite: Suite): Promise<bigint> {
  const scale = 10n ** (18n - (await suite.quote.decimals()));
  return (await suite.insurance.totalAssets()) * scale;
}

async function breakerState(suite: Suite, scope: string, now: number): Promise<BreakerState> {
  for (const s of [Scopes.GLOBAL, Scopes.LIQUIDATE, scope]) {
    if ((await suite.breaker.scopeState(s)).reason !== 0n) return "tripped";
  }
  for (const s of [Scopes.GLOBAL, Scopes.LIQUIDATE, scope]) {
    if (Number(await suite.breaker.graceEndsAt(s)) > now) return "grace";
  }
  return "open";
}

async function outcomeOf(suite: Suite, logs: readonly { topics: readonly string[]; data: string }[]) {
  for (const l of logs) {
    const parsed = suite.oracle.interface.parseLog(l);
    if (parsed?.name === "PriceBandBreachReported") return OUTCOMES[3];
    if (parsed?.name === "QuorumLossReported") return OUTCOMES[2];
    if (parsed?.name === "RoundRecorded") return OUTCOMES[0];
  }
  return OUTCOMES[1];
}
