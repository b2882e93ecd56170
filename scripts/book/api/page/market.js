// The read-only market page: per series the book, recent trades and the breaker's scopes, from the service's JSON
// endpoints (/health, /series, /books/:seriesId, /trades), refreshed every few seconds. No framework, no build step.
"use strict";

const REFRESH_MS = 5000;
const TRADES_SHOWN = 10;

async function getJson(path) {
  const response = await fetch(path, { headers: { accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) throw new Error(`${path}: ${body.error}`);
  return body;
}

/** A whole number of `decimals` (a decimal string) as text, trailing zeros dropped. */
function units(text, decimals) {
  const value = BigInt(text);
  const unit = 10n ** BigInt(decimals);
  const frac = (value % unit).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${value / unit}${frac === "" ? "" : `.${frac}`}`;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

function table(head, rows, empty) {
  if (rows.length === 0) return el("p", { class: "empty" }, empty);
  return el(
    "table",
    {},
    el("thead", {}, el("tr", {}, ...head.map(([label, cls]) => el("th", cls ? { class: cls } : {}, label)))),
    el("tbody", {}, ...rows),
  );
}

function bookTable(book, quoteDecimals) {
  const row = (side) => (level) =>
    el(
      "tr",
      { class: side, "data-side": side },
      el("td", { class: "text" }, side),
      el("td", {}, units(level.price, quoteDecimals)),
      el("td", {}, units(level.amount, 18)),
      el("td", {}, String(level.orders)),
    );
  const rows = [...[...book.asks].reverse().map(row("ask")), ...book.bids.map(row("bid"))];
  return table([["side", "text"], ["premium"], ["contracts"], ["orders"]], rows, "no orders on the book");
}

function tradesTable(trades, quoteDecimals) {
  const rows = trades.map((t) =>
    el(
      "tr",
      { class: "trade", "data-status": t.status },
      el("td", { class: "text" }, t.takerSide === "buy" ? "bought" : "sold"),
      el("td", {}, units(t.price, quoteDecimals)),
      el("td", {}, units(t.amount, 18)),
      el("td", { class: "text" }, t.status),
      el("td", { class: "text" }, t.blockNumber === null ? "" : `#${t.blockNumber}`),
    ),
  );
  return table(
    [["taker", "text"], ["premium"], ["contracts"], ["status", "text"], ["block", "text"]],
    rows,
    "no trades yet",
  );
}

function scopeBadge(scope) {
  const detail = scope.status === "tripped" ? ` (${scope.reason})` : "";
  return el(
    "span",
    { class: `scope ${scope.status}`, "data-scope": scope.name },
    `${scope.name}: ${scope.status}${detail}`,
  );
}

async function render() {
  const [health, { quoteDecimals, series }] = await Promise.all([getJson("/health"), getJson("/series")]);
  document.getElementById("venue").textContent =
    `chain ${health.chainId} · exchange ${health.exchange} · indexed block ${health.indexedBlock ?? "-"}`;
  const sections = [];
  for (const s of series) {
    const [book, { trades }] = await Promise.all([
      getJson(`/books/${s.seriesId}`),
      getJson(`/trades?seriesId=${s.seriesId}&limit=${TRADES_SHOWN}`),
    ]);
    sections.push(
      el(
        "section",
        { class: "series", "data-series": s.seriesId },
        el("h2", {}, s.name, " ", el("small", {}, `id ${s.seriesId}${s.settled ? " · settled" : ""}`)),
        el("div", { class: "scopes" }, ...s.scopes.map(scopeBadge)),
        el(
          "div",
          { class: "cols" },
          el("div", { class: "book" }, el("h3", {}, "Book"), bookTable(book, quoteDecimals)),
          el("div", { class: "trades" }, el("h3", {}, "Recent trades"), tradesTable(trades, quoteDecimals)),
        ),
      ),
    );
  }
  const main = document.getElementById("markets");
  main.replaceChildren(
    ...(sections.length > 0 ? sections : [el("p", { class: "empty" }, "no series traded yet")]),
  );
  document.getElementById("error").textContent = "";
  document.body.dataset.loaded = "true";
}

async function refresh() {
  try {
    await render();
  } catch (error) {
    document.getElementById("error").textContent = String(error.message ?? error);
  }
  setTimeout(refresh, REFRESH_MS);
}

refresh();
