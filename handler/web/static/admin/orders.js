// orders.js: orders by status, and one order with its lines, totals,
// buyer, shipping and billing addresses, the locations its items ship
// from (allocations), and the actions its status allows: fulfil (ship) a
// placed order, move unshipped units to another location, cancel an
// order (a paid one is refunded in full; a partially shipped one has its
// unshipped rest cancelled and refunded), and its shipments and refunds.
import { h, render, alertBox, money, when, confirmDialog, field, busy } from "../lib/ui.js";
import { allPages, statusLabel, table } from "./common.js";

const statuses = ["", "processing", "placed", "partially_fulfilled", "fulfilled", "cancelling", "cancelled"];

export default {
  id: "orders",
  title: "Orders",
  async render(main, ctx, args) {
    if (args[0] === "status" || !args[0]) return list(main, ctx, args[1] || "");
    const all = await allPages(ctx, "/api/admin/orders", 2000);
    const o = all.find(x => x.id === args[0]);
    if (!o) throw new Error(`No order ${args[0]} among the latest ${all.length}.`);
    return detail(main, ctx, o);
  },
};

async function list(main, ctx, status) {
  const orders = await allPages(ctx, "/api/admin/orders" + (status ? "?status=" + status : ""), 500);
  orders.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const filter = h("select", { id: "order-status", onchange: e => ctx.go("#/orders/status/" + e.target.value) },
    statuses.map(s => h("option", { value: s, selected: s === status }, s ? statusLabel(s) : "Any status")));
  render(main,
    h("h1", {}, "Orders"),
    h("div", { class: "field inline" }, h("label", { for: "order-status" }, "Status"), filter),
    table(`${orders.length} order(s)`, ["Order", "Placed", "Buyer", "Items", "Total", "Status"], orders.map(o => [
      h("a", { href: "#/orders/" + o.id }, o.id), when(o.createdAt), o.email,
      o.items.reduce((n, l) => n + l.quantity, 0), money(o.total), statusLabel(o.status)])));
}

function detail(main, ctx, o) {
  const msg = alertBox();
  const act = async (action, question, yes) => {
    if (question && !(await confirmDialog(question, yes))) return;
    msg.clear();
    try {
      const { data } = await ctx.api("POST", `/api/admin/orders/${o.id}/${action}`);
      detail(main, ctx, data);
      main.querySelector(".message").show(action === "fulfil" ? "Order fulfilled: it has shipped."
        : "Order cancelled" + (data.status === "cancelling" || (data.refunds || []).some(r => r.status === "pending") ? "; the refund is on its way." : "."), "notice");
    } catch (err) {
      msg.error(err);
    }
  };
  const address = a => [a.name, a.line1, a.line2, `${a.postalCode || ""} ${a.city || ""}`, a.country].filter(s => s && s.trim()).join(", ");
  render(main,
    h("p", {}, h("a", { href: "#/orders" }, "← Orders")),
    h("h1", {}, "Order " + o.id),
    msg,
    h("dl", { class: "facts" },
      h("dt", {}, "Status"), h("dd", { id: "order-status-text" }, statusLabel(o.status)),
      h("dt", {}, "Placed"), h("dd", {}, when(o.createdAt)),
      o.fulfilledAt ? [h("dt", {}, "Shipped"), h("dd", {}, when(o.fulfilledAt))] : null,
      o.cancelledAt ? [h("dt", {}, "Cancelled"), h("dd", {}, when(o.cancelledAt))] : null,
      h("dt", {}, "Buyer"), h("dd", {}, o.email),
      h("dt", {}, "Ship to"), h("dd", {}, address(o.shippingAddress || {})),
      h("dt", {}, "Bill to"), h("dd", { id: "order-billing" }, o.billingAddress ? address(o.billingAddress) : "None given"),
      h("dt", {}, "Checkout"), h("dd", {}, o.checkoutId)),
    table("Lines", ["SKU", "Item", "Quantity", "Unit price", "Line total"], o.items.map(l => [l.sku, l.title, l.quantity, money(l.unitPrice), money(l.lineTotal)])),
    o.allocations ? table("Ships from", ["SKU", "Location", "Quantity"], o.allocations.map(x => [x.sku, x.locationId, x.quantity])) : null,
    table("Totals", ["Subtotal", "Shipping", "Tax", "Total paid"], [[money(o.subtotal), money(o.shipping), money(o.tax), money(o.total)]]),
    o.fulfilments && o.fulfilments.length
      ? table("Shipments", ["Location", "Lines", "Carrier", "Tracking number", "Shipped"], o.fulfilments.map(f =>
        [f.locationId, f.lines.map(l => `${l.quantity} × ${l.sku}`).join(", "), f.carrier, f.trackingNumber, when(f.createdAt)]))
      : null,
    o.refunds && o.refunds.length
      ? table("Refunds", ["Refund", "Amount", "Reason", "Status", "Recorded"], o.refunds.map(r =>
        [r.id, money(r.amount), r.reason === "cancelled_unshipped" ? "Unshipped units cancelled" : "Order cancelled",
          r.status + (r.failureCode ? ` (${r.failureCode})` : ""), when(r.createdAt)]))
      : null,
    o.status === "placed" || o.status === "partially_fulfilled" ? moveForm(main, ctx, o) : null,
    h("div", { class: "actions" },
      o.status === "placed" || o.status === "partially_fulfilled" ? h("button", { type: "button", class: "primary", onclick: () => act("fulfil", `Mark order ${o.id} as shipped?`, "Fulfil") }, "Fulfil order") : null,
      o.status === "placed" || o.status === "processing" || o.status === "cancelling"
        ? h("button", { type: "button", class: "danger", onclick: () => act("cancel", `Cancel order ${o.id}? A paid order is refunded in full (${money(o.total)}).`, "Cancel and refund") }, "Cancel and refund")
        : null,
      o.status === "partially_fulfilled"
        ? h("button", { type: "button", class: "danger", onclick: () => act("cancel", `Cancel what has not shipped of order ${o.id}? Its units go back to stock and their value is refunded; shipping is not.`, "Cancel the rest and refund") }, "Cancel the rest and refund")
        : null));
}

