package sample

import (
	"fmt"
	"hash/fnv"
	"strings"

	"shopfn/handler/commerce"
)

// ImagePath is where shopfn serves the sample catalog's images:
// ImagePath + "{handle}/{n}.svg", n from 1 to MaxImages.
const ImagePath = "/static/sample/"

// DefaultImageBase is the address Products' image URLs start with: where
// shopfn listens by default. Load takes another.
const DefaultImageBase = "http://localhost:7071"

// MaxImages is the most images a sample product has.
const MaxImages = 3

// ImageURL returns the URL of the n-th image of the product with handle,
// served under base (the API's address, such as "http://localhost:7071").
func ImageURL(base, handle string, n int) string {
	return fmt.Sprintf("%s%s%s/%d.svg", base, ImagePath, handle, n)
}

// Image returns the n-th sample image of the product with handle: a small
// SVG, a colour picked from the handle and the product's words on it. It
// reports false for a handle that is not a slug or an n out of range, so
// that nothing but a slug ever reaches the picture.
func Image(handle string, n int) ([]byte, bool) {
	if !commerce.ValidSlug(handle, commerce.MaxHandleLen) || n < 1 || n > MaxImages {
		return nil, false
	}
	h := fnv.New32a()
	h.Write([]byte(handle))
	hue := (int(h.Sum32()%360) + 40*(n-1)) % 360
	words := strings.Split(handle, "-")
	var lines []string
	for len(words) > 0 && len(lines) < 3 {
		k := min(2, len(words))
		lines = append(lines, strings.Join(words[:k], " "))
		words = words[k:]
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400" role="img" aria-label="%s">`, handle)
	fmt.Fprintf(&b, `<rect width="400" height="400" fill="hsl(%d,55%%,85%%)"/>`, hue)
	fmt.Fprintf(&b, `<circle cx="200" cy="150" r="%d" fill="hsl(%d,45%%,55%%)"/>`, 60+10*n, hue)
	for i, l := range lines {
		fmt.Fprintf(&b, `<text x="200" y="%d" font-family="sans-serif" font-size="24" text-anchor="middle" fill="hsl(%d,40%%,25%%)">%s</text>`, 280+30*i, hue, l)
	}
	b.WriteString(`</svg>`)
	return []byte(b.String()), true
}
