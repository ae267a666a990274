// checkout.js: checkout with the test payment cards, the 3-D Secure step,
// and the buyer's orders.
//
// POST /api/checkout answers "paid", "processing" (the payment settles
// later) or "requires_action": the buyer must authenticate with their bank
// (nextAction.url). With the test provider that is POST to the URL, here
// from a panel standing in for the bank's page; then POST
// /api/checkout/{id}/confirm finishes the checkout. The answer's orderToken
// lets this browser read the order later (X-Order-Token).
import { missingRoute } from "../lib/api.js";
import { h, render, alertBox, field, busy, money, when } from "../lib/ui.js";
import { session, api } from "./session.js";
import * as cart from "./cart.js";

// The test provider's cards (SHOPFN_PAYMENTS=test), as Stripe names them.
const cards = [
  { pm: "pm_card_visa", label: "Visa ending 4242: succeeds" },
  { pm: "pm_card_authenticationRequired", label: "Card ending 3184: asks for 3-D Secure" },
  { pm: "pm_card_chargeDeclined", label: "Card ending 0002: declined" },
];

// page is #/checkout.
export function page(main) {
  const c = cart.cart();
  if (!c || !c.items.length) {
    return render(main, h("h1", {}, "Checkout"), h("p", {}, "Your cart is empty. ", h("a", { href: "#/" }, "Keep shopping")));
  }
  const msg = alertBox();
  const bank = h("section", { class: "card bank", "aria-labelledby": "bank-h", hidden: true });
  const shipping = h("fieldset", {}, h("legend", {}, "Shipping"));
  const form = h("form", { class: "card", "aria-labelledby": "checkout-h" },
    h("h1", { id: "checkout-h" }, "Checkout"),
    h("p", {}, `${c.itemCount} item(s), subtotal ${money(c.subtotal)}; shipping and tax are added by the shop.`),
    msg,
    field("Email", { name: "email", type: "email", autocomplete: "email", required: true, value: session.customer?.email || "" }),
    h("fieldset", {}, h("legend", {}, "Ship to"),
      field("Full name", { name: "name", autocomplete: "name", required: true, value: session.customer?.name || "" }),
      field("Address", { name: "line1", autocomplete: "address-line1", required: true }),
      field("Address line 2 (optional)", { name: "line2", autocomplete: "address-line2" }),
      h("div", { class: "grid" },
        field("City", { name: "city", autocomplete: "address-level2", required: true }),
        field("Postal code", { name: "postalCode", autocomplete: "postal-code", required: true }),
        field("Country (2 letters)", { name: "country", autocomplete: "country", required: true, maxlength: 2, value: "US" }),
        field("State or region code (optional, e.g. CA)", { name: "region", autocomplete: "address-level1", maxlength: 3 }))),
    shipping,
    h("fieldset", {}, h("legend", {}, "Test card"),
      cards.map((k, i) => h("div", {},
        h("input", { type: "radio", name: "card", id: "card-" + i, value: k.pm, checked: i === 0 }),
        " ", h("label", { for: "card-" + i }, k.label)))),
    h("button", { type: "submit", class: "primary" }, "Pay"));
  // The shipping options that ship to the country typed, with what each
  // costs this cart (GET /api/carts/{id}/shipping-options); none means
  // the shop's flat shipping.
  async function loadOptions() {
    const country = form.elements.country.value.trim().toUpperCase();
    if (!/^[A-Z]{2}$/.test(country)) return render(shipping, h("legend", {}, "Shipping"), h("p", {}, "Enter the country to see the shipping options."));
    try {
      const { data } = await api("GET", `/api/carts/${encodeURIComponent(c.id)}/shipping-options?country=${country}`);
      render(shipping, h("legend", {}, "Shipping"), data.items.length
        ? data.items.map((o, i) => h("div", {},
          h("input", { type: "radio", name: "shippingOption", id: "ship-" + i, value: o.id, checked: i === 0 }),
          " ", h("label", { for: "ship-" + i }, `${o.name}: ${money(o.price)}`)))
        : h("p", {}, "Shipping is added by the shop."));
    } catch (err) {
      if (!missingRoute(err)) msg.error(err); // a server without shipping options: the flat shipping
    }
  }
  form.elements.country.addEventListener("change", loadOptions);
  loadOptions();
  form.addEventListener("submit", async e => {
    e.preventDefault();
    msg.clear();
    const f = form.elements;
    const address = { name: f.name.value.trim(), line1: f.line1.value.trim(), line2: f.line2.value.trim(),
      city: f.city.value.trim(), postalCode: f.postalCode.value.trim(), country: f.country.value.trim().toUpperCase() };
    if (f.region.value.trim()) address.region = f.region.value.trim().toUpperCase();
    const body = { cartId: c.id, email: f.email.value.trim(), paymentMethod: f.card.value, shippingAddress: address };
    const option = form.querySelector("input[name=shippingOption]:checked");
    if (option) body.shippingOptionId = option.value;
    await busy(form, async () => {
      try {
        const { data } = await api("POST", "/api/checkout", {
          headers: { "Idempotency-Key": crypto.randomUUID() }, // each press is a new attempt (another card after a decline)
          body,
        });
        if (data.orderToken) session.addOrder(data.orderId, data.orderToken);
        if (data.status === "requires_action") return authenticate(data, bank, msg);
        done(data);
      } catch (err) {
        msg.error(err); // the form keeps what the buyer typed
      }
    });
  });
  render(main, form, bank);
}

