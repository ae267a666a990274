// account.js: sign-in and sign-out. The demo signs in through shopfn's
// development issuer (POST /api/dev/oidc/token, served when no
// SHOPFN_OIDC_ISSUER is set and not on Azure); a real storefront sends the
// buyer to its OpenID Connect issuer instead and gets the same kind of
// bearer token back. Signing in attaches the guest cart to the customer
// (POST /api/carts/{id}/customer, mode "merge": the guest lines are added
// to the customer's own cart).
import { missingRoute } from "../lib/api.js";
import { h, render, alertBox, field, busy } from "../lib/ui.js";
import { session, api } from "./session.js";
import * as cart from "./cart.js";

const slot = document.getElementById("account");

// restore reads the customer of a token kept from earlier in this tab.
export async function restore() {
  if (!session.token) return drawAccount();
  try {
    session.customer = (await api("GET", "/api/me")).data;
  } catch {
    session.token = ""; // expired: sign in again
  }
  drawAccount();
}

function drawAccount() {
  render(slot, session.customer
    ? [h("span", {}, "Signed in as " + session.customer.email), " ", h("button", { type: "button", onclick: signOut }, "Sign out")]
    : h("a", { href: "#/signin" }, "Sign in"));
}

function signOut() {
  session.token = "";
  session.customer = null;
  cart.forget(); // the customer's cart stays theirs
  drawAccount();
  location.hash = "#/";
}

// page is #/signin.
export function page(main) {
  const msg = alertBox();
  const form = h("form", { class: "card narrow", "aria-labelledby": "signin-h" },
    h("h1", { id: "signin-h" }, "Sign in"),
    h("p", { class: "hint" }, "This demo signs you in with shopfn's development issuer: any email works."),
    msg,
    field("Email", { name: "email", type: "email", autocomplete: "email", required: true }),
    field("Name", { name: "name", autocomplete: "name" }),
    h("button", { type: "submit", class: "primary" }, "Sign in"));
  form.addEventListener("submit", async e => {
    e.preventDefault();
    msg.clear();
    await busy(form, async () => {
      try {
        const { data } = await api("POST", "/api/dev/oidc/token", {
          token: "", body: { email: form.elements.email.value.trim(), name: form.elements.name.value.trim() || undefined, emailVerified: true },
        });
        session.token = data.accessToken;
        session.customer = (await api("GET", "/api/me")).data;
      } catch (err) {
        session.token = "";
        return msg.show(missingRoute(err)
          ? "This server signs customers in with its configured issuer (SHOPFN_OIDC_ISSUER), not the development one: the demo cannot sign in here."
          : err.detail || err.message);
      }
      drawAccount();
      const note = await mergeCart();
      render(document.getElementById("main"),
        h("h1", { tabindex: "-1" }, "Welcome, " + (session.customer.name || session.customer.email)),
        h("p", { id: "merge-note", role: "status" }, note),
        h("p", {}, h("a", { href: "#/" }, "Continue shopping")));
      document.querySelector("main h1").focus();
    });
  });
  render(main, form);
  form.elements.email.focus();
}

// mergeCart attaches the guest cart to the signed-in customer and returns
// what to tell the buyer.
async function mergeCart() {
  if (!session.cartId) {
    try {
      const { data } = await api("GET", "/api/me/cart");
      cart.adopt(data);
      return "Your saved cart is back.";
    } catch {
      return "";
    }
  }
  try {
    const { data } = await api("POST", `/api/carts/${session.cartId}/customer`, { body: { mode: "merge" } });
    cart.adopt(data);
    return "Your cart was merged into your account.";
  } catch (err) {
    if (missingRoute(err)) {
      // The server predates carts that follow the customer: the guest cart
      // simply stays the cart of this browser.
      return "Your cart stays in this browser (this server does not attach carts to customers).";
    }
    return "Your cart could not be merged: " + (err.detail || err.message);
  }
}
