// json: encoding/json Marshal then Unmarshal of a document of SIZE KiB (default 1 MiB):
// an array of records with strings, numbers, booleans, nested objects and lists. Reflection,
// allocation and byte scanning.
package main

import (
	"encoding/json"
	"fmt"
	"math"

	"isthmus.dev/bench/internal/kit"
)

type Address struct {
	Street string `json:"street"`
	City   string `json:"city"`
	Zip    string `json:"zip"`
}

type Record struct {
	ID      int64             `json:"id"`
	Name    string            `json:"name"`
	Email   string            `json:"email"`
	Score   float64           `json:"score"`
	Active  bool              `json:"active"`
	Tags    []string          `json:"tags"`
	Home    Address           `json:"home"`
	Counts  []int             `json:"counts"`
	Attribs map[string]string `json:"attribs"`
}

func main() {
	kit.Run("json", 1024, func(kib int) func() uint64 {
		r := kit.NewRand(7)
		var doc []Record
		approx := 0
		for approx < kib*1024 {
			rec := Record{
				ID:     int64(r.Uint64() >> 20),
				Name:   r.Word() + " " + r.Word(),
				Email:  r.Word() + "@" + r.Word() + ".example",
				Score:  math.Round(float64(r.Intn(1000000))) / 1000,
				Active: r.Intn(2) == 0,
				Home:   Address{fmt.Sprintf("%d %s street", 1+r.Intn(999), r.Word()), r.Word(), fmt.Sprintf("%05d", r.Intn(100000))},
			}
			for i := r.Intn(5); i > 0; i-- {
				rec.Tags = append(rec.Tags, r.Word())
			}
			for i := r.Intn(8); i > 0; i-- {
				rec.Counts = append(rec.Counts, r.Intn(100000))
			}
			rec.Attribs = map[string]string{"k" + r.Word(): r.Word(), "note": "line\n\"quoted\" \u00e9"}
			doc = append(doc, rec)
			one, err := json.Marshal(rec) // untimed: sizes the document exactly
			if err != nil {
				panic(err)
			}
			approx += len(one) + 1
		}
		return func() uint64 {
			data, err := json.Marshal(doc)
			if err != nil {
				panic(err)
			}
			var back []Record
			if err := json.Unmarshal(data, &back); err != nil {
				panic(err)
			}
			h := kit.Mix(0, uint64(len(data)))
			for i := range back {
				h = kit.Mix(h, uint64(back[i].ID)+uint64(len(back[i].Tags))+uint64(math.Float64bits(back[i].Score)))
			}
			return h
		}
	})
}
