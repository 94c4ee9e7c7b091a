// bigint: SIZE decimal digits of pi (default 4000) with math/big fixed-point arithmetic
// (Machin's formula: arctan series, divisions by small numbers, additions), then SIZE/4!
// by multiplication and both printed in decimal (big divisions).
package main

import (
	"math/big"

	"isthmus.dev/bench/internal/kit"
)

// arctanInv returns arctan(1/x) * unity.
func arctanInv(x int64, unity *big.Int) *big.Int {
	sum := new(big.Int)
	xx := big.NewInt(x * x)
	power := new(big.Int).Quo(unity, big.NewInt(x)) // unity / x^(2k+1)
	term := new(big.Int)
	for k := int64(0); power.Sign() != 0; k++ {
		term.Quo(power, big.NewInt(2*k+1))
		if k%2 == 0 {
			sum.Add(sum, term)
		} else {
			sum.Sub(sum, term)
		}
		power.Quo(power, xx)
	}
	return sum
}

func main() {
	kit.Run("bigint", 4000, func(digits int) func() uint64 {
		return func() uint64 {
			unity := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits+10)), nil)
			pi := new(big.Int).Mul(big.NewInt(4), arctanInv(5, unity))
			pi.Sub(pi, arctanInv(239, unity))
			pi.Mul(pi, big.NewInt(4))
			s := pi.String()
			f := big.NewInt(1)
			for i := int64(2); i <= int64(digits/4); i++ {
				f.Mul(f, big.NewInt(i))
			}
			fs := f.String()
			h := kit.Mix(0, uint64(len(s)))
			for i := 0; i < digits && i < len(s); i++ {
				h = kit.Mix(h, uint64(s[i]))
			}
			for i := 0; i < len(fs); i++ {
				h = kit.Mix(h, uint64(fs[i]))
			}
			return h
		}
	})
}
