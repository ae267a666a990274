// Package checkout turns a cart into a paid order: it re-prices the cart,
// reserves the stock, takes the payment, and hands the paid order to the
// orders queue through the transactional outbox. Every step is idempotent,
// so a replayed request, a webhook racing the request, a redelivered message
// or a crash in between all end in one charge and one order.
//
// # A cart checks out once
//
// The cart lives in the document store and the checkout in the relational
// store, and no transaction spans the two. The relational store decides:
// BeginCheckout claims the cart's primary key in cart_checkouts in the same
// transaction that stores the checkout and reserves its stock, so of any
// number of concurrent checkouts of one cart, on any number of instances,
// exactly one claims it; the others get 409 "cart_closed". The claim is
// dropped when the checkout is released (declined, failed, expired) and kept
// for good when it is paid.
//
// The cart document carries a copy of that status, so that cart writes,
// which touch the document only, see it. After the claim, and before any
// charge, Hold writes the document as checking_out with an ETag-conditional
// write, and only while the document still holds exactly the lines the
// checkout priced. A cart write conditional on the ETag it read loses against
// Hold (it then sees checking_out and answers "cart_closed"), and a cart write
// that won makes Hold fail: the checkout is then abandoned (deleted, its
// stock and claim released, nothing charged) and the buyer gets 409
// "cart_changed". So the checkout never charges for a cart that changed after
// pricing.
//
// Crashes between the steps:
//   - after the claim, before Hold: the checkout is pending with no charge.
//     A retry with the same key runs Hold before charging (and abandons the
//     checkout if the cart changed meanwhile); otherwise its expiry releases
//     it, and the cart, which still says open, never looked closed.
//   - after a release, before the document is reopened: the document says
//     checking_out while no checkout holds the cart. Every cart write and
//     read that sees a non-open document asks the relational store, and a
//     cart with no live checkout is open again (the write stores it so).
//
// A paid checkout leaves the document saying checking_out for good: cart
// reads and writes ask the relational store likewise and see completed, so
// the payment path spends no write on the copy.
//
// A payment that succeeds after its checkout was released (a late 3-D
// Secure, a charge whose answer was lost) claims the cart and the stock
// again in MarkPaid; when either is gone the checkout is recorded as
// refunded in that same transaction and the payment refunded, so every
// successful charge is one placed order or one recorded refund.
package checkout
