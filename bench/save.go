package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
)

// markdown renders the tables for the README: the figures, then where
// the cold start went.
func markdown(r *Results, vs []Verdict) string {
	rows := table(r, vs)
	for _, cells := range rows {
		if cells[6] == "FAIL" {
			cells[6] = "**FAIL**"
		}
	}
	out := markdownTable(rows)
	if r.Start != nil {
		out += "\nCold start, where the time goes (ms since navigation, medians):\n\n" + markdownTable(phaseTable(r.Start, false)) +
			"\nWarm start, the same:\n\n" + markdownTable(phaseTable(r.Start, true))
	}
	return out
}

func markdownTable(rows [][]string) string {
	var b strings.Builder
	for i, cells := range rows {
		fmt.Fprintf(&b, "| %s |\n", strings.Join(cells, " | "))
		if i == 0 {
			b.WriteString("|" + strings.Repeat(" --- |", len(cells)) + "\n")
		}
	}
	return b.String()
}

// save writes the raw results, the verdicts and the markdown table to out:
// results-<time>.json and latest.json, latest.md.
func save(out string, r *Results, vs []Verdict) (string, error) {
	doc := struct {
		*Results
		Metrics  map[string]Metric `json:"metrics"`
		Verdicts []Verdict         `json:"verdicts"`
	}{r, r.Metrics(), vs}
	data, err := json.MarshalIndent(jsonSafe(reflect.ValueOf(doc)), "", "  ")
	if err != nil {
		return "", err
	}
	name := filepath.Join(out, "results-"+r.Meta.Started.Format("20060102-150405")+".json")
	for _, p := range []string{name, filepath.Join(out, "latest.json")} {
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return "", err
		}
	}
	return name, os.WriteFile(filepath.Join(out, "latest.md"), []byte(markdown(r, vs)), 0o644)
}

// jsonSafe is v as plain JSON values, with null for NaN and infinities
// (a figure not measured), which encoding/json refuses.
func jsonSafe(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	if v.Type().Implements(reflect.TypeFor[json.Marshaler]()) {
		return v.Interface()
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return jsonSafe(v.Elem())
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return nil
		}
		return v.Interface()
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = jsonSafe(v.Index(i))
		}
		return out
	case reflect.Map:
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[fmt.Sprint(k.Interface())] = jsonSafe(v.MapIndex(k))
		}
		return out
	case reflect.Struct:
		out := map[string]any{}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				if m, ok := jsonSafe(v.Field(i)).(map[string]any); ok {
					for k, x := range m {
						out[k] = x
					}
				}
				continue
			}
			if name == "" {
				name = f.Name
			}
			if strings.Contains(opts, "omitempty") && v.Field(i).IsZero() {
				continue
			}
			out[name] = jsonSafe(v.Field(i))
		}
		return out
	}
	return v.Interface()
}
