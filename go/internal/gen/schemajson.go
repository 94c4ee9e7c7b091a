package gen

import (
	"bytes"
	"encoding/json"

	"github.com/isthmus-dev/isthmus/go/wire"
)

// SchemaJSON renders a schema for people: types as text (see wire.Schema.TypeString)
// and the structs with their fields.
func SchemaJSON(s *wire.Schema) ([]byte, error) {
	type jsonParam struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	type jsonFunc struct {
		ID       int         `json:"id"`
		Name     string      `json:"name"`
		GoName   string      `json:"go_name,omitempty"`
		Doc      string      `json:"doc,omitempty"`
		Params   []jsonParam `json:"params"`
		Results  []jsonParam `json:"results"`
		Error    bool        `json:"error"`
		Variadic bool        `json:"variadic,omitempty"`
	}
	type jsonField struct {
		Name string `json:"name"`
		Type string `json:"type"`
		Doc  string `json:"doc,omitempty"`
	}
	type jsonStruct struct {
		Type   string      `json:"type"`
		Doc    string      `json:"doc,omitempty"`
		Fields []jsonField `json:"fields"`
	}
	params := func(ps []wire.Param) []jsonParam {
		out := []jsonParam{}
		for _, p := range ps {
			out = append(out, jsonParam{p.Name, s.TypeString(p.Type)})
		}
		return out
	}
	funcs := func(fs []wire.Func) []jsonFunc {
		out := []jsonFunc{}
		for i, f := range fs {
			out = append(out, jsonFunc{i, f.Name, f.GoName, f.Doc, params(f.Params), params(f.Results),
				f.Flags&wire.FlagError != 0, f.Flags&wire.FlagVariadic != 0})
		}
		return out
	}
	structs := []jsonStruct{}
	for i, t := range s.Types {
		if t.Kind != wire.Struct {
			continue
		}
		js := jsonStruct{Type: s.TypeString(uint32(i)), Doc: t.Doc, Fields: []jsonField{}}
		for _, f := range t.Fields {
			js.Fields = append(js.Fields, jsonField{f.Name, s.TypeString(f.Type), f.Doc})
		}
		structs = append(structs, js)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(struct {
		Version   uint32       `json:"abi_version"`
		Producer  string       `json:"producer"`
		Functions []jsonFunc   `json:"functions"`
		Imports   []jsonFunc   `json:"imports"`
		Structs   []jsonStruct `json:"structs"`
	}{s.Version, s.Producer, funcs(s.Funcs), funcs(s.Imports), structs})
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), err
}
