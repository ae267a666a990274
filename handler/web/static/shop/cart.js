// cart.js: the cart and its drawer. The cart lives in the API (POST
// /api/carts, lines under /api/carts/{id}/items); this module keeps its ID
// and redraws the drawer and the header's count after every change.
import { Problem } from "../lib/api.js";
import { h, render, money, alertBox } from "../lib/ui.js";
import { session, api } from "./session.js";

const drawer = document.getElementById("cart");
const button = document.getElementById("cart-button");
let current = null; // the last cart the API answered

// load reads the cart, forgetting one that is gone or closed.
export async function load() {
  if (!session.cartId) return show(null);
  try {
    const { data } = await api("GET", "/api/carts/" + session.cartId);
    if (data.status !== "open") throw new Problem(409, { code: "cart_closed", detail: "cart closed" });
    return show(data);
  } catch (err) {
    if (err.status === 404 || err.status === 409 || err.status === 401) {
      session.cartId = "";
      return show(null);
    }
    throw err;
  }
}

// add puts quantity of sku in the cart, making the cart when there is none.
export async function add(sku, quantity) {
  if (session.cartId) {
    try {
      const { data } = await api("POST", `/api/carts/${session.cartId}/items`, { body: { sku, quantity } });
      return show(data);
    } catch (err) {
      if (err.status !== 404 && err.code !== "cart_closed") throw err;
      session.cartId = ""; // expired or checked out: start a new one
    }
  }
  const { data } = await api("POST", "/api/carts", { body: { items: [{ sku, quantity }] } });
  session.cartId = data.id;
  return show(data);
}

// adopt makes cart the current one (after a merge at sign-in).
export function adopt(cart) {
  session.cartId = cart.id;
  return show(cart);
}

export function cart() { return current; }

// forget drops the cart after a checkout made an order of it.
export function forget() {
  session.cartId = "";
  show(null);
}

function show(c) {
  current = c;
  const n = c ? c.itemCount : 0;
  button.textContent = `Cart (${n})`;
  if (!drawer.hidden) draw();
  return c;
}

// open shows the drawer and moves focus into it; Escape or Close shuts it.
export function open() {
  drawer.hidden = false;
  button.setAttribute("aria-expanded", "true");
  draw();
  drawer.querySelector("h2").focus();
}

// close hides the drawer, giving focus back to the cart button unless the
// buyer is going to another page.
export function close(refocus = true) {
  drawer.hidden = true;
  button.setAttribute("aria-expanded", "false");
  if (refocus) button.focus();
}

button.addEventListener("click", () => (drawer.hidden ? open() : close()));
drawer.addEventListener("keydown", e => { if (e.key === "Escape") close(); });

function draw() {
  const msg = alertBox();
  const c = current;
  const setQty = async (sku, q) => {
    try {
      show((await api("PUT", `/api/carts/${c.id}/items/${encodeURIComponent(sku)}`, { body: { quantity: q } })).data);
    } catch (err) {
      msg.error(err);
    }
  };
  render(drawer,
    h("h2", { id: "cart-h", tabindex: "-1" }, "Your cart"),
    msg,
    !c || !c.items.length ? h("p", {}, "Your cart is empty.") : [
      h("ul", {}, c.items.map(l => h("li", {},
        h("p", {}, h("strong", {}, l.title), " ", h("span", { class: "hint" }, l.sku)),
        h("label", { for: "qty-" + l.sku }, "Quantity "),
        h("input", { id: "qty-" + l.sku, class: "qty", type: "number", min: 0, max: 99, value: String(l.quantity),
          onchange: e => setQty(l.sku, Number(e.target.value)) }),
        " ", money(l.lineTotal), " ",
        h("button", { type: "button", "aria-label": "Remove " + l.title, onclick: () => setQty(l.sku, 0) }, "Remove")))),
      c.unavailableItems && c.unavailableItems.length ? h("p", { class: "stock-out" }, "Some items are no longer available.") : null,
      h("p", {}, "Subtotal ", h("span", { class: "price" }, money(c.subtotal))),
      h("p", {}, h("a", { class: "button primary", href: "#/checkout", onclick: () => close(false) }, "Check out")),
    ],
    h("button", { type: "button", onclick: () => close() }, "Close"));
}
