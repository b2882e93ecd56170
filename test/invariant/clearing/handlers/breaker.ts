/** The breaker's governance: the guardian's pauses of any scope and governance's resumes after the cooldown. */
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { attempt, type Expectation } from "../expectations";
import { noteTrip, report, scopeId, trippedNow } from "../model";
import { SCOPE_NAMES, TIME_SLACK_SECONDS, stats } from "../world";
import type { Handler } from "./handler";

export const pause: Handler = {
  kind: "pause",
  weight: 1,
  async run(w, p) {
    const name = SCOPE_NAMES[p.scope];
    await attempt(
      w,
      "pause",
      () => w.book.breaker.connect(w.book.guardian).pause(scopeId(w, name), "campaign"),
      {
        must: "succeed",
      },
    );
    noteTrip(w, name, "guardian");
    stats.inc(stats.ok, `trip:${name}`);
  },
};

export const resume: Handler = {
  kind: "resume",
  weight: 3,
  async run(w, p) {
    const { breaker, governor } = w.book;
    // Resume a tripped scope when there is one (scope index picks among them), else try an untripped one.
    const tripped = [...(await trippedNow(w))];
    const name = tripped.length > 0 ? tripped[p.scope % tripped.length] : SCOPE_NAMES[p.scope];
    const id = scopeId(w, name);
    let exp: Expectation;
    if (tripped.length === 0) exp = { must: "ScopeNotTripped" };
    else {
      const resumable = Number(await breaker.resumableAt(id));
      const next = (await time.latest()) + 1;
      if (next < resumable - TIME_SLACK_SECONDS && p.flag !== 0) {
        // Mostly wait out the cooldown, as governance would.
        await time.increaseTo(resumable);
        await report(w, w.spot);
        exp = { must: "succeed" };
      } else if (next < resumable - TIME_SLACK_SECONDS) exp = { must: "CooldownNotElapsed" };
      else if (next >= resumable) exp = { must: "succeed" };
      else exp = { allow: ["CooldownNotElapsed"] };
    }
    if (await attempt(w, "resume", () => breaker.connect(governor).resume(id), exp)) w.tripped.delete(name);
  },
};