// authenticate shows the stand-in for the bank's 3-D Secure page.
function authenticate(result, bank, msg) {
  const go = async fail => {
    await busy(bank, async () => {
      try {
        const u = new URL(result.nextAction.url, location.href); // same origin: call its path
        await api("POST", u.pathname + u.search + (fail ? "&outcome=fail" : ""));
        const { data } = await api("POST", `/api/checkout/${result.checkoutId}/confirm`);
        bank.hidden = true;
        done({ ...result, ...data });
      } catch (err) {
        bank.hidden = true;
        msg.error(err);
      }
    });
  };
  render(bank,
    h("h2", { id: "bank-h", tabindex: "-1" }, "Your bank asks you to confirm this payment"),
    h("p", {}, `Confirm the payment${result.total ? " of " + money(result.total) : ""} to the shop (a 3-D Secure test: no bank is asked).`),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "primary", onclick: () => go(false) }, "Authenticate payment"),
      h("button", { type: "button", onclick: () => go(true) }, "Fail authentication")));
  bank.hidden = false;
  bank.querySelector("h2").focus();
}

function done(result) {
  cart.forget();
  location.hash = "#/orders/" + result.orderId;
}

// statusLabel names an order status for a buyer.
const statusLabel = s => ({ processing: "Payment processing", placed: "Placed: preparing to ship", partially_fulfilled: "Partly shipped", fulfilled: "Shipped", cancelled: "Cancelled" }[s] || s);

// orderPage is #/orders/{id}; it checks again every 2 s while the payment
// is processing.
export async function orderPage(main, id) {
  const here = location.hash;
  const { data: o } = await api("GET", "/api/orders/" + encodeURIComponent(id), { headers: { "X-Order-Token": session.orderToken(id) } });
  if (location.hash !== here) return;
  render(main,
    h("p", {}, h("a", { href: "#/orders" }, "← My orders")),
    h("h1", {}, "Order " + o.id),
    h("p", { class: "order-status", role: "status" }, "Status: ", h("strong", {}, statusLabel(o.status))),
    h("p", {}, "Placed " + when(o.createdAt) + (o.fulfilledAt ? "; shipped " + when(o.fulfilledAt) : "")),
    h("ul", {}, o.items.map(l => h("li", {}, `${l.quantity} × ${l.title} (${l.sku}): ${money(l.lineTotal)}`))),
    h("p", {}, "Total ", h("span", { class: "price" }, money(o.total))),
    h("button", { type: "button", onclick: () => orderPage(main, id) }, "Refresh"));
  if (o.status === "processing") {
    const here = location.hash;
    setTimeout(() => { if (location.hash === here) orderPage(main, id); }, 2000);
  }
}

// ordersPage is #/orders: the signed-in customer's order history (GET
// /api/me/orders: every order they placed or claimed, from any browser,
// newest first), then the orders placed from this browser as a guest.
export async function ordersPage(main) {
  let mine = [];
  let more = false;
  if (session.token) {
    try {
      const { data } = await api("GET", "/api/me/orders?limit=50");
      mine = data.items;
      more = Boolean(data.nextCursor);
    } catch (err) {
      if (!missingRoute(err)) throw err; // a server without order history shows this browser's orders only
    }
  }
  const seen = new Set(mine.map(o => o.id));
  const guest = session.orders().filter(o => !seen.has(o.id));
  render(main, h("h1", {}, "My orders"),
    session.token ? null : h("p", { class: "hint" }, h("a", { href: "#/signin" }, "Sign in"), " to see every order of your account."),
    mine.length ? h("table", { class: "history" },
      h("caption", {}, "Orders of " + (session.customer?.email || "your account")),
      h("thead", {}, h("tr", {}, ["Order", "Placed", "Status", "Total"].map(c => h("th", { scope: "col" }, c)))),
      h("tbody", {}, mine.map(o => h("tr", {},
        h("td", {}, h("a", { href: "#/orders/" + o.id }, "Order " + o.id)), h("td", {}, when(o.createdAt)),
        h("td", {}, statusLabel(o.status)), h("td", {}, money(o.total)))))) : null,
    more ? h("p", { class: "hint" }, "Your 50 latest orders are shown.") : null,
    guest.length ? [h("h2", {}, "Placed from this browser"),
      h("ul", {}, guest.map(o => h("li", {}, h("a", { href: "#/orders/" + o.id }, "Order " + o.id), " ", when(o.at))))] : null,
    mine.length || guest.length ? null : h("p", {}, "No orders yet."));
}
