package blueprint

import (
	"encoding/json"
	"fmt"
)

// docModule is a module call's JSON shape; its values stay raw until decodeModules reads
// them with their path.
type docModule struct {
	Name      string           `json:"name"`
	Source    string           `json:"source"`
	Version   string           `json:"version"`
	Count     json.RawMessage  `json:"count"`
	ForEach   json.RawMessage  `json:"for_each"`
	Providers []ModuleProvider `json:"providers"`
	DependsOn []string         `json:"depends_on"`
	Inputs    json.RawMessage  `json:"inputs"`
}

func decodeModules(in []docModule) ([]ModuleCall, error) {
	var out []ModuleCall
	for i, m := range in {
		path := fmt.Sprintf("modules[%d]", i)
		mc := ModuleCall{Name: m.Name, Source: m.Source, Version: m.Version, Providers: m.Providers, DependsOn: m.DependsOn}
		var err error
		if mc.Count, err = decodeOptionalValue(m.Count, path+".count"); err != nil {
			return nil, err
		}
		if mc.ForEach, err = decodeOptionalValue(m.ForEach, path+".for_each"); err != nil {
			return nil, err
		}
		if mc.Inputs, err = decodeBody(m.Inputs, path+".inputs"); err != nil {
			return nil, err
		}
		out = append(out, mc)
	}
	return out, nil
}
