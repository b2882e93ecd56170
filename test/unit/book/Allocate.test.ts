/** How a taker's amount spreads over the crossing makers: in their order, each up to what it has left. */
import { expect } from "chai";
import { allocate } from "../../../scripts/book/matching/allocate";

describe("unit/book/allocate", () => {
  it("fills the makers in order until the taker is done", () => {
    expect(allocate(5n, [2n, 2n, 2n])).to.deep.equal([2n, 2n, 1n]);
    expect(allocate(3n, [5n, 1n])).to.deep.equal([3n]);
    expect(allocate(10n, [1n, 2n])).to.deep.equal([1n, 2n]);
  });
});
