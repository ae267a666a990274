// events.js: the event feed (GET /api/admin/events), oldest first, read a
// page at a time, optionally of one type.
import { h, render, when } from "../lib/ui.js";
import { table } from "./common.js";

const types = ["", "order.placed", "order.fulfilled", "order.cancelled", "order.refunded", "inventory.level_changed",
  "inventory.low_stock", "product.created", "product.updated", "product.deleted", "customer.created", "ping"];
const pageSize = 50;

export default {
  id: "events",
  title: "Events",
  // #/events?type=<type>&after=<position>
  async render(main, ctx) {
    const params = new URLSearchParams(location.hash.split("?")[1] || "");
    const type = params.get("type") || "";
    const after = params.get("after") || "";
    const q = new URLSearchParams({ limit: pageSize });
    if (type) q.set("type", type);
    if (after) q.set("after", after);
    const { data } = await ctx.api("GET", "/api/admin/events?" + q);
    const link = next => "#/events?" + new URLSearchParams({ ...(type ? { type } : {}), after: next });
    const filter = h("select", { id: "event-type", onchange: e => ctx.go("#/events" + (e.target.value ? "?type=" + e.target.value : "")) },
      types.map(t => h("option", { value: t, selected: t === type }, t || "Any type")));
    render(main,
      h("h1", {}, "Events"),
      h("div", { class: "field inline" }, h("label", { for: "event-type" }, "Type"), filter),
      table(`${data.items.length} event(s)` + (after ? " after position " + after : ""), ["Time", "Type", "Subject", "Sequence", "ID"], data.items.map(e => [
        when(e.time), e.type, e.subject, e.sequence, e.id])),
      h("p", { class: "actions" },
        after ? h("a", { href: "#/events" + (type ? "?type=" + type : "") }, "Oldest") : null,
        data.items.length === pageSize ? h("a", { href: link(data.next), class: "button" }, "Next page") : null));
  },
};
