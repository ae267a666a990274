package pricing

import (
	"math/bits"
	"slices"
)

// mulDiv returns a*b/c rounded half to even, computed in 128 bits so that
// no product of an amount and a rate overflows. a, b >= 0, c > 0.
func mulDiv(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, r := bits.Div64(hi, lo, uint64(c))
	if r > uint64(c)-r || (r == uint64(c)-r && q%2 == 1) {
		q++
	}
	return int64(q)
}

// mulDivRem returns a*b/c rounded down and its remainder, in 128 bits.
func mulDivRem(a, b, c int64) (int64, int64) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, r := bits.Div64(hi, lo, uint64(c))
	return int64(q), int64(r)
}

// Spread splits total over weights in proportion to them, by largest
// remainder: the shares sum to total exactly, and no share exceeds its
// weight when total does not exceed the weights' sum. Ties in remainder
// go to the earlier weight. Weights are non-negative; a total over
// nothing (all weights 0) is not spread.
func Spread(total int64, weights []int64) []int64 {
	shares := make([]int64, len(weights))
	var sum int64
	for _, w := range weights {
		sum += w
	}
	if sum == 0 || total <= 0 {
		return shares
	}
	rems := make([]int64, len(weights))
	left := total
	for i, w := range weights {
		shares[i], rems[i] = mulDivRem(total, w, sum)
		left -= shares[i]
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case rems[a] > rems[b]:
			return -1
		case rems[a] < rems[b]:
			return 1
		}
		return 0
	})
	for _, i := range order {
		if left == 0 {
			break
		}
		if rems[i] > 0 {
			shares[i]++
			left--
		}
	}
	return shares
}
