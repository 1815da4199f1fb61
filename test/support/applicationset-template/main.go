// Renders an ApplicationSet's template for one generator's parameters the way the ApplicationSet
// controller does with goTemplate: every string of the template is a Go text/template, executed
// with the parameters and the ApplicationSet's goTemplateOptions (such as missingkey=error).
//
// stdin: {"template": {...}, "params": {...}, "options": ["missingkey=error"]}
// stdout: the rendered template as JSON; exit 1 with the template error on stderr.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"
)

type input struct {
	Template interface{}            `json:"template"`
	Params   map[string]interface{} `json:"params"`
	Options  []string               `json:"options"`
}

func render(v interface{}, in *input) (interface{}, error) {
	switch t := v.(type) {
	case string:
		if !strings.Contains(t, "{{") {
			return t, nil
		}
		tpl, err := template.New("").Option(in.Options...).Parse(t)
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		if err := tpl.Execute(&b, in.Params); err != nil {
			return nil, err
		}
		return b.String(), nil
	case map[string]interface{}:
		out := map[string]interface{}{}
		for k, x := range t {
			r, err := render(x, in)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []interface{}:
		out := make([]interface{}, len(t))
		for i, x := range t {
			r, err := render(x, in)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out, err := render(in.Template, &in)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