// moveForm draws the form that moves an order's unshipped units of a SKU
// from one location to another (POST .../allocations/move); the server
// re-checks the stock at the destination.
function moveForm(main, ctx, o) {
  const msg = alertBox();
  const allocs = o.allocations || [];
  const form = h("form", { class: "card narrow", "aria-labelledby": "move-h", novalidate: true },
    h("h2", { id: "move-h" }, "Move units to another location"),
    msg,
    h("div", { class: "field" }, h("label", { for: "move-from" }, "Units of"),
      h("select", { id: "move-from", name: "from" }, allocs.map((a, i) => h("option", { value: String(i) }, `${a.sku} at ${a.locationId} (${a.quantity})`)))),
    field("To location (its ID)", { name: "to", required: true, pattern: "[a-z0-9-]+" }),
    field("Quantity", { name: "quantity", type: "number", min: 1, step: 1, required: true, value: "1" }),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Move units")));
  form.addEventListener("submit", async e => {
    e.preventDefault();
    msg.clear();
    const f = form.elements;
    const a = allocs[Number(f.from.value)];
    const to = f.to.value.trim();
    const quantity = Number(f.quantity.value);
    if (!a) return msg.show("The order has no units to move.");
    if (!/^[a-z0-9-]{1,64}$/.test(to) || to === a.locationId) return msg.show("The location ID is 1 to 64 of a-z, 0-9 and -, not where the units are.");
    if (!Number.isInteger(quantity) || quantity < 1) return msg.show("The quantity is a whole number, 1 or more.");
    await busy(form, async () => {
      try {
        const { data } = await ctx.api("POST", `/api/admin/orders/${o.id}/allocations/move`, { body: { sku: a.sku, from: a.locationId, to, quantity } });
        detail(main, ctx, data);
        main.querySelector(".message").show(`Moved ${quantity} × ${a.sku} from ${a.locationId} to ${to}.`, "notice");
      } catch (err) {
        msg.error(err); // the form keeps every entry
      }
    });
  });
  return form;
}
