// Package shared holds the Go function bodies that every variant of the ABI benchmark calls:
// isthmus (isthmus build --export), wasmtime-py with hand-written glue (../plain) and Extism
// (../extism). It knows nothing of any of them, so each variant runs exactly this code.
package shared

import "strings"

// Greet returns a greeting for name.
func Greet(name string) string { return "Hello, " + name + "!" }

// Order is the five-field struct of the struct round trip.
type Order struct {
	ID       int64   `json:"id"`
	Customer string  `json:"customer"`
	Qty      int32   `json:"qty"`
	Price    float64 `json:"price"`
	Paid     bool    `json:"paid"`
}

// Reorder returns the order that follows o: the next id, the customer's name in capitals,
// twice the quantity at the same unit price, and the paid flag flipped. Every field changes,
// so a variant that drops or garbles one fails the benchmark's checks.
func Reorder(o Order) Order {
	unit := 0.0
	if o.Qty != 0 {
		unit = o.Price / float64(o.Qty)
	}
	return Order{
		ID:       o.ID + 1,
		Customer: strings.ToUpper(o.Customer),
		Qty:      o.Qty * 2,
		Price:    unit * float64(o.Qty*2),
		Paid:     !o.Paid,
	}
}
