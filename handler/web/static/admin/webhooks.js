// webhooks.js: webhook subscriptions: list them (failing and disabled ones
// said so), create one (its signing secret is shown once, here), delete
// one after asking, send a test ping, and read a subscription's
// deliveries, filtered by status, re-delivering a failed one.
import { h, render, alertBox, field, busy, when, confirmDialog } from "../lib/ui.js";
import { table } from "./common.js";

// eventTypes are the types a subscription may ask for.
const eventTypes = ["order.placed", "order.fulfilled", "order.cancelled", "order.refunded", "inventory.level_changed",
  "inventory.low_stock", "product.created", "product.updated", "product.deleted", "customer.created"];
const deliveryStatuses = ["", "pending", "succeeded", "failed"];

export default {
  id: "webhooks",
  title: "Webhooks",
  async render(main, ctx, args) {
    if (args[0] === "new") return create(main, ctx);
    if (args[0]) return deliveries(main, ctx, args[0], args[1] || "");
    return list(main, ctx);
  },
};

// health says how a subscription is doing.
export function health(s) {
  if (!s.enabled) return "Disabled " + when(s.disabledAt) + (s.disabledReason ? ": " + s.disabledReason : "");
  if (s.failingSince) return "Failing since " + when(s.failingSince);
  return "OK";
}

async function list(main, ctx, notice = "") {
  const msg = alertBox();
  const { data } = await ctx.api("GET", "/api/admin/subscriptions");
  const ping = async s => {
    msg.clear();
    try {
      await ctx.api("POST", `/api/admin/subscriptions/${encodeURIComponent(s.id)}/test`);
      msg.show(`Sent a test ping to ${s.url}; see its deliveries.`, "notice");
    } catch (err) {
      msg.error(err);
    }
  };
  const remove = async s => {
    if (!(await confirmDialog(`Delete the subscription to ${s.url}? It gets no more events.`, "Delete"))) return;
    try {
      await ctx.api("DELETE", "/api/admin/subscriptions/" + encodeURIComponent(s.id));
      await list(main, ctx, `Deleted the subscription to ${s.url}.`);
    } catch (err) {
      msg.error(err);
    }
  };
  render(main,
    h("h1", {}, "Webhooks"),
    h("p", {}, h("a", { href: "#/webhooks/new", class: "button primary" }, "New subscription")),
    msg,
    table(`${data.items.length} subscription(s)`, ["URL", "Events", "Description", "Health", ""], data.items.map(s => [
      h("a", { href: "#/webhooks/" + encodeURIComponent(s.id) }, s.url), s.events.join(", "), s.description, health(s),
      h("span", { class: "actions" },
        h("button", { type: "button", onclick: () => ping(s), "aria-label": "Test ping " + s.url }, "Test ping"),
        h("button", { type: "button", class: "danger", onclick: () => remove(s), "aria-label": "Delete " + s.url }, "Delete"))])));
  if (notice) msg.show(notice, "notice");
}

// create draws the new subscription form; once created, it shows the
// signing secret, which no later read returns.
function create(main, ctx) {
  const msg = alertBox();
  const form = h("form", { class: "card narrow", "aria-labelledby": "sub-h", novalidate: true },
    h("h1", { id: "sub-h" }, "New subscription"),
    msg,
    field("URL (https)", { name: "url", type: "url", required: true, placeholder: "https://erp.example.com/hooks/shopfn" }),
    field("Description", { name: "description", maxlength: 500 }),
    h("fieldset", {}, h("legend", {}, "Events"),
      eventTypes.map(t => h("div", {}, h("input", { type: "checkbox", name: "events", value: t, id: "ev-" + t }), " ", h("label", { for: "ev-" + t }, t)))),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, "Create subscription"),
      h("a", { href: "#/webhooks" }, "Back to webhooks")));
  form.addEventListener("submit", async e => {
    e.preventDefault();
    msg.clear();
    const events = [...form.querySelectorAll("input[name=events]:checked")].map(c => c.value);
    if (!events.length) return msg.show("Pick at least one event.");
    const body = { url: form.elements.url.value.trim(), events, description: form.elements.description.value.trim() };
    await busy(form, async () => {
      try {
        const { data } = await ctx.api("POST", "/api/admin/subscriptions", { body });
        render(main,
          h("h1", { tabindex: "-1" }, "Subscription created"),
          h("p", {}, `Events go to ${data.url}, signed with this secret (Standard Webhooks). Copy it now: it is not shown again.`),
          h("p", {}, h("code", { id: "webhook-secret" }, data.secret)),
          h("p", {}, h("a", { href: "#/webhooks" }, "Back to webhooks")));
        main.querySelector("h1").focus();
      } catch (err) {
        msg.error(err); // the form keeps every entry
      }
    });
  });
  render(main, form);
}

// deliveries lists a subscription's deliveries with the given status.
async function deliveries(main, ctx, id, status, notice = "") {
  const msg = alertBox();
  const [{ data: s }, { data }] = await Promise.all([
    ctx.api("GET", "/api/admin/subscriptions/" + encodeURIComponent(id)),
    ctx.api("GET", `/api/admin/subscriptions/${encodeURIComponent(id)}/deliveries` + (status ? "?status=" + status : "")),
  ]);
  const redeliver = async d => {
    msg.clear();
    try {
      await ctx.api("POST", `/api/admin/subscriptions/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(d.id)}/redeliver`);
      await deliveries(main, ctx, id, status, `Queued ${d.eventType} (${d.eventId}) to be delivered again.`);
    } catch (err) {
      msg.error(err);
    }
  };
  const filter = h("select", { id: "delivery-status", onchange: e => ctx.go(`#/webhooks/${encodeURIComponent(id)}/${e.target.value}`) },
    deliveryStatuses.map(x => h("option", { value: x, selected: x === status }, x || "Any status")));
  render(main,
    h("p", {}, h("a", { href: "#/webhooks" }, "← Webhooks")),
    h("h1", {}, "Deliveries to " + s.url),
    msg,
    h("p", {}, "Health: " + health(s)),
    h("div", { class: "field inline" }, h("label", { for: "delivery-status" }, "Status"), filter),
    table(`${data.items.length} delivery(ies)`, ["Event", "Type", "Status", "Attempts", "HTTP status", "Error", "Created", ""], data.items.map(d => [
      d.eventId, d.eventType, d.status + (d.nextAttemptAt ? ", next " + when(d.nextAttemptAt) : ""), d.attempts, d.statusCode ?? "", d.error || "", when(d.createdAt),
      h("button", { type: "button", onclick: () => redeliver(d), "aria-label": "Redeliver " + d.eventId }, "Redeliver")])));
  if (notice) msg.show(notice, "notice");
}
