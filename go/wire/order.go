package wire

import (
	"cmp"
	"reflect"
	"slices"
)

// Maps are encoded in ascending key order (docs/abi.md §12.1): Go iterates a map in a
// random order, and a host that keeps insertion order (Python's dict) would otherwise
// show the same map differently from call to call.

// SortedKeys returns the keys of m in ascending order: strings by bytes (which is Unicode
// code point order for UTF-8), integers by value. Generated glue encodes maps in this order.
func SortedKeys[M ~map[K]V, K cmp.Ordered, V any](m M) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// sortedMapKeys returns the keys of the map v in the order of compareKeys.
func sortedMapKeys(v reflect.Value) []reflect.Value {
	keys := v.MapKeys()
	slices.SortStableFunc(keys, compareKeys)
	return keys
}

// keyClass ranks the kinds of keys that can meet in one map[any]any: nil, bool, integers
// (signed and unsigned compared by value), floats, strings, then anything else.
func keyClass(v reflect.Value) int {
	switch v.Kind() {
	case reflect.Invalid:
		return 0
	case reflect.Bool:
		return 1
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return 2
	case reflect.Float32, reflect.Float64:
		return 3
	case reflect.String:
		return 4
	}
	return 5
}

// compareKeys orders map keys: by class, then by value within a class. Keys of class 5
// (times, structs, pointers) compare equal and keep the map's order.
func compareKeys(a, b reflect.Value) int {
	for a.Kind() == reflect.Interface && !a.IsNil() {
		a = a.Elem()
	}
	for b.Kind() == reflect.Interface && !b.IsNil() {
		b = b.Elem()
	}
	if a.Kind() == reflect.Interface {
		a = reflect.Value{}
	}
	if b.Kind() == reflect.Interface {
		b = reflect.Value{}
	}
	ca, cb := keyClass(a), keyClass(b)
	if ca != cb {
		return cmp.Compare(ca, cb)
	}
	switch ca {
	case 1:
		return cmp.Compare(b2i(a.Bool()), b2i(b.Bool()))
	case 2:
		return compareInts(a, b)
	case 3:
		return cmp.Compare(a.Float(), b.Float())
	case 4:
		return cmp.Compare(a.String(), b.String())
	}
	return 0
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// compareInts compares two integer values of any signedness by value.
func compareInts(a, b reflect.Value) int {
	sa, sb := a.CanInt(), b.CanInt()
	switch {
	case sa && sb:
		return cmp.Compare(a.Int(), b.Int())
	case !sa && !sb:
		return cmp.Compare(a.Uint(), b.Uint())
	case sa: // a signed, b unsigned
		if a.Int() < 0 {
			return -1
		}
		return cmp.Compare(uint64(a.Int()), b.Uint())
	default:
		if b.Int() < 0 {
			return 1
		}
		return cmp.Compare(a.Uint(), uint64(b.Int()))
	}
}
