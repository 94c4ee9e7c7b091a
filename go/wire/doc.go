// Package wire implements the value encoding and the schema of the isthmus ABI
// (docs/abi.md in the isthmus repository): little-endian fixed-width scalars,
// u32-length-prefixed strings, bytes, lists and maps, struct fields in schema order,
// a presence byte for optional values and a tagged union for any.
//
// Encoder and Decoder are used by the code that isthmus build generates and by the
// guest runtime (package isthmus); they know nothing about WebAssembly and work on any
// platform. Schema describes a module's functions and types and is stored in the module
// as the custom section "isthmus.schema".
//
// Both Encoder and Decoder keep the first error they meet and turn every later
// operation into a no-op, so generated code checks for errors once, at the end.
package wire
