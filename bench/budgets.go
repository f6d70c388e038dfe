package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
)

// Budgets is bench/budgets.json.
type Budgets struct {
	Comment string  `json:"comment,omitempty"`
	Checks  []Check `json:"checks"`
}

// Check bounds one figure: Max, Min or both.
type Check struct {
	Row    string   `json:"row"`
	Metric string   `json:"metric"`
	Max    *float64 `json:"max,omitempty"`
	Min    *float64 `json:"min,omitempty"`
}

func loadBudgets(path string) (Budgets, error) {
	var b Budgets
	data, err := os.ReadFile(path)
	if err != nil {
		return b, err
	}
	if err := json.Unmarshal(data, &b); err != nil {
		return b, fmt.Errorf("%s: %w", path, err)
	}
	for i, c := range b.Checks {
		if c.Row == "" || c.Metric == "" || c.Max == nil && c.Min == nil {
			return b, fmt.Errorf("%s: check %d needs a row, a metric and a max or a min", path, i)
		}
	}
	if len(b.Checks) == 0 {
		return b, errors.New(path + ": no checks")
	}
	return b, nil
}

// Verdict is one check against one run.
type Verdict struct {
	Check  Check  `json:"check"`
	Metric Metric `json:"metric"`
	Pass   bool   `json:"pass"`
	Why    string `json:"why,omitempty"` // for a FAIL
}

// Evaluate checks every budget against the figures. A figure that is
// missing or NaN fails. A censored one ("at least v") fails a max, which it
// cannot be shown to meet.
func Evaluate(ms map[string]Metric, b Budgets) []Verdict {
	out := make([]Verdict, 0, len(b.Checks))
	for _, c := range b.Checks {
		m, ok := ms[c.Metric]
		v := Verdict{Check: c, Metric: m, Pass: true}
		switch {
		case !ok || math.IsNaN(m.Value):
			v.Pass, v.Why = false, "not measured"
		case c.Max != nil && m.Censored:
			v.Pass, v.Why = false, fmt.Sprintf("at least %.3g, over the cap of the wait", m.Value)
		case c.Max != nil && m.Value > *c.Max:
			v.Pass, v.Why = false, fmt.Sprintf("%.3g > %.3g", m.Value, *c.Max)
		case c.Min != nil && m.Value < *c.Min:
			v.Pass, v.Why = false, fmt.Sprintf("%.3g < %.3g", m.Value, *c.Min)
		}
		out = append(out, v)
	}
	return out
}

// RowResults is pass or FAIL per row, in the order of the budgets.
func RowResults(vs []Verdict) (rows []string, pass map[string]bool) {
	pass = map[string]bool{}
	for _, v := range vs {
		if _, seen := pass[v.Check.Row]; !seen {
			rows = append(rows, v.Check.Row)
			pass[v.Check.Row] = true
		}
		pass[v.Check.Row] = pass[v.Check.Row] && v.Pass
	}
	return rows, pass
}
