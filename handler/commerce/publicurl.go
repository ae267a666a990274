package commerce

import "context"

// publicURLKey is the context key of WithPublicURL.
type publicURLKey struct{}

// WithPublicURL returns ctx carrying the API's address as the buyer making
// the request reaches it ("https://api.shop.example", no trailing slash),
// for the links a payment provider hands out, such as the test provider's
// 3-D Secure page.
func WithPublicURL(ctx context.Context, url string) context.Context {
	if url == "" {
		return ctx
	}
	return context.WithValue(ctx, publicURLKey{}, url)
}

// PublicURL returns the address WithPublicURL put in ctx, or "".
func PublicURL(ctx context.Context) string {
	u, _ := ctx.Value(publicURLKey{}).(string)
	return u
}
