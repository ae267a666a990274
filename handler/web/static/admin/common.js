// common.js: helpers the console's pages share.
import { h } from "../lib/ui.js";

// allPages reads a cursor-paged admin listing, up to max items.
export async function allPages(ctx, path, max = 500) {
  const items = [];
  let cursor = "";
  const sep = path.includes("?") ? "&" : "?";
  while (items.length < max) {
    const { data } = await ctx.api("GET", path + sep + "limit=100" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : ""));
    items.push(...data.items);
    if (!data.nextCursor) break;
    cursor = data.nextCursor;
  }
  return items;
}

// statusLabel names an order status for people: a fulfilled order has
// shipped.
export function statusLabel(s) {
  return { processing: "Processing payment", placed: "Placed", partially_fulfilled: "Partly shipped", fulfilled: "Shipped", cancelling: "Cancelling", cancelled: "Cancelled" }[s] || s;
}

// table draws rows as a table with a caption and column headers.
export function table(caption, columns, rows) {
  return h("table", {},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, columns.map(c => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.length ? rows.map(r => h("tr", {}, r.map(c => h("td", {}, c))))
      : h("tr", {}, h("td", { colspan: columns.length }, "None."))));
}
